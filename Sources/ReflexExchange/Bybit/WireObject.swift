import ReflexCore

/// Why a venue message could not be read: the field and what was wrong with it.
public struct WireFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Human-readable reason, naming the field.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

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

/// Rewrites JSON number text with an exponent (`1.68e-06`) as a plain decimal (`0.00000168`), by moving the
/// decimal point in the text: exact, no floating point.
enum DecimalText {
    /// The plain form of `text`, or nil when it is not a number; text without an exponent comes back unchanged.
    static func plain(_ text: String) -> String? {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        guard let exponent = Int(text[text.index(after: e)...]), abs(exponent) < 40 else { return nil }
        var mantissa = Substring(text[..<e])
        var sign = ""
        if mantissa.first == "-" || mantissa.first == "+" {
            if mantissa.first == "-" { sign = "-" }
            mantissa = mantissa.dropFirst()
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integerPart = parts.first else { return nil }
        let fractionPart = parts.count == 2 ? parts[1] : ""
        var digits = Array(integerPart + fractionPart)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        var point = integerPart.count + exponent
        if point <= 0 {
            digits.insert(contentsOf: Array(repeating: "0", count: 1 - point), at: 0)
            point = 1
        }
        if point > digits.count {
            digits.append(contentsOf: Array(repeating: "0", count: point - digits.count))
        }
        let whole = String(digits[..<point])
        let fraction = String(digits[point...])
        return sign + (fraction.isEmpty ? whole : whole + "." + fraction)
    }
}

/// Builds JSON text for outgoing venue messages.
enum JSONText {
    /// `text` as a JSON string literal, quoted and escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A JSON object from ordered, already encoded values (`"\"Buy\""`, `"true"`, `"0"`), in the order given.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
