import Logging
import ReflexExchange
import ServiceLifecycle

/// One venue's faces, built from a deployment config: the REST client, the market streams of the markets (in
/// market order) and the one account stream. Adding a venue is a case here and a folder in ReflexExchange;
/// nothing else changes.
struct VenueAdapter {
    let client: any ExchangeClient
    /// One stream per market, in market order (venues without one connection for several markets).
    var markets: [any MarketStream] = []
    /// One connection for every market (Binance's combined stream, Bybit's topics on one socket).
    var combined: (any MultiMarketStream)?
    let account: any AccountStream

    /// The services that feed the markets' trades into `runtime`.
    func tickFeeds(runtime: TradingRuntime) -> [any Service] {
        if let combined { return [MarketsTickFeed(stream: combined, runtime: runtime)] }
        return markets.enumerated().map { TickFeed(stream: $0.element, runtime: runtime, market: $0.offset) }
    }

    static func binance(
        urls: BinanceURLs, credentials: BinanceCredentials, config: DeploymentConfig, logger: Logger
    ) -> VenueAdapter {
        let exchange = BinanceExchange(
            urls: urls, credentials: credentials,
            configuration: BinanceRESTConfiguration(recvWindow: Int64(config.exchange.recvWindowMs)), logger: logger)
        // Several markets share one combined-stream socket; one market keeps its raw stream.
        if config.symbols.count > 1 {
            return VenueAdapter(
                client: exchange, combined: exchange.makeMarketStream(symbols: config.symbols),
                account: exchange.makeAccountStream())
        }
        return VenueAdapter(
            client: exchange, markets: [exchange.makeMarketStream(symbol: config.symbols[0])],
            account: exchange.makeAccountStream())
    }

    /// A real venue (or a stand-in at the URLs the config overrides).
    static func make(config: DeploymentConfig, secrets: SecretStore, logger: Logger) throws
        -> VenueAdapter
    {
        let exchange = config.exchange
        let key = try secrets.require(exchange.apiKeyEnv!, for: "exchange API key")
        let secret = try secrets.require(exchange.apiSecretEnv!, for: "exchange API secret")
        switch config.venue {
        case .paper, .binance, .binanceTestnet:
            var urls: BinanceURLs = config.venue == .binance ? .production : .testnet
            if let rest = exchange.restURL { urls.rest = rest }
            if let stream = exchange.streamURL { urls.webSocket = stream }
            return binance(
                urls: urls, credentials: BinanceCredentials(apiKey: key, secretKey: secret), config: config,
                logger: logger)
        case .bybit, .bybitTestnet:
            var urls: BybitURLs = config.venue == .bybit ? .mainnet : .testnet
            if let rest = exchange.restURL { urls.rest = rest }
            if let stream = exchange.streamURL { urls.publicLinear = stream }
            if let stream = exchange.privateStreamURL { urls.privateStream = stream }
            let bybit = BybitExchange(
                urls: urls, credentials: BybitCredentials(apiKey: key, secret: secret),
                configuration: BybitRESTConfiguration(recvWindow: exchange.recvWindowMs), logger: logger)
            // Several markets share one socket with a topic each; one market keeps its own stream.
            if config.symbols.count > 1 {
                return VenueAdapter(
                    client: bybit, combined: bybit.makeMarketStream(symbols: config.symbols),
                    account: try bybit.makeAccountStream())
            }
            return VenueAdapter(
                client: bybit, markets: [bybit.makeMarketStream(symbol: config.symbols[0])],
                account: try bybit.makeAccountStream())
        case .deribit, .deribitTestnet:
            var urls: DeribitURLs = config.venue == .deribit ? .mainnet : .testnet
            if let stream = exchange.streamURL { urls.webSocket = stream }
            let deribit = DeribitExchange(
                urls: urls, credentials: DeribitCredentials(clientID: key, clientSecret: secret), logger: logger)
            // Both streams share one session: make them before either runs.
            let markets = config.symbols.map { deribit.makeMarketStream(instrument: $0) }
            let account = deribit.makeAccountStream(instruments: config.symbols)
            return VenueAdapter(client: deribit, markets: markets, account: account)
        }
    }
}
