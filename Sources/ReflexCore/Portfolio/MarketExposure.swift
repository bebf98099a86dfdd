/// What the portfolio's risk layer reads of one market when it decides on an order.
public struct MarketExposure: Sendable, Hashable {
    public var symbol: String
    /// Open position notional at the last price.
    public var positionNotional: Money
    /// A position is open, or an entry is on its way to the venue.
    public var isOpen: Bool
    /// Realised and unrealised result since the start of the UTC day.
    public var dailyPnl: Money

    public init(symbol: String, positionNotional: Money, isOpen: Bool, dailyPnl: Money) {
        self.symbol = symbol
        self.positionNotional = positionNotional
        self.isOpen = isOpen
        self.dailyPnl = dailyPnl
    }

    /// The engine's figures.
    public init(_ engine: Engine) {
        self.init(
            symbol: engine.strategy.symbol, positionNotional: engine.positionNotional,
            isOpen: !engine.position.isFlat || engine.workingOrders.contains { $0.intent.purpose == .entry },
            dailyPnl: engine.dailyPnl)
    }
}
