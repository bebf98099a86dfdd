/// An ordered, percent-encoded query string. Order is kept as added: the signature covers the string as sent, so
/// parameters are never sorted or re-encoded after signing.
public struct BinanceQuery: Sendable, Hashable {
    /// `key=value` pairs in order, already encoded.
    public private(set) var encoded: String = ""

    public init() {}

    /// Builds a query from pairs in order.
    public init(_ pairs: [(String, String)]) {
        for (key, value) in pairs { append(key, value) }
    }

    /// Appends `key=value`, percent-encoding both (RFC 3986 unreserved characters stay as they are).
    public mutating func append(_ key: String, _ value: String) {
        if !encoded.isEmpty { encoded += "&" }
        encoded += Self.percentEncoded(key)
        encoded += "="
        encoded += Self.percentEncoded(value)
    }

    /// Appends `key=value` when `value` is not nil.
    public mutating func append(_ key: String, _ value: String?) {
        if let value { append(key, value) }
    }

    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
