import Crypto
import Foundation

/// Signs webhook deliveries per Standard Webhooks v1 (E1): HMAC-SHA256 over `id.timestamp.body` with the
/// base64-decoded `whsec_` secret, sent as `webhook-signature: v1,<base64>`.
struct StandardWebhookSigner: Sendable {
    private let key: SymmetricKey

    /// - Parameter secret: `whsec_<base64>`; text without the prefix that is not base64 is used as raw bytes.
    init(secret: String) {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        let padded = encoded + String(repeating: "=", count: (4 - encoded.count % 4) % 4)
        if let bytes = Data(base64Encoded: padded), !bytes.isEmpty {
            key = SymmetricKey(data: bytes)
        } else {
            key = SymmetricKey(data: Array(secret.utf8))
        }
    }

    /// The `webhook-signature` header value.
    func signature(id: String, timestamp: Int64, body: String) -> String {
        let content = Array("\(id).\(timestamp).\(body)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
