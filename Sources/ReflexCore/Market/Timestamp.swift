/// A point in time as nanoseconds since the Unix epoch (UTC). Time enters the engine only on events.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func milliseconds(_ value: Int64) -> Timestamp { Timestamp(nanoseconds: value * 1_000_000) }
    public static func microseconds(_ value: Int64) -> Timestamp { Timestamp(nanoseconds: value * 1_000) }
    public static func seconds(_ value: Int64) -> Timestamp { Timestamp(nanoseconds: value * 1_000_000_000) }

    public var milliseconds: Int64 { nanoseconds / 1_000_000 }
    public var microseconds: Int64 { nanoseconds / 1_000 }
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(nanoseconds: lhs.nanoseconds + rhs.nanoseconds)
    }
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        Duration(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }

    public var description: String { "\(milliseconds)ms" }

    public init(from decoder: any Decoder) throws {
        nanoseconds = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanoseconds)
    }
}

extension Timestamp {
    /// A span of engine time in nanoseconds (kept apart from `Swift.Duration`, which is wall-clock flavoured).
    public struct Duration: Hashable, Comparable, Sendable, Codable {
        public var nanoseconds: Int64
        public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
        public static func milliseconds(_ value: Int64) -> Duration { Duration(nanoseconds: value * 1_000_000) }
        public static func seconds(_ value: Int64) -> Duration { Duration(nanoseconds: value * 1_000_000_000) }
        public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    }
}
