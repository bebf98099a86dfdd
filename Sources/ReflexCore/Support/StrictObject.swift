/// A configuration error naming the key path and what is allowed.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted key path, e.g. `risk.maxLeverage` or `symbols[1]`; empty for the whole document.
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Reads a JSON object strictly: every key must be consumed, so an unknown key (a typo) is an error naming it.
public struct StrictObject {
    public let path: String
    private let members: [(key: String, value: JSONValue)]
    private var consumed: Set<String> = []

    public init(_ value: JSONValue, path: String = "") throws(ConfigurationError) {
        guard case .object(let members) = value else {
            throw ConfigurationError(path: path, message: "expected an object, got \(value.typeName)")
        }
        self.path = path
        self.members = members
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value of `key`, or nil when absent (or null).
    public mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// The raw value of `key` without marking it read (to choose how to read it).
    public func peek(_ key: String) -> JSONValue? {
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    public mutating func required<T>(_ key: String, _ read: (inout Self, String) throws(ConfigurationError) -> T?)
        throws(ConfigurationError) -> T
    {
        guard let value = try read(&self, key) else {
            throw ConfigurationError(path: keyPath(key), message: "is required")
        }
        return value
    }

    public mutating func string(_ key: String, allowed: [String]? = nil) throws(ConfigurationError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let s) = value else {
            throw ConfigurationError(path: keyPath(key), message: "expected a string, got \(value.typeName)")
        }
        if let allowed, !allowed.contains(s) {
            throw ConfigurationError(
                path: keyPath(key),
                message: "expected one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"")
        }
        return s
    }

    public mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let b) = value else {
            throw ConfigurationError(path: keyPath(key), message: "expected true or false, got \(value.typeName)")
        }
        return b
    }

    public mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let text) = value, let n = Int(text) else {
            throw ConfigurationError(
                path: keyPath(key),
                message: "expected an integer in \(range.lowerBound)…\(range.upperBound), got \(describe(value))")
        }
        guard range.contains(n) else {
            throw ConfigurationError(
                path: keyPath(key), message: "expected an integer in \(range.lowerBound)…\(range.upperBound), got \(n)")
        }
        return n
    }

    /// A number in `range`; `open` excludes the lower bound (e.g. a fraction that must be > 0).
    public mutating func double(_ key: String, in range: ClosedRange<Double>, lowerOpen: Bool = false)
        throws(ConfigurationError) -> Double?
    {
        guard let value = value(key) else { return nil }
        let lower = lowerOpen ? "(\(format(range.lowerBound))" : "[\(format(range.lowerBound))"
        let allowed = "a number in \(lower), \(format(range.upperBound))]"
        guard case .number(let text) = value, let d = Double(text), d.isFinite else {
            throw ConfigurationError(path: keyPath(key), message: "expected \(allowed), got \(describe(value))")
        }
        guard range.contains(d), !(lowerOpen && d == range.lowerBound) else {
            throw ConfigurationError(path: keyPath(key), message: "expected \(allowed), got \(text)")
        }
        return d
    }

    /// An exact positive decimal, written as a string (`"0.10"`) or a JSON number (`0.1`).
    public mutating func decimal<T: FixedPointValue>(_ key: String, as: T.Type, allowZero: Bool = false)
        throws(ConfigurationError) -> T?
    {
        guard let value = value(key) else { return nil }
        let text: String
        switch value {
        case .string(let s): text = s
        case .number(let n): text = n
        default:
            throw ConfigurationError(
                path: keyPath(key), message: "expected a decimal such as \"0.10\", got \(value.typeName)")
        }
        guard let parsed = T(text), allowZero ? parsed.raw >= 0 : parsed.raw > 0 else {
            throw ConfigurationError(
                path: keyPath(key),
                message:
                    "expected a \(allowZero ? "non-negative" : "positive") decimal with at most 8 decimals, got \"\(text)\""
            )
        }
        return parsed
    }

    public mutating func object(_ key: String) throws(ConfigurationError) -> StrictObject? {
        guard let value = value(key) else { return nil }
        return try StrictObject(value, path: keyPath(key))
    }

    public mutating func array(_ key: String) throws(ConfigurationError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else {
            throw ConfigurationError(path: keyPath(key), message: "expected an array, got \(value.typeName)")
        }
        return items
    }

    /// Fails on the first key that nothing read: a typo or a setting this version does not know.
    public func finish(knownKeysHint: Bool = true) throws(ConfigurationError) {
        for (key, _) in members where !consumed.contains(key) {
            let known = consumed.sorted().joined(separator: ", ")
            throw ConfigurationError(
                path: keyPath(key), message: "unknown key" + (knownKeysHint ? " (known keys: \(known))" : ""))
        }
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .number(let n): return n
        case .string(let s): return "\"\(s)\""
        default: return value.typeName
        }
    }

    private func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}
