import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import ReflexCore
import Synchronization

/// Binance USDⓈ-M REST, one method per endpoint (spec A2–A7). Signs with HMAC-SHA256, keeps the server-time
/// offset (re-synced on `-1021`), waits out `Retry-After` on 429/418, and turns error JSON into `ExchangeError`.
///
/// Requests go through a ``RESTTransport``, by default a ``KeepAliveConnectionPool``: sockets to the venue stay open
/// between requests (no TCP or TLS handshake on the order path), and an order is written to its socket before the
/// task that decided it first suspends.
public final class BinanceRESTClient: Sendable {
    /// Where requests go.
    public let urls: BinanceURLs
    let credentials: BinanceCredentials?
    let signer: BinanceSigner?
    let configuration: BinanceRESTConfiguration
    let transport: any RESTTransport
    let logger: Logger
    let state = Mutex(State())

    struct State {
        var serverTimeOffset: Int64 = 0
        var synced = false
        var blockedUntil: ContinuousClock.Instant?
    }

    /// How a request is authenticated (spec A2 security types).
    enum Security {
        /// Public market data.
        case none
        /// `X-MBX-APIKEY` only (listen keys).
        case apiKey
        /// Key plus `timestamp`, `recvWindow` and `signature`.
        case signed
    }

    /// - Parameters:
    ///   - urls: REST base (production, testnet or the paper venue).
    ///   - credentials: key and secret; nil allows only public endpoints.
    ///   - configuration: timings and limits.
    ///   - transport: how requests travel (default: a ``KeepAliveConnectionPool`` to `urls.rest`).
    ///   - logger: retries, resyncs and rate limits are logged here.
    public init(
        urls: BinanceURLs, credentials: BinanceCredentials?, configuration: BinanceRESTConfiguration = .init(),
        transport: (any RESTTransport)? = nil, logger: Logger
    ) {
        self.urls = urls
        self.credentials = credentials
        self.signer = credentials.map { BinanceSigner(secretKey: $0.secretKey) }
        self.configuration = configuration
        self.transport = transport ?? KeepAliveConnectionPool(baseURL: urls.rest)
        self.logger = logger
    }

    /// Server time minus local time, in ms, as last measured.
    public var serverTimeOffset: Int64 { state.withLock { $0.serverTimeOffset } }

    // MARK: Time

    /// `GET /fapi/v1/time`: measures the server clock offset as of the answer's arrival. The server read its clock
    /// somewhere in the round trip; taking the latest moment errs on the side Binance tolerates: a timestamp up to
    /// `recvWindow` behind is accepted, one more than 1 s ahead is refused (crediting half the round trip to each
    /// leg put timestamps ahead whenever the request leg was the slow one).
    @discardableResult
    public func synchronizeTime() async throws -> Int64 {
        let time = try await send(.GET, "/fapi/v1/time", BinanceQuery(), .none, as: BinanceServerTime.self)
        let received = configuration.wallClock()
        let offset = time.serverTime - received
        state.withLock { state in
            state.serverTimeOffset = offset
            state.synced = true
        }
        logger.info("binance server time synchronised", metadata: ["offsetMs": "\(offset)"])
        return offset
    }

    // MARK: Market data

    /// `GET /fapi/v1/exchangeInfo`.
    func exchangeInfo() async throws -> BinanceExchangeInfo {
        try await send(.GET, "/fapi/v1/exchangeInfo", BinanceQuery(), .none, as: BinanceExchangeInfo.self)
    }

    /// `GET /fapi/v1/aggTrades?symbol=&fromId=&limit=`: past aggregate trades from `fromID` on, oldest first.
    public func aggregateTrades(symbol: String, fromID: Int64, limit: Int = 1000) async throws -> [Tick] {
        let query = BinanceQuery([("symbol", symbol), ("fromId", String(fromID)), ("limit", String(limit))])
        let records = try await send(.GET, "/fapi/v1/aggTrades", query, .none, as: [BinanceAggTradeRecord].self)
        return records.map(\.tick)
    }

    // MARK: Orders

    /// `POST /fapi/v1/order` for MARKET and LIMIT (conditional types go to `newAlgoOrder`, else -4120).
    func newOrder(_ intent: OrderIntent) async throws -> BinanceOrderRecord {
        var query = BinanceQuery()
        query.append("symbol", intent.symbol)
        query.append("side", intent.side.rawValue)
        query.append("type", intent.type.name)
        if case .limit(let price) = intent.type {
            query.append("timeInForce", "GTC")
            query.append("price", price.description)
        }
        query.append("quantity", intent.quantity.description)
        if intent.reduceOnly { query.append("reduceOnly", "true") }
        query.append("newClientOrderId", intent.clientOrderID.rawValue)
        query.append("newOrderRespType", "RESULT")
        return try await send(.POST, "/fapi/v1/order", query, .signed, as: BinanceOrderRecord.self)
    }

    /// `POST /fapi/v1/algoOrder` with `algoType=CONDITIONAL` for STOP_MARKET / TAKE_PROFIT_MARKET (spec A5).
    func newAlgoOrder(_ intent: OrderIntent) async throws -> BinanceAlgoOrderRecord {
        let trigger: Price
        switch intent.type {
        case .stopMarket(let price), .takeProfitMarket(let price): trigger = price
        case .market, .limit:
            throw ExchangeError(code: ExchangeError.binanceUseAlgoEndpoint, message: "not a conditional order type")
        }
        var query = BinanceQuery()
        query.append("algoType", "CONDITIONAL")
        query.append("symbol", intent.symbol)
        query.append("side", intent.side.rawValue)
        query.append("type", intent.type.name)
        query.append("quantity", intent.quantity.description)
        query.append("triggerPrice", trigger.description)
        query.append("workingType", "CONTRACT_PRICE")
        if intent.reduceOnly { query.append("reduceOnly", "true") }
        query.append("clientAlgoId", intent.clientOrderID.rawValue)
        return try await send(.POST, "/fapi/v1/algoOrder", query, .signed, as: BinanceAlgoOrderRecord.self)
    }

    /// `GET /fapi/v1/order?origClientOrderId=`.
    func queryOrder(symbol: String, clientOrderID: ClientOrderID) async throws -> BinanceOrderRecord {
        let query = BinanceQuery([("symbol", symbol), ("origClientOrderId", clientOrderID.rawValue)])
        return try await send(.GET, "/fapi/v1/order", query, .signed, as: BinanceOrderRecord.self)
    }

    /// `GET /fapi/v1/algoOrder?clientAlgoId=` (path as listed in spec A5, unverified against Binance).
    func queryAlgoOrder(clientOrderID: ClientOrderID) async throws -> BinanceAlgoOrderRecord {
        let query = BinanceQuery([("clientAlgoId", clientOrderID.rawValue)])
        return try await send(.GET, "/fapi/v1/algoOrder", query, .signed, as: BinanceAlgoOrderRecord.self)
    }

    /// `DELETE /fapi/v1/order?origClientOrderId=`.
    func cancelOrder(symbol: String, clientOrderID: ClientOrderID) async throws -> BinanceOrderRecord {
        let query = BinanceQuery([("symbol", symbol), ("origClientOrderId", clientOrderID.rawValue)])
        return try await send(.DELETE, "/fapi/v1/order", query, .signed, as: BinanceOrderRecord.self)
    }

    /// `DELETE /fapi/v1/algoOrder?clientAlgoId=`.
    func cancelAlgoOrder(clientOrderID: ClientOrderID) async throws -> BinanceAlgoCancelRecord {
        let query = BinanceQuery([("clientAlgoId", clientOrderID.rawValue)])
        return try await send(.DELETE, "/fapi/v1/algoOrder", query, .signed, as: BinanceAlgoCancelRecord.self)
    }

    /// `GET /fapi/v1/openOrders?symbol=`.
    func openOrders(symbol: String) async throws -> [BinanceOrderRecord] {
        try await send(
            .GET, "/fapi/v1/openOrders", BinanceQuery([("symbol", symbol)]), .signed, as: [BinanceOrderRecord].self)
    }

    /// `GET /fapi/v1/openAlgoOrders?symbol=` (path unverified, spec A5).
    func openAlgoOrders(symbol: String) async throws -> [BinanceAlgoOrderRecord] {
        try await send(
            .GET, "/fapi/v1/openAlgoOrders", BinanceQuery([("symbol", symbol)]), .signed,
            as: [BinanceAlgoOrderRecord].self)
    }

    // MARK: Account

    /// `GET /fapi/v3/positionRisk`.
    func positionRisk(symbol: String?) async throws -> [BinancePositionRecord] {
        var query = BinanceQuery()
        query.append("symbol", symbol)
        return try await send(.GET, "/fapi/v3/positionRisk", query, .signed, as: [BinancePositionRecord].self)
    }

    /// `POST /fapi/v1/positionMargin` with `type=1`: adds isolated margin to the open position.
    func addPositionMargin(symbol: String, amount: Money) async throws {
        let query = BinanceQuery([("symbol", symbol), ("amount", amount.description), ("type", "1")])
        _ = try await sendRaw(.POST, "/fapi/v1/positionMargin", query, .signed)
    }

    /// `GET /fapi/v3/account`.
    func account() async throws -> BinanceAccountRecord {
        try await send(.GET, "/fapi/v3/account", BinanceQuery(), .signed, as: BinanceAccountRecord.self)
    }

    // MARK: User data stream

    /// `POST /fapi/v1/listenKey`: a new key, or the active one extended by 60 minutes.
    public func createListenKey() async throws -> String {
        try await send(.POST, "/fapi/v1/listenKey", BinanceQuery(), .apiKey, as: BinanceListenKey.self).listenKey
    }

    /// `PUT /fapi/v1/listenKey`: extends the key by 60 minutes; `-1125` means it is gone.
    public func keepAliveListenKey() async throws {
        _ = try await sendRaw(.PUT, "/fapi/v1/listenKey", BinanceQuery(), .apiKey)
    }

    /// `DELETE /fapi/v1/listenKey`.
    public func closeListenKey() async throws {
        _ = try await sendRaw(.DELETE, "/fapi/v1/listenKey", BinanceQuery(), .apiKey)
    }
}
