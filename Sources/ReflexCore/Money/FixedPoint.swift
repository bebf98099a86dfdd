/// Exact decimal numbers stored as integers, the way exchanges mean them.
///
/// Every value is `raw / 10^8`: eight decimals cover every price, quantity and balance that Binance, Bybit
/// and Deribit publish. `precision` only says how many decimals to print, so `"61800.30"` parses and prints
/// back byte for byte, while `61800.3 == 61800.30` (equality, hashing and ordering look at `raw` only).
public enum FixedPoint {
    /// Units per 1 of every fixed-point value.
    public static let scale: Int64 = 100_000_000
    /// Decimals that `scale` can hold.
    public static let maxPrecision: UInt8 = 8

    static let powersOfTen: [Int64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
    ]

    /// Parses an ASCII decimal (`-12.340`, `0.001`, `7`) into raw units and printed precision.
    ///
    /// Returns nil for anything else: empty text, exponents, more than eight significant decimals, or a value
    /// beyond ±92 233 720 368. Trailing zeros past eight decimals are accepted (`"1.000000000"`).

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (raw: Int64, precision: UInt8)? {
        var index = 0
        let count = bytes.count
        guard count > 0 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var integer: Int64 = 0
        var digits = 0
        while index < count {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { break }
            // 92 233 720 368 is the largest integer part that still fits once scaled.
            guard integer < 92_233_720_368 / 10 + 1 else { return nil }
            integer = integer &* 10 &+ Int64(byte &- 48)
            digits += 1
            index += 1
        }
        var fraction: Int64 = 0
        var decimals = 0
        if index < count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < count {
                let byte = bytes[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                if decimals < Int(maxPrecision) {
                    fraction = fraction * 10 + Int64(byte &- 48)
                    decimals += 1
                } else if byte != 48 {
                    return nil  // a ninth significant decimal cannot be represented exactly
                }
                digits += 1
                index += 1
            }
        }
        guard index == count, digits > 0, integer <= 92_233_720_368 else { return nil }
        let (scaled, overflow) = integer.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        let (raw, overflow2) = scaled.addingReportingOverflow(fraction * powersOfTen[Int(maxPrecision) - decimals])
        guard !overflow2 else { return nil }
        return (negative ? -raw : raw, UInt8(decimals))
    }

    /// Parses a Swift string; see ``parse(_:)-(UnsafeBufferPointer<UInt8>)``.
    public static func parse(_ text: some StringProtocol) -> (raw: Int64, precision: UInt8)? {
        var string = String(text)
        return string.withUTF8 { parse($0) }
    }

    /// Prints `raw` with exactly `precision` decimals, no exponent, no rounding beyond what `precision` drops.
    public static func format(raw: Int64, precision: UInt8) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(raw: raw, precision: precision, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends what ``format(raw:precision:)`` prints, as ASCII, without building a `String` (journal and
    /// recording lines are written a tick at a time).
    public static func append(raw: Int64, precision: UInt8, to bytes: inout [UInt8]) {
        let digits = Int(min(precision, maxPrecision))
        let magnitude = raw.magnitude
        let integer = magnitude / UInt64(scale)
        let fraction = magnitude % UInt64(scale) / UInt64(powersOfTen[Int(maxPrecision) - digits])
        if raw < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(integer, minimumDigits: 1, to: &bytes)
        if digits > 0 {
            bytes.append(UInt8(ascii: "."))
            appendDecimal(fraction, minimumDigits: digits, to: &bytes)
        }
    }

    /// Appends `value` in decimal, left-padded with zeros to `minimumDigits`.
    public static func appendDecimal(_ value: UInt64, minimumDigits: Int = 1, to bytes: inout [UInt8]) {
        // 20 digits hold any UInt64; written backwards into a fixed buffer, then copied once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var value = value
            var start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: value % 10) &+ 48
                value /= 10
            } while value > 0 || 20 - start < minimumDigits && start > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<20]))
        }
    }

    /// Decimals needed to print `raw` without losing a digit (trailing zeros dropped).
    public static func minimalPrecision(raw: Int64) -> UInt8 {
        var precision = maxPrecision
        var value = raw.magnitude
        while precision > 0 && value % 10 == 0 {
            value /= 10
            precision -= 1
        }
        return precision
    }
}

/// How to round a value onto a grid (tick size, step size).
public enum RoundingRule: Sendable, Hashable {
    /// Towards negative infinity.
    case down
    /// Towards positive infinity.
    case up
    /// To the nearest grid point, halves away from zero.
    case nearest
}

/// A fixed-point value: an `Int64` count of 10⁻⁸ units plus the number of decimals to print.
public protocol FixedPointValue: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The value in 10⁻⁸ units.
    var raw: Int64 { get }
    /// Decimals to print.
    var precision: UInt8 { get }
    init(raw: Int64, precision: UInt8)
}

extension FixedPointValue {
    /// Parses exact decimal text such as `"61800.30"`; nil if it is not a plain decimal.
    public init?(_ text: some StringProtocol) {
        guard let (raw, precision) = FixedPoint.parse(text) else { return nil }
        self.init(raw: raw, precision: precision)
    }

    /// Converts an indicator result (e.g. `entry - 2·ATR`) to the nearest 10⁻⁸; round it to the grid afterwards.
    /// Returns nil when `value` is not finite or out of range.
    public init?(approximating value: Double, precision: UInt8 = FixedPoint.maxPrecision) {
        let scaled = (value * Double(FixedPoint.scale)).rounded()
        guard scaled.isFinite, abs(scaled) < 9.2e18 else { return nil }
        self.init(raw: Int64(scaled), precision: precision)
    }

    /// The integer part, exactly.
    public init(integer: Int64) { self.init(raw: integer * FixedPoint.scale, precision: 0) }

    public static var zero: Self { Self(raw: 0, precision: 0) }

    public var isZero: Bool { raw == 0 }
    public var doubleValue: Double { Double(raw) / Double(FixedPoint.scale) }
    public var description: String { FixedPoint.format(raw: raw, precision: precision) }

    /// Rounds onto multiples of `step` and prints with `step`'s precision.
    /// - Precondition: `step` is positive.
    public func rounded(toMultipleOf step: Self, _ rule: RoundingRule) -> Self {
        precondition(step.raw > 0, "step must be positive")
        let quotient = raw / step.raw
        let remainder = raw % step.raw
        var units = quotient
        if remainder != 0 {
            switch rule {
            case .down: units = raw < 0 ? quotient - 1 : quotient
            case .up: units = raw < 0 ? quotient : quotient + 1
            case .nearest:
                if remainder.magnitude * 2 >= step.raw.magnitude { units = raw < 0 ? quotient - 1 : quotient + 1 }
            }
        }
        return Self(raw: units * step.raw, precision: step.precision)
    }

    /// True when the value lies exactly on the grid of `step`.
    public func isMultiple(of step: Self) -> Bool { step.raw > 0 && raw % step.raw == 0 }

    public var magnitude: Self { Self(raw: raw < 0 ? -raw : raw, precision: precision) }
    public static prefix func - (value: Self) -> Self { Self(raw: -value.raw, precision: value.precision) }
    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(raw: lhs.raw + rhs.raw, precision: max(lhs.precision, rhs.precision))
    }
    public static func - (lhs: Self, rhs: Self) -> Self {
        Self(raw: lhs.raw - rhs.raw, precision: max(lhs.precision, rhs.precision))
    }
    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.raw < rhs.raw }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.raw == rhs.raw }
    public func hash(into hasher: inout Hasher) { hasher.combine(raw) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let (raw, precision) = FixedPoint.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a decimal string such as \"61800.30\", got \"\(text)\"")
        }
        self.init(raw: raw, precision: precision)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
