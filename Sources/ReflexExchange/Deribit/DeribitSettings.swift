public import ReflexCore

/// The `"deribit"` section of a deployment config (`Config/deribit-testnet.json`), read strictly. Secrets are never
/// in the file, only the names of the environment variables that hold them.
///
/// The deployment-config schema is not final; this reads only the venue's own section.
public struct DeribitSettings: Sendable {
    public var urls: DeribitURLs
    public var credentials: DeribitCredentials
    public var currencies: [String]
    public var session: DeribitSessionConfiguration

    /// - Parameters:
    ///   - section: the `"deribit"` object.
    ///   - environment: where `clientIdEnv` / `clientSecretEnv` are looked up.
    /// - Throws: `ConfigurationError` naming the key at fault, or a missing environment variable.
    public init(_ section: JSONValue, environment: [String: String], path: String = "deribit")
        throws(ConfigurationError)
    {
        var object = try StrictObject(section, path: path)
        let network = try object.string("network", allowed: ["mainnet", "testnet"]) ?? "testnet"
        var urls = network == "mainnet" ? DeribitURLs.mainnet : DeribitURLs.testnet
        if let webSocket = try object.string("webSocket") { urls.webSocket = webSocket }
        var session = DeribitSessionConfiguration()
        if let seconds = try object.integer("heartbeatSeconds", in: 10...3600) {
            session.heartbeatSeconds = seconds
            session.socket.silenceTimeout = .seconds(3 * seconds)
        }
        var currencies = ["BTC"]
        if let items = try object.array("currencies") {
            currencies = []
            for (index, item) in items.enumerated() {
                guard case .string(let currency) = item, !currency.isEmpty else {
                    throw ConfigurationError(path: "\(path).currencies[\(index)]", message: "expected a currency code")
                }
                currencies.append(currency)
            }
        }
        let grant = try object.string("grant", allowed: ["client_credentials", "client_signature"])
        let idName = try object.required("clientIdEnv") { (object, key) throws(ConfigurationError) in
            try object.string(key)
        }
        let secretName = try object.required("clientSecretEnv") { (object, key) throws(ConfigurationError) in
            try object.string(key)
        }
        try object.finish()
        guard let id = environment[idName], !id.isEmpty else {
            throw ConfigurationError(path: "\(path).clientIdEnv", message: "environment variable \(idName) is not set")
        }
        guard let secret = environment[secretName], !secret.isEmpty else {
            throw ConfigurationError(
                path: "\(path).clientSecretEnv", message: "environment variable \(secretName) is not set")
        }
        self.urls = urls
        self.credentials = DeribitCredentials(
            clientID: id, clientSecret: secret,
            grant: grant == "client_signature" ? .clientSignature : .clientCredentials)
        self.currencies = currencies
        self.session = session
    }
}
