/// Everything an engine is made from.
public struct EngineConfiguration: Sendable, Hashable, Codable {
    public var strategy: StrategyParameters
    public var risk: RiskLimits
    /// Account equity at the start (quote currency).
    public var initialEquity: Money
    /// Prefix of every client order id (keep ≤ 12 characters; ids stay within Binance's 36).
    public var orderIDPrefix: String

    public init(
        strategy: StrategyParameters, risk: RiskLimits = .init(), initialEquity: Money = Money("10000")!,
        orderIDPrefix: String = "rx"
    ) {
        self.strategy = strategy
        self.risk = risk
        self.initialEquity = initialEquity
        let allowed = orderIDPrefix.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        self.orderIDPrefix = String((allowed.isEmpty ? "rx" : allowed).prefix(12))
    }
}
