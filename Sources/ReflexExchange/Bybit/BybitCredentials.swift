/// A Bybit API key and secret. `description` never prints the secret.
public struct BybitCredentials: Sendable, CustomStringConvertible {
    /// Sent as `X-BAPI-API-KEY` and in the private-stream `auth` message.
    public var apiKey: String
    /// Signs requests; never sent.
    public var secret: String

    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    public var description: String { "BybitCredentials(apiKey: \(apiKey.prefix(6))…, secret: <redacted>)" }
}
