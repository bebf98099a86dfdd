/// An OHLCV bar over the half-open interval `[openTime, openTime + interval)`.
public struct Bar: Hashable, Sendable, Codable {
    public var openTime: Timestamp
    public var interval: BarInterval
    public var open: Price
    public var high: Price
    public var low: Price
    public var close: Price
    public var volume: Quantity
    /// Number of ticks in the bar.
    public var trades: Int

    public init(
        openTime: Timestamp, interval: BarInterval, open: Price, high: Price, low: Price, close: Price,
        volume: Quantity, trades: Int
    ) {
        self.openTime = openTime
        self.interval = interval
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.trades = trades
    }

    /// A bar that starts with `tick`.
    public init(first tick: Tick, openTime: Timestamp, interval: BarInterval) {
        self.init(
            openTime: openTime, interval: interval, open: tick.price, high: tick.price, low: tick.price,
            close: tick.price, volume: tick.quantity, trades: 1)
    }

    public var closeTime: Timestamp { Timestamp(nanoseconds: openTime.nanoseconds + interval.nanoseconds) }

    public mutating func add(_ tick: Tick) {
        if tick.price > high { high = tick.price }
        if tick.price < low { low = tick.price }
        close = tick.price
        volume = Quantity(
            raw: volume.raw &+ tick.quantity.raw, precision: max(volume.precision, tick.quantity.precision))
        trades += 1
    }
}
