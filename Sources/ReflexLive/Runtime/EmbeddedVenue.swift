public import ReflexExchange
public import ServiceLifecycle

/// A venue that runs inside the bot's own process: the paper venue of a `"venue": "paper"` config.
///
/// The executable builds it (it alone links the paper venue), so that this library depends only on the venue's
/// wire protocol, never on its server: the bot talks to it over loopback exactly as to Binance.
public struct EmbeddedVenue: Sendable {
    /// What the bot asks of the venue it is handed.
    public struct Request: Sendable {
        /// The config's `paper` section.
        public var settings: DeploymentConfig.PaperSettings
        /// The markets, in config order, and each one's recording.
        public var symbols: [String]
        public var tapes: [String]
        /// Where the venue posts its signed fill and position webhooks, and the secret it signs them with.
        public var webhookURL: String
        public var webhookSecret: String
    }

    /// Started first in the bot's service group, stopped last.
    public var service: any Service
    /// Where the bot reaches it and the key it signs with.
    public var urls: BinanceURLs
    public var credentials: BinanceCredentials
    /// Returns once the venue listens: the market feed waits for it before the start-up read.
    public var ready: @Sendable () async throws -> Void

    public init(
        service: any Service, urls: BinanceURLs, credentials: BinanceCredentials,
        ready: @escaping @Sendable () async throws -> Void
    ) {
        self.service = service
        self.urls = urls
        self.credentials = credentials
        self.ready = ready
    }
}
