/// Where Bybit v5 lives: the REST base and the public (linear) and private WebSocket URLs (spec B1, B3), for
/// mainnet, testnet or a host on this machine (the test stand-in).
public struct BybitURLs: Hashable, Sendable {
    /// REST base without a trailing slash (`https://api.bybit.com`).
    public var rest: String
    /// Public linear-perpetual stream (`wss://stream.bybit.com/v5/public/linear`).
    public var publicLinear: String
    /// Private stream (`wss://stream.bybit.com/v5/private`).
    public var privateStream: String

    /// - Parameters:
    ///   - rest: REST base, e.g. `http://127.0.0.1:8765`.
    ///   - publicLinear: full public linear stream URL.
    ///   - privateStream: full private stream URL.
    public init(rest: String, publicLinear: String, privateStream: String) {
        var rest = rest
        while rest.hasSuffix("/") { rest.removeLast() }
        self.rest = rest
        self.publicLinear = publicLinear
        self.privateStream = privateStream
    }

    /// Bybit mainnet.
    public static let mainnet = BybitURLs(
        rest: "https://api.bybit.com", publicLinear: "wss://stream.bybit.com/v5/public/linear",
        privateStream: "wss://stream.bybit.com/v5/private")

    /// Bybit testnet.
    public static let testnet = BybitURLs(
        rest: "https://api-testnet.bybit.com", publicLinear: "wss://stream-testnet.bybit.com/v5/public/linear",
        privateStream: "wss://stream-testnet.bybit.com/v5/private")

    /// A Bybit-speaking server on this machine over plain HTTP and WS (same paths as the real venue).
    public static func local(host: String = "127.0.0.1", port: Int) -> BybitURLs {
        BybitURLs(
            rest: "http://\(host):\(port)", publicLinear: "ws://\(host):\(port)/v5/public/linear",
            privateStream: "ws://\(host):\(port)/v5/private")
    }
}
