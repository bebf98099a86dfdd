/// Builds time bars from ticks: bucket `[k·I, (k+1)·I)` by trade time; an empty bucket makes no bar; a bar closes
/// when the first tick of a later bucket arrives (or when the data ends, via ``flush()``).
public struct BarAggregator: Sendable, Codable {
    public let interval: BarInterval
    /// The bar being formed, if any tick arrived in the current bucket.
    public private(set) var forming: Bar?

    public init(interval: BarInterval) { self.interval = interval }

    /// Adds a tick; returns the bar it closed, if it opened a later bucket.
    ///
    /// A tick older than the forming bucket (out-of-order tape) is folded into the forming bar rather than
    /// reopening a closed one: a closed bar is a fact the indicators have already consumed.

    public mutating func add(_ tick: Tick) -> Bar? {
        if let openTime = forming?.openTime {
            if tick.time.nanoseconds < openTime.nanoseconds + interval.nanoseconds {
                forming!.add(tick)  // in place: no copy of the bar per tick
                return nil
            }
            let closed = forming
            forming = Bar(first: tick, openTime: interval.bucketStart(tick.time), interval: interval)
            return closed
        }
        forming = Bar(first: tick, openTime: interval.bucketStart(tick.time), interval: interval)
        return nil
    }

    /// Closes the forming bar at end of data.
    public mutating func flush() -> Bar? {
        defer { forming = nil }
        return forming
    }
}
