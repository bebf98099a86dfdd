/// Something the engine wants done: the runtime (live or backtest) carries it out.
public enum EngineCommand: Hashable, Sendable, Codable {
    case place(OrderIntent)
    case cancel(CancelRequest)
    /// Add isolated margin to the position (margin defence when configured so). Reducing the position is a
    /// reduce-only `place` with purpose `.reduce`, so that it carries a client id and is idempotent.
    case addMargin(symbol: String, amount: Money)
    case notify(Notice)
    case record(BarRecord)
    /// Read the venue's position and open orders and answer with ``EngineEvent/venueState(_:)``.
    case reconcile(ReconcileRequest)
}

/// Cancel one working order.
public struct CancelRequest: Hashable, Sendable, Codable {
    public var clientOrderID: ClientOrderID
    public var symbol: String
    public var reason: String
    /// A conditional (stop / take-profit) order: venues keep those apart (Binance's algo-order endpoint).
    public var conditional: Bool
    public init(clientOrderID: ClientOrderID, symbol: String, reason: String, conditional: Bool = false) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.reason = reason
        self.conditional = conditional
    }
}

/// A message for the operator's log.
public struct Notice: Hashable, Sendable, Codable {
    public enum Level: String, Hashable, Sendable, Codable { case info, warning, critical }
    public var level: Level
    /// A stable machine-readable name (`modeChanged`, `riskHalt`, …).
    public var kind: String
    public var message: String
    public var time: Timestamp
    public init(level: Level, kind: String, message: String, time: Timestamp) {
        self.level = level
        self.kind = kind
        self.message = message
        self.time = time
    }
}

/// Indicator values at a bar close, for reports and status.
public struct BarRecord: Hashable, Sendable, Codable {
    public var bar: Bar
    public var channel: DonchianChannel.Value?
    public var atr: Double?
    public var volatility: Double?
    public var mode: TradingMode
    public init(bar: Bar, channel: DonchianChannel.Value?, atr: Double?, volatility: Double?, mode: TradingMode) {
        self.bar = bar
        self.channel = channel
        self.atr = atr
        self.volatility = volatility
        self.mode = mode
    }
}
