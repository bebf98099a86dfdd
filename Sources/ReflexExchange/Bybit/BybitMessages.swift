public import ReflexCore

/// One `publicTrade` entry (spec B3), or one row of `GET /v5/market/recent-trade`.
public struct BybitTrade: Hashable, Sendable {
    /// Bybit's trade id (a UUID string); the de-duplication key.
    public var id: String
    public var symbol: String
    /// Trade time (`T` / `time`, ms).
    public var time: Timestamp
    public var price: Price
    public var quantity: Quantity
    /// Taker side (`S` / `side`).
    public var aggressor: Side

    public init(id: String, symbol: String, time: Timestamp, price: Price, quantity: Quantity, aggressor: Side) {
        self.id = id
        self.symbol = symbol
        self.time = time
        self.price = price
        self.quantity = quantity
        self.aggressor = aggressor
    }

    /// The engine's tick; `tradeID` is `TradeIDHash.fnv1a(id)`.
    public var tick: Tick {
        Tick(time: time, price: price, quantity: quantity, aggressor: aggressor, tradeID: TradeIDHash.fnv1a(id))
    }
}

/// What a public-stream message turned out to be.
public enum BybitPublicMessage: Hashable, Sendable {
    /// Trades of a `publicTrade.{symbol}` push, in the message's order.
    case trades([BybitTrade])
    /// The answer to our `{"op":"ping"}`.
    case pong
    /// A subscribe acknowledgement; `success == false` carries Bybit's reason.
    case subscribed(success: Bool, message: String)
    /// A valid message Reflex does not act on (another topic).
    case ignored(String)
    /// Not what Bybit documents; count it and log it.
    case malformed(String)
}

/// What a private-stream message turned out to be.
public enum BybitPrivateMessage: Hashable, Sendable {
    /// Engine events (fills, order state, positions, liquidations), in the message's order.
    case events([EngineEvent])
    /// A `wallet` push: account-wide margin figures.
    case wallet(BybitWallet)
    /// The answer to `auth`.
    case authenticated(success: Bool, message: String)
    /// A subscribe acknowledgement.
    case subscribed(success: Bool, message: String)
    /// The answer to our ping.
    case pong
    /// A valid message Reflex does not act on.
    case ignored(String)
    /// Not what Bybit documents; count it and log it.
    case malformed(String)
}

/// Account-wide figures from `wallet` pushes and `GET /v5/account/wallet-balance` (unified account, USD totals).
public struct BybitWallet: Hashable, Sendable {
    /// Maintenance margin over margin balance for the whole account (`accountMMRate`; 1 = liquidation).
    public var maintenanceMarginRate: Double?
    /// `totalWalletBalance`.
    public var walletBalance: Money
    /// `totalMarginBalance`.
    public var marginBalance: Money
    /// `totalPerpUPL`.
    public var unrealizedPnL: Money
    /// `totalAvailableBalance`.
    public var availableBalance: Money
    /// `totalMaintenanceMargin`.
    public var maintenanceMargin: Money
    public var time: Timestamp

    public init(
        maintenanceMarginRate: Double?, walletBalance: Money, marginBalance: Money, unrealizedPnL: Money,
        availableBalance: Money, maintenanceMargin: Money, time: Timestamp
    ) {
        self.maintenanceMarginRate = maintenanceMarginRate
        self.walletBalance = walletBalance
        self.marginBalance = marginBalance
        self.unrealizedPnL = unrealizedPnL
        self.availableBalance = availableBalance
        self.maintenanceMargin = maintenanceMargin
        self.time = time
    }
}

/// A position as Bybit reports it (stream `position`, REST `/v5/position/list`), with the margin figures the
/// account stream needs for margin warnings.
public struct BybitPosition: Hashable, Sendable {
    /// The position in engine terms (signed quantity).
    public var update: PositionUpdate
    /// Position maintenance margin (`positionMM`), when given.
    public var maintenanceMargin: Money?
}
