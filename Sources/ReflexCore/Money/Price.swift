/// An exact price in quote currency per unit of the instrument.
public struct Price: FixedPointValue {
    public let raw: Int64
    public let precision: UInt8
    public init(raw: Int64, precision: UInt8) {
        self.raw = raw
        self.precision = precision
    }
}
