/// An order the engine has asked for and not yet seen finish.
public struct WorkingOrder: Sendable, Hashable, Codable {
    public var intent: OrderIntent
    public var accepted: Bool = false
    public var venueOrderID: String?
    public var filled: Quantity = .zero
    /// The engine asked to cancel it; its cancellation is expected, not a surprise.
    public var cancelRequested: Bool = false

    public init(intent: OrderIntent) { self.intent = intent }
}

/// The stop and target the engine chose at entry, kept until the position closes.
public struct TradePlan: Sendable, Hashable, Codable {
    public var mode: TradingMode
    public var side: Side
    /// Distance from the average entry to the stop (price units).
    public var stopDistance: Double
    /// Distance to the take-profit for trend trades; nil when `target` is fixed.
    public var takeProfitDistance: Double?
    /// Fixed take-profit price (range trades: the channel middle).
    public var target: Double?
    /// ATR when the trade was planned (trailing stop).
    public var atr: Double
    /// Best price since entry, for the trailing stop.
    public var extreme: Double
}
