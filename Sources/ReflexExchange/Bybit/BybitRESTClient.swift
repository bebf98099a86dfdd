public import Logging
import NIOHTTP1
public import ReflexCore
import Synchronization

/// Bybit v5 REST for linear perpetuals, one method per endpoint (spec B1, B2). Signs with the `X-BAPI-*` headers,
/// keeps the server-time offset (re-synced on `10002`), honours the `X-Bapi-Limit-*` headers and `10006`, and turns
/// every `retCode != 0` into an `ExchangeError`.
public final class BybitRESTClient: Sendable {
    /// Where requests go.
    public let urls: BybitURLs
    let signer: BybitSigner?
    let configuration: BybitRESTConfiguration
    let transport: any RESTTransport
    let logger: Logger
    let state = Mutex(State())

    struct State {
        var serverTimeOffset: Int64 = 0
        var synced = false
        /// Per path: no request before this instant (limit window exhausted, or IP ban).
        var blockedUntil: [String: ContinuousClock.Instant] = [:]
        var ipBlockedUntil: ContinuousClock.Instant?
        /// Per path: the last `X-Bapi-Limit-Status` (requests left in the window).
        var remaining: [String: Int] = [:]
    }

    /// - Parameters:
    ///   - urls: REST base (mainnet, testnet or a local stand-in).
    ///   - credentials: key and secret; nil allows only public endpoints.
    ///   - configuration: timings and limits.
    ///   - transport: how requests travel (default: a ``KeepAliveConnectionPool`` to `urls.rest`).
    ///   - logger: retries, resyncs and rate limits are logged here.
    public init(
        urls: BybitURLs, credentials: BybitCredentials?, configuration: BybitRESTConfiguration = .init(),
        transport: (any RESTTransport)? = nil, logger: Logger
    ) {
        self.urls = urls
        self.signer = credentials.map(BybitSigner.init(credentials:))
        self.configuration = configuration
        self.transport = transport ?? KeepAliveConnectionPool(baseURL: urls.rest)
        self.logger = logger
    }

    /// Server time minus local time, in ms, as last measured.
    public var serverTimeOffset: Int64 { state.withLock { $0.serverTimeOffset } }

    /// Requests left in the current window of `path`, as the last response said (nil before the first).
    public func rateLimitRemaining(path: String) -> Int? { state.withLock { $0.remaining[path] } }

    // MARK: Market data (public)

    /// `GET /v5/market/time`: measures the server clock offset as of the answer's arrival. The server read its clock
    /// somewhere in the round trip; taking the latest moment errs on the side Bybit tolerates: a timestamp up to
    /// `recvWindow` behind is accepted, one more than 1 s ahead is refused (crediting half the round trip to each
    /// leg put timestamps ahead whenever the request leg was the slow one).
    @discardableResult
    public func synchronizeTime() async throws -> Int64 {
        let envelope = try await send(.GET, "/v5/market/time", query: BybitQuery(), signed: false)
        let received = configuration.wallClock()
        guard let serverTime = envelope.time else {
            throw ExchangeError(code: ExchangeError.malformedResponse, message: "/v5/market/time: no time")
        }
        let offset = serverTime - received
        state.withLock { state in
            state.serverTimeOffset = offset
            state.synced = true
        }
        logger.info("bybit server time synchronised", metadata: ["offsetMs": "\(offset)"])
        return offset
    }

    /// `GET /v5/market/recent-trade`: the latest public trades of `symbol`, oldest first (Bybit keeps ≤1000).
    public func recentTrades(symbol: String, limit: Int = 1000) async throws -> [BybitTrade] {
        let query = BybitQuery([("category", "linear"), ("symbol", symbol), ("limit", String(limit))])
        let envelope = try await send(.GET, "/v5/market/recent-trade", query: query, signed: false)
        return try decode("/v5/market/recent-trade") { () throws(WireFormatError) in
            try BybitParse.recentTrades(envelope.result)
        }
    }

    /// `GET /v5/market/instruments-info` for one linear symbol.
    public func instrumentRules(symbol: String) async throws -> Instrument {
        let query = BybitQuery([("category", "linear"), ("symbol", symbol)])
        let envelope = try await send(.GET, "/v5/market/instruments-info", query: query, signed: false)
        let rules = try decode("/v5/market/instruments-info") { () throws(WireFormatError) in
            try BybitParse.instrumentRules(envelope.result, symbol: symbol)
        }
        guard let rules else {
            throw ExchangeError(
                code: ExchangeError.bybitParameterError, message: "\(symbol) is not a linear instrument")
        }
        return rules
    }

    // MARK: Trading (signed)

    /// `POST /v5/order/create`; returns Bybit's order id. The ack is asynchronous: the order's fate arrives on the
    /// private stream.
    public func createOrder(_ intent: OrderIntent) async throws -> String {
        let envelope = try await send(.POST, "/v5/order/create", body: Self.orderBody(intent))
        return try decode("/v5/order/create") { () throws(WireFormatError) in try BybitParse.orderID(envelope.result) }
    }

    /// `POST /v5/order/cancel` by client id (`orderLinkId`); returns Bybit's order id.
    public func cancelOrder(symbol: String, clientOrderID: ClientOrderID) async throws -> String {
        let body = WireJSON.object([
            ("category", "\"linear\""), ("symbol", WireJSON.quoted(symbol)),
            ("orderLinkId", WireJSON.quoted(clientOrderID.rawValue)),
        ])
        let envelope = try await send(.POST, "/v5/order/cancel", body: body)
        return try decode("/v5/order/cancel") { () throws(WireFormatError) in try BybitParse.orderID(envelope.result) }
    }

    /// `GET /v5/order/realtime`: open orders of `symbol`, plain and conditional.
    public func openOrders(symbol: String) async throws -> [OpenOrder] {
        let query = BybitQuery([("category", "linear"), ("symbol", symbol)])
        let envelope = try await send(.GET, "/v5/order/realtime", query: query, signed: true)
        return try decode("/v5/order/realtime") { () throws(WireFormatError) in
            try BybitParse.openOrders(envelope.result)
        }
    }

    /// `GET /v5/position/list`: positions of `symbol`, or of every USDT-settled symbol.
    public func positions(symbol: String?) async throws -> [BybitPosition] {
        let query = BybitQuery([
            ("category", "linear"), ("symbol", symbol), ("settleCoin", symbol == nil ? "USDT" : nil),
        ])
        let envelope = try await send(.GET, "/v5/position/list", query: query, signed: true)
        let now = Timestamp.milliseconds(configuration.wallClock())
        return try decode("/v5/position/list") { () throws(WireFormatError) in
            try BybitParse.positions(envelope.result, now: now)
        }
    }

    /// `GET /v5/account/wallet-balance` of the unified account.
    public func walletBalance() async throws -> BybitWallet {
        let query = BybitQuery([("accountType", "UNIFIED")])
        let envelope = try await send(.GET, "/v5/account/wallet-balance", query: query, signed: true)
        let now = Timestamp.milliseconds(configuration.wallClock())
        return try decode("/v5/account/wallet-balance") { () throws(WireFormatError) in
            try BybitParse.walletBalance(envelope.result, now: now)
        }
    }

    // MARK: Request bodies (pure)

    /// The exact JSON body of `POST /v5/order/create` for `intent` (spec B2): one-way mode (`positionIdx` 0),
    /// `orderLinkId` = client id; stop and take-profit become conditional market orders with `triggerPrice`, a
    /// `triggerDirection` that follows from the side, and `triggerBy` `LastPrice`.
    public static func orderBody(_ intent: OrderIntent) -> String {
        var members: [(String, String)] = [
            ("category", "\"linear\""), ("symbol", WireJSON.quoted(intent.symbol)),
            ("side", WireJSON.quoted(BybitParse.wire(intent.side))),
        ]
        switch intent.type {
        case .market:
            members.append(("orderType", "\"Market\""))
            members.append(("qty", WireJSON.quoted(intent.quantity.description)))
        case .limit(let price):
            members.append(("orderType", "\"Limit\""))
            members.append(("qty", WireJSON.quoted(intent.quantity.description)))
            members.append(("price", WireJSON.quoted(price.description)))
            members.append(("timeInForce", "\"GTC\""))
        case .stopMarket(let trigger), .takeProfitMarket(let trigger):
            members.append(("orderType", "\"Market\""))
            members.append(("qty", WireJSON.quoted(intent.quantity.description)))
            members.append(("triggerPrice", WireJSON.quoted(trigger.description)))
            members.append(("triggerDirection", String(triggerDirection(intent.type, side: intent.side))))
            members.append(("triggerBy", "\"LastPrice\""))
        }
        members.append(("positionIdx", "0"))
        members.append(("orderLinkId", WireJSON.quoted(intent.clientOrderID.rawValue)))
        members.append(("reduceOnly", intent.reduceOnly ? "true" : "false"))
        return WireJSON.object(members)
    }

    /// 1 = triggers when the price rises to the trigger, 2 = when it falls. A sell stop protects a long and waits
    /// for a fall; a sell take-profit waits for a rise; buys mirror that.
    static func triggerDirection(_ type: OrderType, side: Side) -> Int {
        switch type {
        case .stopMarket: return side == .sell ? 2 : 1
        case .takeProfitMarket: return side == .sell ? 1 : 2
        case .market, .limit: return 0
        }
    }

    /// Runs a pure parser over a response and reports a format error as `malformedResponse`.
    func decode<T>(_ path: String, _ parse: () throws(WireFormatError) -> T) throws(ExchangeError) -> T {
        do {
            return try parse()
        } catch {
            throw ExchangeError(code: ExchangeError.malformedResponse, message: "\(path): \(error.message)")
        }
    }
}
