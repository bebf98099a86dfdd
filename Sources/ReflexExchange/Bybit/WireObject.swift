import ReflexCore

/// Typed, throwing access to one JSON object of a venue message (Bybit and Deribit parsers share it).
///
/// Built on `JSONValue`, which keeps numbers as their source text, so a Deribit price sent as the JSON number
/// `8954.5` becomes `Price("8954.5")` exactly, never a `Double` on the way.
struct WireObject {
    let members: [(key: String, value: JSONValue)]

    init(_ value: JSONValue, context: String = "message") throws(WireFormatError) {
        guard case .object(let members) = value else {
            throw WireFormatError("\(context): expected an object, got \(value.typeName)")
        }
        self.members = members
    }

    /// Parses `text` and requires an object at the top.
    init(text: String) throws(WireFormatError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw WireFormatError("not JSON: \(error)")
        }
        try self.init(value)
    }

    /// The value of `key`; nil when absent or null.
    subscript(key: String) -> JSONValue? {
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    func string(_ key: String) throws(WireFormatError) -> String {
        guard let value = self[key] else { throw WireFormatError("\(key): missing") }
        guard case .string(let text) = value else {
            throw WireFormatError("\(key): expected a string, got \(value.typeName)")
        }
        return text
    }

    /// A string, or nil when absent, null or empty (Bybit sends `""` for "not set").
    func optionalString(_ key: String) throws(WireFormatError) -> String? {
        guard self[key] != nil else { return nil }
        let text = try string(key)
        return text.isEmpty ? nil : text
    }

    /// An integer sent as a JSON number or as a decimal string (Bybit sends `"1746270400353"`).
    func int64(_ key: String) throws(WireFormatError) -> Int64 {
        guard let value = self[key] else { throw WireFormatError("\(key): missing") }
        switch value {
        case .number(let text), .string(let text):
            guard let number = Int64(text) else { throw WireFormatError("\(key): not an integer: \(text)") }
            return number
        default:
            throw WireFormatError("\(key): expected an integer, got \(value.typeName)")
        }
    }

    func optionalInt64(_ key: String) throws(WireFormatError) -> Int64? {
        if case .string(let text)? = self[key], text.isEmpty { return nil }
        return self[key] == nil ? nil : try int64(key)
    }

    func bool(_ key: String) throws(WireFormatError) -> Bool {
        guard case .bool(let flag)? = self[key] else { throw WireFormatError("\(key): expected true or false") }
        return flag
    }

    /// An exact decimal sent as a string (`"16578.50"`) or a JSON number (`8954`, `1.68e-06`).
    func decimal<T: FixedPointValue>(_ key: String, as type: T.Type = T.self) throws(WireFormatError) -> T {
        guard let parsed = try optionalDecimal(key, as: type) else { throw WireFormatError("\(key): missing") }
        return parsed
    }

    /// As `decimal`, but nil when absent, null or `""`.
    func optionalDecimal<T: FixedPointValue>(_ key: String, as type: T.Type = T.self) throws(WireFormatError) -> T? {
        guard let value = self[key] else { return nil }
        let text: String
        switch value {
        case .string(let s): text = s
        case .number(let n): text = n
        default: throw WireFormatError("\(key): expected a decimal, got \(value.typeName)")
        }
        if text.isEmpty { return nil }
        guard let plain = DecimalText.plain(text), let parsed = T(plain) else {
            throw WireFormatError("\(key): not an exact decimal with at most 8 decimals: \(text)")
        }
        return parsed
    }

    func object(_ key: String) throws(WireFormatError) -> WireObject {
        guard let value = self[key] else { throw WireFormatError("\(key): missing") }
        return try WireObject(value, context: key)
    }

    func array(_ key: String) throws(WireFormatError) -> [JSONValue] {
        guard let value = self[key] else { throw WireFormatError("\(key): missing") }
        guard case .array(let items) = value else {
            throw WireFormatError("\(key): expected an array, got \(value.typeName)")
        }
        return items
    }

    /// Every element of array `key` as an object.
    func objects(_ key: String) throws(WireFormatError) -> [WireObject] {
        var result: [WireObject] = []
        for item in try array(key) { result.append(try WireObject(item, context: key)) }
        return result
    }
}
