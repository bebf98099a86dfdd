/// A GET query string as Bybit signs it: `key=value` pairs sorted by key, joined with `&` (pybit's rule), values
/// percent-encoded. The encoded string is both sent and signed, so the two can never differ.
struct BybitQuery: Hashable, Sendable {
    private(set) var pairs: [(key: String, value: String)] = []

    init(_ pairs: [(String, String?)] = []) {
        for (key, value) in pairs { if let value { append(key, value) } }
    }

    mutating func append(_ key: String, _ value: String) { pairs.append((key, value)) }

    var encoded: String {
        pairs.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            .map { "\($0.element.key)=\(Self.percentEncoded($0.element.value))" }.joined(separator: "&")
    }

    static func == (lhs: BybitQuery, rhs: BybitQuery) -> Bool { lhs.encoded == rhs.encoded }
    func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    private static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
