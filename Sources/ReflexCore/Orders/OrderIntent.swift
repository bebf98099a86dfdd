/// How an order executes.
public enum OrderType: Hashable, Sendable, Codable {
    /// Fill now at the market.
    case market
    /// Rest at `price`; fill only at `price` or better.
    case limit(price: Price)
    /// A market order that triggers when the trade price reaches `trigger` against the position (stop-loss).
    case stopMarket(trigger: Price)
    /// A market order that triggers when the trade price reaches `trigger` in the position's favour.
    case takeProfitMarket(trigger: Price)

    /// Conditional orders live on Binance's algo-order endpoint; others on the plain order endpoint.
    public var isConditional: Bool {
        switch self {
        case .stopMarket, .takeProfitMarket: return true
        case .market, .limit: return false
        }
    }

    public var name: String {
        switch self {
        case .market: return "MARKET"
        case .limit: return "LIMIT"
        case .stopMarket: return "STOP_MARKET"
        case .takeProfitMarket: return "TAKE_PROFIT_MARKET"
        }
    }
}

/// Why the engine placed an order; decides what a fill of it means.
public enum OrderPurpose: String, Hashable, Sendable, Codable {
    case entry
    case stopLoss
    case takeProfit
    /// A strategy exit (opposite channel, trailing stop).
    case exit
    /// Margin defence: reduce the position before the exchange liquidates it.
    case reduce
    /// Operator flatten, or a protective order that could not be placed.
    case flatten

    public var isProtective: Bool { self == .stopLoss || self == .takeProfit }
    /// Short tag used in client order ids.
    var idTag: String {
        switch self {
        case .entry: return "e"
        case .stopLoss: return "sl"
        case .takeProfit: return "tp"
        case .exit: return "x"
        case .reduce: return "r"
        case .flatten: return "f"
        }
    }
}

/// An order the engine wants on the exchange. Quantities and prices are already on the instrument's grid.
public struct OrderIntent: Hashable, Sendable, Codable {
    public var clientOrderID: ClientOrderID
    public var symbol: String
    public var side: Side
    public var type: OrderType
    public var quantity: Quantity
    /// Never opens or increases a position (protective and exit orders).
    public var reduceOnly: Bool
    public var purpose: OrderPurpose
    /// Engine time when the intent was made.
    public var time: Timestamp

    public init(
        clientOrderID: ClientOrderID, symbol: String, side: Side, type: OrderType, quantity: Quantity,
        reduceOnly: Bool, purpose: OrderPurpose, time: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.type = type
        self.quantity = quantity
        self.reduceOnly = reduceOnly
        self.purpose = purpose
        self.time = time
    }
}
