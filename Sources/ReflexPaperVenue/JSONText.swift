/// Builds JSON text field by field, in the order Binance documents them.
///
/// The venue writes its payloads by hand rather than through `JSONEncoder` so that decimals keep the exact strings
/// of the tape (`"61800.30"`), key order matches the documented samples, and the hot aggTrade path allocates one
/// string per message.
struct JSONText: Sendable {
    private(set) var text = "{"
    private var isEmpty = true

    init() {}

    /// Escapes `"`, `\` and control characters for use inside a JSON string.
    static func escaped(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private mutating func key(_ name: String) {
        if !isEmpty { text += "," }
        isEmpty = false
        text += "\""
        text += name
        text += "\":"
    }

    /// A string field.
    mutating func string(_ name: String, _ value: String) {
        key(name)
        text += "\""
        text += JSONText.escaped(value)
        text += "\""
    }

    /// A decimal printed as a string, the way Binance sends prices and quantities.
    mutating func decimal(_ name: String, _ value: some CustomStringConvertible) {
        key(name)
        text += "\""
        text += value.description
        text += "\""
    }

    mutating func int(_ name: String, _ value: Int64) {
        key(name)
        text += String(value)
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    mutating func null(_ name: String) {
        key(name)
        text += "null"
    }

    /// A field whose value is already JSON (a nested object or array).
    mutating func raw(_ name: String, _ json: String) {
        key(name)
        text += json
    }

    /// The finished object.
    var object: String { text + "}" }

    /// A JSON array of already-encoded elements.
    static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ",") + "]" }
}
