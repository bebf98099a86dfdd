/// Donchian channel over the last `length` bars, *including* the bar just added:
/// upper = highest high, lower = lowest low, middle = (upper + lower) / 2. O(1) amortised per bar.
///
/// The engine feeds it closed bars only, so while a bar is forming the channel is that of the previous
/// `length` closed bars — the one a breakout is judged against.
public struct DonchianChannel: Sendable, Codable {
    public struct Value: Hashable, Sendable, Codable {
        public var upper: Double
        public var lower: Double
        public var middle: Double { (upper + lower) / 2 }
        public var width: Double { upper - lower }
        public init(upper: Double, lower: Double) {
            self.upper = upper
            self.lower = lower
        }
    }

    public let length: Int
    private var highs: RollingExtremum
    private var lows: RollingExtremum

    public init(length: Int) {
        self.length = length
        highs = RollingExtremum(window: length, kind: .maximum)
        lows = RollingExtremum(window: length, kind: .minimum)
    }

    public mutating func update(high: Double, low: Double) {
        highs.update(high)
        lows.update(low)
    }

    /// True once `length` bars have been seen.
    public var isWarm: Bool { highs.samples >= length }

    /// The channel, once warm.
    public var value: Value? {
        guard isWarm, let upper = highs.value, let lower = lows.value else { return nil }
        return Value(upper: upper, lower: lower)
    }
}
