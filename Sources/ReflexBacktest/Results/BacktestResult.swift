public import ReflexCore

/// What a backtest produced: summary metrics plus the series the report draws.
public struct BacktestResult: Sendable {
    public var strategy: StrategyParameters
    public var initialEquity: Money
    public var ticks: Int
    public var bars: Int
    public var trades: [RoundTrip]
    public var fills: Int
    public var netPnl: Money
    public var fees: Money
    public var finalEquity: Money
    /// Largest peak-to-trough fall of mark-to-market equity, as a fraction of the peak.
    public var maxDrawdown: Double
    /// Largest peak-to-trough fall in quote currency.
    public var maxDrawdownAmount: Double
    /// Annualised Sharpe ratio of per-bar equity returns, √(bars per 365-day year), risk-free rate 0.
    public var sharpe: Double?
    public var winRate: Double?
    public var profitFactor: Double?
    /// Fraction of bars with an open position.
    public var exposure: Double
    public var elapsedSeconds: Double
    public var ticksPerSecond: Double
    public var firstTickTime: Timestamp?
    public var lastTickTime: Timestamp?
    public var badLines: Int
    public var outOfOrderTicks: Int
    public var modeChanges: [Notice]
    public var notices: [String: Int]
    /// Sampled series for the report (at most a few thousand points).
    public var chart: [ChartPoint]
    public var finalMode: TradingMode

    public struct ChartPoint: Sendable, Hashable {
        public var time: Timestamp
        public var close: Double
        public var upper: Double?
        public var lower: Double?
        public var equity: Double
        public var drawdown: Double
    }
}
