/// What the portfolio's risk layer reads of one market when it decides on an order.
public struct MarketExposure: Sendable, Hashable {
    public var symbol: String
    /// Open position notional at the last price.
    public var positionNotional: Money
    /// Entries on their way or working at the venue, valued at their limit price or the last price: an entry sent
    /// but not yet filled counts against the total-notional cap, or two markets breaking out together both pass it.
    public var pendingEntryNotional: Money
    /// A position is open, or an entry is on its way to the venue.
    public var isOpen: Bool
    /// Realised and unrealised result since the start of the UTC day.
    public var dailyPnl: Money

    public init(
        symbol: String, positionNotional: Money, pendingEntryNotional: Money = .zero, isOpen: Bool, dailyPnl: Money
    ) {
        self.symbol = symbol
        self.positionNotional = positionNotional
        self.pendingEntryNotional = pendingEntryNotional
        self.isOpen = isOpen
        self.dailyPnl = dailyPnl
    }

    /// The engine's figures, leaving out the entries in `excluded` (the ones being decided on).
    public init(_ engine: Engine, excluding excluded: Set<ClientOrderID> = []) {
        var pending = Money.zero
        var entryOnItsWay = false
        for order in engine.workingOrders where order.intent.purpose == .entry {
            guard !excluded.contains(order.intent.clientOrderID) else { continue }
            entryOnItsWay = true
            let price: Price?
            if case .limit(let limit) = order.intent.type { price = limit } else { price = engine.lastPrice }
            if let price { pending = pending + Money.notional(price, order.intent.quantity - order.filled) }
        }
        self.init(
            symbol: engine.strategy.symbol, positionNotional: engine.positionNotional,
            pendingEntryNotional: pending, isOpen: !engine.position.isFlat || entryOnItsWay, dailyPnl: engine.dailyPnl)
    }

    /// What the total-notional cap counts: the position and the entries that may still add to it.
    public var committedNotional: Money { positionNotional + pendingEntryNotional }
}
