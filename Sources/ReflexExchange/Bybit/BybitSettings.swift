public import ReflexCore

/// The `"bybit"` section of a deployment config (`Config/bybit-testnet.json`), read strictly: an unknown key is an
/// error naming it. Secrets are never in the file, only the names of the environment variables that hold them.
///
/// The deployment-config schema is not final; this reads only the venue's own section so the config decoder can
/// hand it over whatever shape the rest of the file takes.
public struct BybitSettings: Sendable {
    /// REST and stream endpoints.
    public var urls: BybitURLs
    /// API key and secret from the environment; nil when the section names none (market data only).
    public var credentials: BybitCredentials?
    /// REST timings.
    public var rest: BybitRESTConfiguration
    /// Stream timings and the margin-warning threshold.
    public var stream: BybitStreamConfiguration

    /// - Parameters:
    ///   - section: the `"bybit"` object.
    ///   - environment: where `apiKeyEnv` / `apiSecretEnv` are looked up (the process environment in production).
    /// - Throws: `ConfigurationError` naming the key at fault, or a missing environment variable.
    public init(_ section: JSONValue, environment: [String: String], path: String = "bybit")
        throws(ConfigurationError)
    {
        var object = try StrictObject(section, path: path)
        let network = try object.string("network", allowed: ["mainnet", "testnet"]) ?? "testnet"
        var urls = network == "mainnet" ? BybitURLs.mainnet : BybitURLs.testnet
        if let rest = try object.string("rest") { urls.rest = rest }
        if let stream = try object.string("publicStream") { urls.publicLinear = stream }
        if let stream = try object.string("privateStream") { urls.privateStream = stream }
        _ = try object.string("category", allowed: ["linear"])
        var rest = BybitRESTConfiguration()
        if let window = try object.integer("recvWindowMs", in: 1...60_000) { rest.recvWindow = window }
        var stream = BybitStreamConfiguration()
        if let seconds = try object.integer("pingIntervalSeconds", in: 1...60) {
            stream.pingInterval = .seconds(seconds)
        }
        if let rate = try object.double("marginWarningRate", in: 0...1, lowerOpen: true) {
            stream.marginWarningRate = rate
        }
        let keyName = try object.string("apiKeyEnv")
        let secretName = try object.string("apiSecretEnv")
        try object.finish()
        switch (keyName, secretName) {
        case (nil, nil):
            credentials = nil
        case (let keyName?, let secretName?):
            guard let key = environment[keyName], !key.isEmpty else {
                throw ConfigurationError(
                    path: "\(path).apiKeyEnv", message: "environment variable \(keyName) is not set")
            }
            guard let secret = environment[secretName], !secret.isEmpty else {
                throw ConfigurationError(
                    path: "\(path).apiSecretEnv", message: "environment variable \(secretName) is not set")
            }
            credentials = BybitCredentials(apiKey: key, secret: secret)
        default:
            throw ConfigurationError(path: path, message: "apiKeyEnv and apiSecretEnv go together")
        }
        self.urls = urls
        self.rest = rest
        self.stream = stream
    }
}
