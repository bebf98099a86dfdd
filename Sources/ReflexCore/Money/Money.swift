/// An exact amount of the quote (settlement) currency: PnL, fees, equity, margin.
public struct Money: FixedPointValue {
    public let raw: Int64
    public let precision: UInt8
    public init(raw: Int64, precision: UInt8) {
        self.raw = raw
        self.precision = precision
    }

    /// `price × quantity` exactly (rounded to 10⁻⁸, half away from zero).
    public static func notional(_ price: Price, _ quantity: Quantity) -> Money {
        let product = Int128(price.raw) * Int128(quantity.raw)
        let scale = Int128(FixedPoint.scale)
        let half = scale / 2
        let rounded = product >= 0 ? (product + half) / scale : (product - half) / scale
        return Money(raw: Int64(clamping: rounded), precision: FixedPoint.maxPrecision)
    }

    /// `self × rate` for a fee or funding rate given as a `Double` fraction, rounded to 10⁻⁸.
    public func scaled(by rate: Double) -> Money {
        Money(approximating: doubleValue * rate) ?? .zero
    }
}
