/// The venue's view of a position (webhook `position.updated`, Binance `ACCOUNT_UPDATE`).
public struct PositionUpdate: Hashable, Sendable, Codable {
    public var symbol: String
    /// Signed: positive long, negative short, zero flat.
    public var quantity: Quantity
    public var entryPrice: Price
    public var markPrice: Price?
    public var liquidationPrice: Price?
    /// Maintenance margin over margin balance, when the venue says (1.0 = liquidation).
    public var marginRatio: Double?
    public var time: Timestamp

    public init(
        symbol: String, quantity: Quantity, entryPrice: Price, markPrice: Price? = nil,
        liquidationPrice: Price? = nil, marginRatio: Double? = nil, time: Timestamp
    ) {
        self.symbol = symbol
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.markPrice = markPrice
        self.liquidationPrice = liquidationPrice
        self.marginRatio = marginRatio
        self.time = time
    }
}

/// The venue warns that a position is close to liquidation (Binance `MARGIN_CALL`, webhook `margin.warning`).
public struct MarginWarning: Hashable, Sendable, Codable {
    public var symbol: String
    public var marginRatio: Double
    public var markPrice: Price
    public var maintenanceMargin: Money
    public var time: Timestamp

    public init(symbol: String, marginRatio: Double, markPrice: Price, maintenanceMargin: Money, time: Timestamp) {
        self.symbol = symbol
        self.marginRatio = marginRatio
        self.markPrice = markPrice
        self.maintenanceMargin = maintenanceMargin
        self.time = time
    }
}

/// The venue closed (part of) a position by liquidation.
public struct Liquidation: Hashable, Sendable, Codable {
    public var symbol: String
    /// Side of the liquidation order (SELL closes a long).
    public var side: Side
    public var price: Price
    public var quantity: Quantity
    public var time: Timestamp

    public init(symbol: String, side: Side, price: Price, quantity: Quantity, time: Timestamp) {
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.time = time
    }
}
