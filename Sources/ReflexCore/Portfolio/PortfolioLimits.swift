/// Limits across every market of one account: what no single engine can see.
///
/// Each market's engine still enforces its own ``RiskLimits``; these bind the sum. Unset limits do not bind.
public struct PortfolioLimits: Sendable, Hashable, Codable {
    /// Largest sum of open position notionals (plus the entry being placed), in the quote currency.
    public var maxTotalNotional: Money?
    /// Most markets with a position (or an entry on its way) at once.
    public var maxOpenPositions: Int?
    /// A realised-plus-unrealised loss of the whole portfolio since the start of the UTC day that halts entries in
    /// every market until the next day; protection and exits carry on.
    public var maxDailyLoss: Money?
    /// Orders and cancels of the whole account in any 60 s (the exchange's limit is per account). Entries stop
    /// short of it by ``PortfolioRisk/entryReserve`` so that protection of a fill always has room.
    public var maxOrdersPerMinute: Int?

    public init(
        maxTotalNotional: Money? = nil, maxOpenPositions: Int? = nil, maxDailyLoss: Money? = nil,
        maxOrdersPerMinute: Int? = nil
    ) {
        self.maxTotalNotional = maxTotalNotional
        self.maxOpenPositions = maxOpenPositions
        self.maxDailyLoss = maxDailyLoss
        self.maxOrdersPerMinute = maxOrdersPerMinute
    }

    /// Whether any limit is set (a portfolio without limits never holds an order back).
    public var isEmpty: Bool {
        maxTotalNotional == nil && maxOpenPositions == nil && maxDailyLoss == nil && maxOrdersPerMinute == nil
    }
}
