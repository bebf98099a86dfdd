/// A bar length such as `5s`, `1m`, `4h`.
public struct BarInterval: Hashable, Sendable, Codable, CustomStringConvertible {
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) {
        precondition(nanoseconds > 0, "a bar interval must be positive")
        self.nanoseconds = nanoseconds
    }

    public static func seconds(_ n: Int64) -> BarInterval { BarInterval(nanoseconds: n * 1_000_000_000) }
    public static func minutes(_ n: Int64) -> BarInterval { .seconds(n * 60) }

    /// Parses `Ns`, `Nm`, `Nh` (also `Nms` for tests and `Nd`); nil for anything else.
    public init?(_ text: String) {
        let units: [(suffix: String, nanos: Int64)] = [
            ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
            ("d", 86_400_000_000_000),
        ]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), let n = Int64(number), n > 0,
                n <= Int64.max / unit.nanos
            else { return nil }
            self.init(nanoseconds: n * unit.nanos)
            return
        }
        return nil
    }

    /// Start of the bucket `[k·I, (k+1)·I)` that contains `time`.

    public func bucketStart(_ time: Timestamp) -> Timestamp {
        let t = time.nanoseconds
        var k = t / nanoseconds
        if t < 0 && t % nanoseconds != 0 { k -= 1 }
        return Timestamp(nanoseconds: k * nanoseconds)
    }

    public var description: String {
        let table: [(Int64, String)] = [
            (86_400_000_000_000, "d"), (3_600_000_000_000, "h"), (60_000_000_000, "m"), (1_000_000_000, "s"),
            (1_000_000, "ms"),
        ]
        for (nanos, suffix) in table where nanoseconds % nanos == 0 { return "\(nanoseconds / nanos)\(suffix)" }
        return "\(nanoseconds)ns"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let interval = BarInterval(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a bar interval like \"5s\", \"1m\" or \"1h\", got \"\(text)\"")
        }
        self = interval
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
