/// Where Binance USDⓈ-M futures lives: the REST base and the WebSocket base, for production, testnet or a custom
/// host such as the local paper venue (`BinanceURLs.local(port: 8765)`).
///
/// WebSocket paths follow the 2026 split (spec A1): trades on `/market`, quotes on `/public`, user data on `/private`.
public struct BinanceURLs: Hashable, Sendable {
    /// REST base without a trailing slash (`https://fapi.binance.com`).
    public var rest: String
    /// WebSocket base without a trailing slash or path (`wss://fstream.binance.com`).
    public var webSocket: String

    /// - Parameters:
    ///   - rest: REST base, e.g. `http://127.0.0.1:8765`.
    ///   - webSocket: WebSocket base, e.g. `ws://127.0.0.1:8765`.
    public init(rest: String, webSocket: String) {
        self.rest = Self.trimmed(rest)
        self.webSocket = Self.trimmed(webSocket)
    }

    /// Binance production.
    public static let production = BinanceURLs(rest: "https://fapi.binance.com", webSocket: "wss://fstream.binance.com")
    /// Binance futures testnet (its post-split WebSocket paths are unverified, spec A1).
    public static let testnet = BinanceURLs(
        rest: "https://testnet.binancefuture.com", webSocket: "wss://fstream.binancefuture.com")

    /// A venue on this machine over plain HTTP and WS (the paper venue).
    public static func local(host: String = "127.0.0.1", port: Int) -> BinanceURLs {
        BinanceURLs(rest: "http://\(host):\(port)", webSocket: "ws://\(host):\(port)")
    }

    /// Raw aggregate-trade stream of one symbol: `<ws>/market/ws/<symbol>@aggTrade`.
    public func aggTradeStream(symbol: String) -> String {
        "\(webSocket)/market/ws/\(symbol.lowercased())@aggTrade"
    }

    /// Several symbols' aggregate trades on one socket, each message in a `{"stream":…,"data":…}` envelope.
    public func combinedAggTradeStream(symbols: [String]) -> String {
        "\(webSocket)/market/stream?streams=" + symbols.map { "\($0.lowercased())@aggTrade" }.joined(separator: "/")
    }

    /// Raw best bid/ask stream of one symbol (on `/public`).
    public func bookTickerStream(symbol: String) -> String {
        "\(webSocket)/public/ws/\(symbol.lowercased())@bookTicker"
    }

    /// Combined market streams: `<ws>/market/stream?streams=a/b`; messages arrive as `{"stream":…,"data":…}`.
    public func combinedMarketStream(streams: [String]) -> String {
        "\(webSocket)/market/stream?streams=\(streams.joined(separator: "/"))"
    }

    /// User-data stream for a listen key: `<ws>/private/ws/<listenKey>`.
    public func userDataStream(listenKey: String) -> String {
        "\(webSocket)/private/ws/\(listenKey)"
    }

    private static func trimmed(_ base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
