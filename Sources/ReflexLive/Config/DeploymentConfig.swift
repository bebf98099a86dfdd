public import ReflexCore

/// Where the bot trades.
public enum VenueKind: String, Sendable, Hashable, CaseIterable {
    /// The embedded paper venue: a local exchange replaying a recording, no account, no internet.
    case paper
    case binance
    case binanceTestnet = "binance-testnet"
    case bybit
    case bybitTestnet = "bybit-testnet"
    case deribit
    case deribitTestnet = "deribit-testnet"
}

/// A deployment: venue, symbols, strategy, listener, risk, journal. Decoded strictly from `Config/*.json`.
/// Secrets are never in the file: it names environment variables.
public struct DeploymentConfig: Sendable, Hashable {
    public var venue: VenueKind
    /// What the bot trades, one engine each: `markets`, or the one market of `symbols` + `strategy`.
    public var markets: [MarketSettings]
    /// Limits across every market of the account.
    public var portfolio: PortfolioLimits = .init()
    public var paper: PaperSettings
    public var exchange: ExchangeSettings
    public var listener: ListenerSettings
    /// Environment variable holding the control secret (`whsec_…`); nil ⇒ generated in the state folder.
    public var controlSecretEnv: String?
    public var risk: RiskLimits
    /// Folder for the journal, generated secrets and recordings.
    public var stateDirectory: String
    /// Record raw ticks in Reflex's tick format (`record.rticks` in the state folder).
    public var record: Bool
    public var logFormat: LogFormat
    /// Port for `GET /metrics`; nil ⇒ served on the listener.
    public var metricsPort: Int?
    /// Starting equity assumed before the venue reports its own.
    public var initialEquity: Money
    /// Seconds between periodic reconciliations with the venue (position and open orders).
    public var reconcileEverySeconds: Double = 30

    public enum LogFormat: String, Sendable, Hashable { case text, json }

    /// One market: a symbol and the strategy that trades it.
    public struct MarketSettings: Sendable, Hashable {
        public var symbol: String
        /// Strategy file path, relative to the working directory.
        public var strategyPath: String
        /// Prefix of the market's client order ids; nil ⇒ derived (see ``Deployment``).
        public var orderIDPrefix: String?
        public init(symbol: String, strategyPath: String, orderIDPrefix: String? = nil) {
            self.symbol = symbol
            self.strategyPath = strategyPath
            self.orderIDPrefix = orderIDPrefix
        }
    }

    /// Every market's symbol, in config order.
    public var symbols: [String] { markets.map(\.symbol) }
    /// The first market's strategy file (the only one of a one-market config).
    public var strategyPath: String { markets[0].strategyPath }

    /// The embedded paper venue (venue `paper` only).
    public struct PaperSettings: Sendable, Hashable {
        /// The recording replayed for the first market (the only one of a one-market config).
        public var ticks: String { tapes[0] }
        /// One recording per market (each file's symbol detected as in a backtest), in the order given.
        public var tapes: [String]
        public var speed: Double
        public var loop: Bool
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        public var balance: Money
        public var leverage: Int
    }

    /// A real exchange (venue `binance`, `binance-testnet`).
    public struct ExchangeSettings: Sendable, Hashable {
        public var apiKeyEnv: String?
        public var apiSecretEnv: String?
        /// Override of the REST base URL (e.g. a local venue); nil ⇒ the venue's documented one.
        public var restURL: String?
        /// Override of the WebSocket base URL (Binance base, Bybit public linear stream, Deribit JSON-RPC socket).
        public var streamURL: String?
        /// Override of the private stream URL (Bybit).
        public var privateStreamURL: String?
        public var recvWindowMs: Int
    }

    /// The webhook listener.
    public struct ListenerSettings: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var tlsCert: String?
        public var tlsKey: String?
        /// Environment variables holding webhook secrets (`whsec_…`); several for rotation.
        public var secretEnvs: [String]
        public var tradingViewSecretEnv: String?
        public var allow: [String]
        /// Requests per second per source address; 0 = off.
        public var rateLimit: Double
        public var rateBurst: Int
        public var maxBodyBytes: Int
        /// Serve plain HTTP on a non-loopback address (behind a TLS proxy).
        public var allowPlainHTTP: Bool
    }
}
