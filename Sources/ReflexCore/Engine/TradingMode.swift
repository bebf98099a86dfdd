/// The strategy's regime: follow breakouts, or fade the channel edges.
public enum TradingMode: String, Hashable, Sendable, Codable, CaseIterable {
    case trend
    case range
}

/// Who asked for a regime change; every change is logged with it.
public enum RegimeSource: String, Hashable, Sendable, Codable {
    /// A signed `regime.shift` webhook.
    case webhook
    /// A TradingView-style alert.
    case tradingView
    /// `reflex mode …` or the control API.
    case operator_ = "operator"
    /// The strategy's built-in detector.
    case detector
    /// A regime line in a recorded tape.
    case recording
}

/// A change of regime, from any source.
public struct RegimeShift: Hashable, Sendable, Codable {
    public var mode: TradingMode
    public var source: RegimeSource
    public var reason: String?
    public var time: Timestamp
    /// The market it is for; nil means every market the bot trades.
    public var symbol: String?
    public init(
        mode: TradingMode, source: RegimeSource, reason: String? = nil, time: Timestamp, symbol: String? = nil
    ) {
        self.mode = mode
        self.source = source
        self.reason = reason
        self.time = time
        self.symbol = symbol
    }
}
