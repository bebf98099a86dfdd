public import Crypto
import Foundation
public import ReflexCore

/// A delivery whose Standard Webhooks signature and timestamp checked out.
public struct VerifiedDelivery: Hashable, Sendable {
    /// `webhook-id`: the sender's message id, the same across retries.
    public var id: String
    /// `webhook-timestamp`, in unix seconds.
    public var timestamp: Int64
}

/// Checks Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
///
/// Pure: the time comes in as an argument. The MAC covers `id.timestamp.body` over the raw bytes as received,
/// and every comparison is constant time. A request passes if any `v1` signature matches any secret, so a
/// sender and a receiver can rotate secrets without a flag day.
public struct StandardWebhookVerifier: Sendable {
    /// Accepted secrets, newest first or in any order.
    public var secrets: [WebhookSecret]
    /// How far the timestamp may be from now, in either direction (5 minutes in the reference libraries).
    public var tolerance: Timestamp.Duration

    public init(secrets: [WebhookSecret], tolerance: Timestamp.Duration = .seconds(300)) {
        self.secrets = secrets
        self.tolerance = tolerance
    }

    /// Verifies one delivery.
    /// - Parameters:
    ///   - id: the `webhook-id` header, nil when absent.
    ///   - timestamp: the `webhook-timestamp` header, nil when absent.
    ///   - signature: the `webhook-signature` header, nil when absent.
    ///   - body: the raw body bytes exactly as received.
    ///   - now: the receiver's current time.
    /// - Throws: ``WebhookRejection`` of kind `.unauthenticated`, naming the header at fault.
    public func verify(
        id: String?, timestamp: String?, signature: String?, body: some Collection<UInt8>, now: Timestamp
    ) throws(WebhookRejection) -> VerifiedDelivery {
        guard let id, !id.isEmpty else { throw WebhookRejection(.unauthenticated, field: "webhook-id", "missing") }
        guard id.utf8.count <= 256, id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw WebhookRejection(.unauthenticated, field: "webhook-id", "must be 1-256 printable ASCII characters")
        }
        guard let timestamp else {
            throw WebhookRejection(.unauthenticated, field: "webhook-timestamp", "missing")
        }
        guard let seconds = Self.parseSeconds(timestamp) else {
            throw WebhookRejection(.unauthenticated, field: "webhook-timestamp", "must be integer unix seconds")
        }
        let sent = Timestamp.seconds(seconds)
        if sent < now && (now - sent) > tolerance {
            throw WebhookRejection(.unauthenticated, field: "webhook-timestamp", "too old")
        }
        if now < sent && (sent - now) > tolerance {
            throw WebhookRejection(.unauthenticated, field: "webhook-timestamp", "too far in the future")
        }
        guard let signature, !signature.isEmpty else {
            throw WebhookRejection(.unauthenticated, field: "webhook-signature", "missing")
        }
        let candidates = Self.candidateSignatures(signature)
        guard !candidates.isEmpty else {
            throw WebhookRejection(.unauthenticated, field: "webhook-signature", "no v1 signature")
        }
        var matched = false
        for secret in secrets {
            let expected = Array(Self.mac(id: id, timestamp: timestamp, body: body, key: secret.key))
            // No early exit: every candidate is compared, so timing does not tell which one matched.
            for candidate in candidates where ConstantTime.equals(expected, candidate) { matched = true }
        }
        guard matched else { throw WebhookRejection(.unauthenticated, field: "webhook-signature", "no match") }
        return VerifiedDelivery(id: id, timestamp: seconds)
    }

    /// HMAC-SHA256 over `id.timestamp.body`, fed in pieces so the body is never copied.
    public static func mac(
        id: String, timestamp: String, body: some Collection<UInt8>, key: SymmetricKey
    ) -> HashedAuthenticationCode<SHA256> {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array(id.utf8))
        hmac.update(data: [UInt8(ascii: ".")])
        hmac.update(data: Array(timestamp.utf8))
        hmac.update(data: [UInt8(ascii: ".")])
        let contiguous: Void? = body.withContiguousStorageIfAvailable { hmac.update(data: UnsafeRawBufferPointer($0)) }
        if contiguous == nil { hmac.update(data: Array(body)) }
        return hmac.finalize()
    }

    /// The 32-byte values of every well-formed `v1,<base64>` entry; other schemes and bad entries are skipped.
    static func candidateSignatures(_ header: String) -> [[UInt8]] {
        header.split(separator: " ").compactMap { entry -> [UInt8]? in
            guard entry.hasPrefix("v1,") else { return nil }
            let encoded = entry.dropFirst(3)
            guard !encoded.isEmpty, let bytes = Data(base64Encoded: String(encoded)), bytes.count == 32 else {
                return nil
            }
            return Array(bytes)
        }
    }

    /// Digits only (no sign, no spaces), up to 9 000 000 000 (year 2255) so that nanoseconds cannot overflow.
    static func parseSeconds(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let value = Int64(text), value <= 9_000_000_000
        else { return nil }
        return value
    }
}

/// Signs deliveries the way a Standard Webhooks sender does (used by `reflex webhook send` and by tests).
public struct StandardWebhookSigner: Sendable {
    public var secret: WebhookSecret

    public init(secret: WebhookSecret) { self.secret = secret }

    /// The `webhook-signature` value (`v1,<base64>`) for this id, timestamp and body.
    public func signature(id: String, timestamp: Int64, body: some Collection<UInt8>) -> String {
        let mac = StandardWebhookVerifier.mac(id: id, timestamp: String(timestamp), body: body, key: secret.key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// All three headers, as name/value pairs.
    public func headers(id: String, timestamp: Int64, body: some Collection<UInt8>) -> [(name: String, value: String)] {
        [
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature(id: id, timestamp: timestamp, body: body)),
        ]
    }
}
