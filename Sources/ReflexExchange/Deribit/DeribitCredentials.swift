import Crypto

/// A Deribit API client id and secret, and how `public/auth` proves them. `description` hides the secret.
public struct DeribitCredentials: Sendable, CustomStringConvertible {
    /// How the secret is proven (docs.deribit.com `public/auth`).
    public enum Grant: Hashable, Sendable {
        /// `client_credentials`: the secret itself is sent (inside TLS).
        case clientCredentials
        /// `client_signature`: only an HMAC-SHA256 of `timestamp + "\n" + nonce + "\n" + data` is sent, so the
        /// secret never leaves the machine.
        case clientSignature
    }

    /// The API client id.
    public var clientID: String
    /// Never logged; sent only with the `client_credentials` grant.
    public var clientSecret: String
    /// How `public/auth` proves the secret.
    public var grant: Grant

    public init(clientID: String, clientSecret: String, grant: Grant = .clientCredentials) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.grant = grant
    }

    public var description: String {
        "DeribitCredentials(clientID: \(clientID.prefix(6))…, clientSecret: <redacted>, grant: \(grant))"
    }

    /// The `client_signature` signature: lowercase hex HMAC-SHA256 keyed with the secret over
    /// `timestamp + "\n" + nonce + "\n" + data`.
    public func signature(timestamp: Int64, nonce: String, data: String = "") -> String {
        let key = SymmetricKey(data: Array(clientSecret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp)\n\(nonce)\n\(data)".utf8), using: key)
        return BybitSigner.hex(mac)
    }

    /// The `public/auth` parameters for this grant; `timestamp` (ms) and `nonce` are used by the signature grant.
    func authParams(timestamp: Int64, nonce: String) -> [(String, String)] {
        switch grant {
        case .clientCredentials:
            return [
                ("grant_type", "\"client_credentials\""), ("client_id", WireJSON.quoted(clientID)),
                ("client_secret", WireJSON.quoted(clientSecret)),
            ]
        case .clientSignature:
            return [
                ("grant_type", "\"client_signature\""), ("client_id", WireJSON.quoted(clientID)),
                ("timestamp", String(timestamp)),
                ("signature", WireJSON.quoted(signature(timestamp: timestamp, nonce: nonce))),
                ("nonce", WireJSON.quoted(nonce)), ("data", "\"\""),
            ]
        }
    }
}
