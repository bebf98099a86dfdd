public import Crypto
import Foundation

/// A Standard Webhooks signing secret (`whsec_<base64>`), held as its HMAC key. Prints redacted.
public struct WebhookSecret: Sendable, CustomStringConvertible {
    /// Why a secret string was refused (the message never contains the secret).
    public struct FormatError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The HMAC-SHA256 key: the base64-decoded part after `whsec_`.
    public let key: SymmetricKey

    /// Parses `whsec_<base64>`; unpadded base64 is accepted, as the reference libraries do.
    /// - Throws: ``FormatError`` when the prefix is missing, the base64 is bad, or the key is shorter than 16 bytes.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("whsec_") else {
            throw FormatError(description: "webhook secret must start with whsec_")
        }
        var encoded = String(trimmed.dropFirst("whsec_".count))
        while encoded.count % 4 != 0 { encoded += "=" }
        guard let bytes = Data(base64Encoded: encoded) else {
            throw FormatError(description: "webhook secret is not base64 after whsec_")
        }
        // The spec asks for 24–64 random bytes; below 16 an HMAC key is too weak to accept at all.
        guard bytes.count >= 16 else {
            throw FormatError(description: "webhook secret is \(bytes.count) bytes; at least 16 are required")
        }
        self.key = SymmetricKey(data: bytes)
    }

    /// Wraps raw key bytes (for tests and for generating new secrets).
    public init(key: SymmetricKey) { self.key = key }

    /// A new random 32-byte secret.
    public static func generate() -> WebhookSecret { WebhookSecret(key: SymmetricKey(size: .bits256)) }

    /// The secret in its `whsec_` form, for handing to a sender once.
    public var encoded: String { "whsec_" + key.withUnsafeBytes { Data($0).base64EncodedString() } }

    public var description: String { "whsec_[redacted]" }

    /// Parses every secret in a space-separated list (one env var may hold old and new during rotation).
    public static func list(_ text: String) throws -> [WebhookSecret] {
        try text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," }).map { try WebhookSecret(String($0)) }
    }
}

/// The shared secret a TradingView-style alert carries in its body. Compared through SHA-256 digests in
/// constant time, so neither the content nor the length of the configured secret leaks through timing.
public struct SharedSecret: Sendable, CustomStringConvertible {
    private let digest: [UInt8]
    private let plain: [UInt8]

    /// Nil for an empty secret, which would accept anything that sends `""`.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        plain = Array(text.utf8)
        digest = Array(SHA256.hash(data: plain))
    }

    /// True when `candidate` is the secret.
    public func matches(_ candidate: String) -> Bool {
        ConstantTime.equals(digest, Array(SHA256.hash(data: Array(candidate.utf8))))
    }

    /// `body` with every occurrence of the secret replaced by `[redacted]`, so a dead-lettered alert
    /// keeps everything but the secret.
    public func redacting(_ body: [UInt8]) -> [UInt8] {
        let mask = Array("[redacted]".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            if index + plain.count <= body.count && body[index..<(index + plain.count)].elementsEqual(plain) {
                output.append(contentsOf: mask)
                index += plain.count
            } else {
                output.append(body[index])
                index += 1
            }
        }
        return output
    }

    public var description: String { "[redacted]" }
}
