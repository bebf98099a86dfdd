import Crypto

/// Signs Binance requests: lowercase hex HMAC-SHA256 of the exact `totalParams` string (query string followed by
/// the body, no separator), keyed with the API secret (spec A3).
public struct BinanceSigner: Sendable {
    private let key: SymmetricKey

    /// - Parameter secretKey: the API secret, used as UTF-8 bytes.
    public init(secretKey: String) {
        key = SymmetricKey(data: Array(secretKey.utf8))
    }

    /// The signature of `payload` exactly as it will be sent (percent-encoding already applied).
    public func signature(for payload: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key)
        return Self.hex(mac)
    }

    /// The signature of a query string and a body, joined with no separator as Binance does.
    public func signature(query: String, body: String) -> String {
        signature(for: query + body)
    }

    /// `query&signature=<hex>`: the signature goes last, as Binance requires.
    public func signed(query: String) -> String {
        let signature = signature(for: query)
        return query.isEmpty ? "signature=\(signature)" : "\(query)&signature=\(signature)"
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
