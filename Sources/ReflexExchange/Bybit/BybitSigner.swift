import Crypto

/// Signs Bybit v5 requests (spec B1, B3): lowercase hex HMAC-SHA256 keyed with the API secret.
///
/// REST signs `timestamp + apiKey + recvWindow + payload`, where the payload is the query string of a GET or the
/// exact JSON body of a POST; the private stream's `auth` signs `"GET/realtime" + expires`.
public struct BybitSigner: Sendable {
    /// The API key that goes into the signed string and the headers.
    public let apiKey: String
    private let key: SymmetricKey

    public init(credentials: BybitCredentials) {
        apiKey = credentials.apiKey
        key = SymmetricKey(data: Array(credentials.secret.utf8))
    }

    /// The string REST signs: `timestamp + apiKey + recvWindow + payload`, nothing between.
    public func restPayload(timestamp: Int64, recvWindow: Int, payload: String) -> String {
        "\(timestamp)\(apiKey)\(recvWindow)\(payload)"
    }

    /// `X-BAPI-SIGN` for a request whose query string (GET) or body (POST) is `payload`.
    public func restSignature(timestamp: Int64, recvWindow: Int, payload: String) -> String {
        hexHMAC(restPayload(timestamp: timestamp, recvWindow: recvWindow, payload: payload))
    }

    /// The private-stream auth signature for `expires` (milliseconds, in the future).
    public func streamSignature(expires: Int64) -> String {
        hexHMAC("GET/realtime\(expires)")
    }

    /// The private-stream `auth` message.
    public func authMessage(expires: Int64, requestID: String = "auth") -> String {
        WireJSON.object([
            ("req_id", WireJSON.quoted(requestID)), ("op", "\"auth\""),
            ("args", "[\(WireJSON.quoted(apiKey)),\(expires),\(WireJSON.quoted(streamSignature(expires: expires)))]"),
        ])
    }

    func hexHMAC(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)
        return Self.hex(mac)
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
