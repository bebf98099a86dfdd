import Crypto
public import ReflexBacktest
public import ReflexCore

/// Everything a `PaperVenue` needs: where to listen, what tape to replay and how fast, the account, the
/// credentials it checks, where to post webhooks, and which faults to inject.
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
    /// Exchange symbol of the tape, upper case.
    public var symbol: String
    /// The recorded trades to replay.
    public var tape: Tape
    /// Replay speed: 1 = real time, 10 = ten times faster; `.infinity` = as fast as clients read.
    public var speed: Double
    /// Replay the tape again after its end, times shifted so they keep increasing.
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
    /// Leverage of the isolated position (changeable over `POST /fapi/v1/leverage`).
    public var leverage: Int
    /// Binance's rules for the symbol; taken from ``VenueSymbolRules/forSymbol(_:)`` unless set.
    public var rules: VenueSymbolRules
    /// Fees, slippage and latency of the matching engine (the backtester's `SimulatedVenue`).
    public var matching: SimulatedVenue.Configuration
    /// Margin ratio at which a `MARGIN_CALL` / `margin.warning` is sent (re-armed when it falls back below).
    public var marginCallThreshold: Double
    /// Recent trades kept for `GET /fapi/v1/aggTrades`.
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
        let symbol = symbol.uppercased()
        let rules = rules ?? VenueSymbolRules.forSymbol(symbol)
        self.symbol = symbol
        self.tape = tape
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
        self.rules = rules
        self.matching = matching ?? SimulatedVenue.Configuration(tickSize: rules.tickSize)
        self.marginCallThreshold = marginCallThreshold
        self.tradeHistoryCapacity = tradeHistoryCapacity
        self.clientBufferCapacity = clientBufferCapacity
        self.listenKeyValidity = listenKeyValidity
        self.faults = faults
    }
}
