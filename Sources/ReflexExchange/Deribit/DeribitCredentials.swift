/// A Deribit API client id and secret (`public/auth` grant `client_credentials`). `description` hides the secret.
public struct DeribitCredentials: Sendable, CustomStringConvertible {
    public var clientID: String
    /// Sent only inside the TLS connection's auth request; never logged.
    public var clientSecret: String

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var description: String { "DeribitCredentials(clientID: \(clientID.prefix(6))…, clientSecret: <redacted>)" }
}
