/// An exact quantity of the instrument (base units; for inverse contracts the venue's contract unit).
/// Signed where it is a position: positive long, negative short.
public struct Quantity: FixedPointValue {
    public let raw: Int64
    public let precision: UInt8
    public init(raw: Int64, precision: UInt8) {
        self.raw = raw
        self.precision = precision
    }
}
