/// Where Deribit's JSON-RPC WebSocket lives (spec C): everything, public and private, goes over this one socket.
public struct DeribitURLs: Hashable, Sendable {
    /// The WebSocket URL (`wss://www.deribit.com/ws/api/v2`).
    public var webSocket: String

    public init(webSocket: String) { self.webSocket = webSocket }

    /// Deribit production.
    public static let mainnet = DeribitURLs(webSocket: "wss://www.deribit.com/ws/api/v2")
    /// Deribit testnet.
    public static let testnet = DeribitURLs(webSocket: "wss://test.deribit.com/ws/api/v2")

    /// A Deribit-speaking server on this machine over plain WS (same path as the real venue).
    public static func local(host: String = "127.0.0.1", port: Int) -> DeribitURLs {
        DeribitURLs(webSocket: "ws://\(host):\(port)/ws/api/v2")
    }
}
