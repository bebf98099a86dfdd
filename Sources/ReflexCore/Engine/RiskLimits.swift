/// Deployment-level limits, enforced before every order.
public struct RiskLimits: Sendable, Hashable, Codable {
    /// Largest position notional allowed, whatever the strategy's sizing says.
    public var maxPositionNotional: Money?
    /// Largest position notional over equity.
    public var maxLeverage: Double?
    /// A realised-plus-unrealised loss since the start of the UTC day that halts entries.
    public var maxDailyLoss: Money?
    /// Orders of every path (entries, exits, protection, cancels) allowed in any 60 s: wall time live (the runtime's
    /// timer), market time in a backtest.
    public var maxOrdersPerMinute: Int?
    /// When set, no new entries at all (protection stays).
    public var killSwitch: Bool
    public var marginDefence: MarginDefence

    public init(
        maxPositionNotional: Money? = nil, maxLeverage: Double? = nil, maxDailyLoss: Money? = nil,
        maxOrdersPerMinute: Int? = nil, killSwitch: Bool = false, marginDefence: MarginDefence = .init()
    ) {
        self.maxPositionNotional = maxPositionNotional
        self.maxLeverage = maxLeverage
        self.maxDailyLoss = maxDailyLoss
        self.maxOrdersPerMinute = maxOrdersPerMinute
        self.killSwitch = killSwitch
        self.marginDefence = marginDefence
    }
}

/// What to do when the margin ratio nears liquidation.
public struct MarginDefence: Sendable, Hashable, Codable {
    public enum Action: Sendable, Hashable, Codable {
        /// Close this fraction of the position (reduce-only market order).
        case reduce(fraction: Double)
        /// Add this much isolated margin.
        case addMargin(Money)
    }
    /// Margin ratio (maintenance margin / margin balance) at which the bot acts on its own estimate.
    public var threshold: Double
    public var action: Action
    /// Event time between two defences, so one warning burst does not close the whole position.
    public var cooldown: Timestamp.Duration

    public init(
        threshold: Double = 0.8, action: Action = .reduce(fraction: 0.5), cooldown: Timestamp.Duration = .seconds(30)
    ) {
        self.threshold = threshold
        self.action = action
        self.cooldown = cooldown
    }
}
