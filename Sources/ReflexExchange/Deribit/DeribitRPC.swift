/// Builds outgoing JSON-RPC 2.0 requests (spec C): `{"jsonrpc":"2.0","id":…,"method":…,"params":{…}}`.
enum DeribitRPC {
    /// - Parameter params: ordered members whose values are already JSON (`"\"BTC-PERPETUAL\""`, `"10"`, `"true"`).
    static func request(id: Int64, method: String, params: [(String, String)]) -> String {
        WireJSON.object([
            ("jsonrpc", "\"2.0\""), ("id", String(id)), ("method", WireJSON.quoted(method)),
            ("params", WireJSON.object(params)),
        ])
    }

    /// A JSON array of strings.
    static func strings(_ items: [String]) -> String { "[" + items.map(WireJSON.quoted).joined(separator: ",") + "]" }
}
