import ReflexCore

/// The parameters of one Binance REST request: query string and `application/x-www-form-urlencoded` body, decoded,
/// with the query winning on duplicates (A2), plus the exact text the signature covers (A3).
struct RequestParameters: Sendable {
    private var values: [String: String] = [:]
    /// `totalParams` without the `signature` parameter: query string concatenated with body, as sent.
    let signedPayload: String
    /// The `signature` parameter, if any.
    let signature: String?

    init(query: String?, body: String) {
        var signature: String?
        func unsigned(_ raw: String) -> String {
            // Keep the client's bytes exactly: the signature covers the text as sent, not a re-encoding.
            raw.split(separator: "&", omittingEmptySubsequences: false)
                .filter { part in
                    guard part.hasPrefix("signature=") else { return true }
                    signature = String(part.dropFirst("signature=".count))
                    return false
                }
                .joined(separator: "&")
        }
        let query = query ?? ""
        signedPayload = unsigned(query) + unsigned(body)
        self.signature = signature
        for source in [body, query] {
            for part in source.split(separator: "&") where !part.isEmpty {
                let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = RequestParameters.percentDecoded(pair[0]) else { continue }
                values[name] = pair.count > 1 ? RequestParameters.percentDecoded(pair[1]) ?? "" : ""
            }
        }
    }

    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// The parameter, or Binance's `-1102` naming it.
    func required(_ name: String) throws(BinanceAPIError) -> String {
        guard let value = self[name] else { throw BinanceAPIError(parameter: name) }
        return value
    }

    func int64(_ name: String) throws(BinanceAPIError) -> Int64? {
        guard let text = self[name] else { return nil }
        guard let value = Int64(text) else { throw BinanceAPIError(parameter: name) }
        return value
    }

    /// A decimal parameter parsed exactly; text that is not a plain decimal is `-1102`.
    func decimal<Value: FixedPointValue>(_ name: String, as type: Value.Type) throws(BinanceAPIError) -> Value? {
        guard let text = self[name] else { return nil }
        guard let value = Value(text) else {
            // More than eight decimals cannot be exact; Binance calls that a precision error.
            if text.allSatisfy({ $0.isNumber || $0 == "." }) { throw .badPrecision }
            throw BinanceAPIError(parameter: name)
        }
        return value
    }

    /// `"true"` / `"false"` (any case), absent = nil.
    func bool(_ name: String) throws(BinanceAPIError) -> Bool? {
        guard let text = self[name] else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw BinanceAPIError(code: -1102, parameter: name)
        }
    }

    /// Decodes `%XX` escapes and `+` (form encoding); nil on a broken escape or invalid UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
