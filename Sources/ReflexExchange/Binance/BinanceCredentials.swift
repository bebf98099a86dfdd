/// An API key and secret. `description` never prints the secret (logs and crash reports are not a safe place).
public struct BinanceCredentials: Sendable, CustomStringConvertible {
    /// Sent as `X-MBX-APIKEY`.
    public var apiKey: String
    /// Signs requests; never sent.
    public var secretKey: String

    public init(apiKey: String, secretKey: String) {
        self.apiKey = apiKey
        self.secretKey = secretKey
    }

    public var description: String { "BinanceCredentials(apiKey: \(apiKey.prefix(6))…, secretKey: <redacted>)" }
}
