import Crypto
public import ReflexBacktest
public import ReflexCore

/// Everything a `PaperVenue` needs: where to listen, which markets to replay and how fast, the account, the
/// credentials it checks, where to post webhooks, and which faults to inject.
///
/// One venue trades one or more ``Market``s on one account, as one Binance account trades many symbols: one REST
/// port, one WebSocket base, one USDT wallet, an isolated position per symbol.
public struct PaperVenueConfiguration: Sendable {
    /// The API key and secret the venue checks requests against.
    public struct Credentials: Sendable {
        /// Expected in `X-MBX-APIKEY`.
        public let apiKey: String
        let secretKey: SymmetricKey

        public init(apiKey: String, secret: String) {
            self.apiKey = apiKey
            self.secretKey = SymmetricKey(data: Array(secret.utf8))
        }
    }

    /// Where and how fills, position updates, margin warnings and liquidations are posted.
    public struct Webhook: Sendable {
        /// Receiver URL (`http://127.0.0.1:8080/webhook`).
        public var url: String
        /// Standard Webhooks secret, `whsec_<base64>`.
        public var secret: String
        /// Attempts per delivery before it is given up (logged).
        public var maxAttempts: Int
        /// Wait before the first retry; doubles per attempt up to `maxBackoff`.
        public var initialBackoff: Duration
        /// Longest wait between retries.
        public var maxBackoff: Duration
        /// Deliveries waiting beyond this are dropped (logged), so a dead receiver cannot grow memory.
        public var queueCapacity: Int
        /// Per-attempt timeout.
        public var timeout: Duration

        public init(
            url: String, secret: String, maxAttempts: Int = 8, initialBackoff: Duration = .milliseconds(500),
            maxBackoff: Duration = .seconds(30), queueCapacity: Int = 10_000, timeout: Duration = .seconds(10)
        ) {
            self.url = url
            self.secret = secret
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.queueCapacity = queueCapacity
            self.timeout = timeout
        }
    }

    /// Deliberate misbehaviour, for testing clients' resilience. All off by default.
    public struct Faults: Sendable {
        /// Close every market-data WebSocket this long after it opened.
        public var dropMarketStreamEvery: Duration?
        /// Answer every n-th REST request with `503`.
        public var serviceUnavailableEvery: Int?
        /// When true the failed request is still carried out (Binance's "execution status unknown" `-1007`);
        /// when false it is not (`-1001` "Service Unavailable.").
        public var serviceUnavailableExecutes: Bool
        /// Delay before every REST answer.
        public var restDelay: Duration?
        /// Post every webhook twice (same `webhook-id`).
        public var duplicateWebhooks: Bool
        /// Swap the order of every two consecutive webhooks.
        public var reorderWebhooks: Bool

        public init(
            dropMarketStreamEvery: Duration? = nil, serviceUnavailableEvery: Int? = nil,
            serviceUnavailableExecutes: Bool = true, restDelay: Duration? = nil, duplicateWebhooks: Bool = false,
            reorderWebhooks: Bool = false
        ) {
            self.dropMarketStreamEvery = dropMarketStreamEvery
            self.serviceUnavailableEvery = serviceUnavailableEvery
            self.serviceUnavailableExecutes = serviceUnavailableExecutes
            self.restDelay = restDelay
            self.duplicateWebhooks = duplicateWebhooks
            self.reorderWebhooks = reorderWebhooks
        }

        public static let none = Faults()
    }

    /// When the replay starts.
    public enum TapeStart: Sendable, Hashable {
        /// As soon as the venue runs.
        case immediately
        /// When the first market-data client connects (tests that must see the tape from its first trade).
        case onFirstSubscriber
    }

    /// Interface to bind; loopback by default.
    public var host: String
    /// TCP port; 0 picks a free one (see ``PaperVenue/boundPort()``).
    public var port: Int
    /// The markets the venue trades, in the order it lists them (`exchangeInfo`, `positionRisk`); never empty,
    /// symbols distinct.
    public var markets: [Market]
    /// The first market's symbol (the only one of a one-market venue).
    public var symbol: String {
        get { markets[0].symbol }
        set { markets[0].symbol = newValue }
    }
    /// The first market's tape.
    public var tape: Tape {
        get { markets[0].tape }
        set { markets[0].tape = newValue }
    }
    /// Replay speed: 1 = real time, 10 = ten times faster; `.infinity` = as fast as clients read.
    public var speed: Double
    /// Replay the tapes again after their end, times shifted so they keep increasing. With several markets a pass
    /// ends when the longest tape ends, and every tape restarts together, shifted by the same amount.
    public var loop: Bool
    /// Tape-time pause inserted between the end of one pass and the start of the next.
    public var loopGap: Timestamp.Duration
    /// When the replay starts (tests wait for the first subscriber).
    public var tapeStart: TapeStart
    /// nil accepts any API key without checking signatures (an open local venue).
    public var credentials: Credentials?
    /// Where account events are posted; nil posts none.
    public var webhook: Webhook?
    /// Starting USDT wallet balance.
    public var initialBalance: Money
    /// Starting leverage of every symbol's isolated position (each changeable over `POST /fapi/v1/leverage`).
    public var leverage: Int
    /// The first market's rules.
    public var rules: VenueSymbolRules {
        get { markets[0].rules }
        set { markets[0].rules = newValue }
    }
    /// The first market's matching-engine settings.
    public var matching: SimulatedVenue.Configuration {
        get { markets[0].matching }
        set { markets[0].matching = newValue }
    }
    /// Margin ratio at which a `MARGIN_CALL` / `margin.warning` is sent (re-armed when it falls back below).
    public var marginCallThreshold: Double
    /// Recent trades kept per symbol for `GET /fapi/v1/aggTrades`.
    public var tradeHistoryCapacity: Int
    /// Messages buffered per WebSocket client before the venue disconnects it as too slow (as Binance does).
    public var clientBufferCapacity: Int
    /// How long a listenKey lives after its creation or last keepalive (Binance: 60 minutes).
    public var listenKeyValidity: Duration
    /// Injected misbehaviour; none by default.
    public var faults: Faults

    /// A venue for `symbol` replaying `tape`; every other setting has a working default.
    public init(
        symbol: String, tape: Tape, host: String = "127.0.0.1", port: Int = 8765, speed: Double = 1,
        loop: Bool = false, loopGap: Timestamp.Duration = .seconds(1), tapeStart: TapeStart = .immediately,
        credentials: Credentials? = nil, webhook: Webhook? = nil, initialBalance: Money = Money(integer: 10_000),
        leverage: Int = 10, rules: VenueSymbolRules? = nil, matching: SimulatedVenue.Configuration? = nil,
        marginCallThreshold: Double = 0.8, tradeHistoryCapacity: Int = 100_000, clientBufferCapacity: Int = 100_000,
        listenKeyValidity: Duration = .seconds(3600), faults: Faults = .none
    ) {
        self.init(
            markets: [Market(symbol: symbol, tape: tape, rules: rules, matching: matching)], host: host, port: port,
            speed: speed, loop: loop, loopGap: loopGap, tapeStart: tapeStart, credentials: credentials,
            webhook: webhook, initialBalance: initialBalance, leverage: leverage,
            marginCallThreshold: marginCallThreshold, tradeHistoryCapacity: tradeHistoryCapacity,
            clientBufferCapacity: clientBufferCapacity, listenKeyValidity: listenKeyValidity, faults: faults)
    }

    /// A venue trading every one of `markets` on one account; every other setting has a working default.
    /// - Precondition: `markets` is not empty and names each symbol once.
    public init(
        markets: [Market], host: String = "127.0.0.1", port: Int = 8765, speed: Double = 1, loop: Bool = false,
        loopGap: Timestamp.Duration = .seconds(1), tapeStart: TapeStart = .immediately,
        credentials: Credentials? = nil, webhook: Webhook? = nil, initialBalance: Money = Money(integer: 10_000),
        leverage: Int = 10, marginCallThreshold: Double = 0.8, tradeHistoryCapacity: Int = 100_000,
        clientBufferCapacity: Int = 100_000, listenKeyValidity: Duration = .seconds(3600), faults: Faults = .none
    ) {
        precondition(!markets.isEmpty, "a paper venue needs at least one market")
        precondition(
            Set(markets.map(\.symbol)).count == markets.count, "a paper venue lists each symbol once")
        self.markets = markets
        self.host = host
        self.port = port
        self.speed = speed
        self.loop = loop
        self.loopGap = loopGap
        self.tapeStart = tapeStart
        self.credentials = credentials
        self.webhook = webhook
        self.initialBalance = initialBalance
        self.leverage = leverage
        self.marginCallThreshold = marginCallThreshold
        self.tradeHistoryCapacity = tradeHistoryCapacity
        self.clientBufferCapacity = clientBufferCapacity
        self.listenKeyValidity = listenKeyValidity
        self.faults = faults
    }

    /// The market trading `symbol` (upper case), if the venue trades it.
    func market(_ symbol: String) -> Market? {
        markets.first { $0.symbol == symbol }
    }
}
