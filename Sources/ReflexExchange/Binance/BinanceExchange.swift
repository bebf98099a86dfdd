public import Logging
public import ReflexCore
import Synchronization

/// Binance USDⓈ-M futures behind the venue-neutral protocols: `ExchangeClient` here, and the streams it makes.
///
/// ```swift
/// let exchange = BinanceExchange(urls: .local(port: 8765),
///                                credentials: .init(apiKey: key, secretKey: secret), logger: logger)
/// let market = exchange.makeMarketStream(symbol: "BTCUSDT")     // a Service: put it in the ServiceGroup
/// let account = exchange.makeAccountStream()                     // a Service as well
/// let outcome = try await exchange.submit(intent, referencePrice: nil)  // once, as it is (OrderExecution checks)
/// ```
public final class BinanceExchange: ExchangeClient {
    /// `binance-usdm`.
    public let venue = "binance-usdm"
    /// The endpoint-level client, for tools that need an endpoint the protocol does not name.
    public let rest: BinanceRESTClient
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var rules: [String: Instrument] = [:]
    }

    /// - Parameters:
    ///   - urls: production, testnet or `.local(port:)` for the paper venue.
    ///   - credentials: API key and secret.
    ///   - configuration: REST timings (recvWindow, timeouts, rate-limit waits, unknown-outcome lookups).
    ///   - logger: everything the adapter does of note.
    public init(
        urls: BinanceURLs, credentials: BinanceCredentials, configuration: BinanceRESTConfiguration = .init(),
        logger: Logger
    ) {
        self.rest = BinanceRESTClient(
            urls: urls, credentials: credentials, configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// Wraps an existing REST client (shared pool, custom configuration).
    public init(rest: BinanceRESTClient, logger: Logger) {
        self.rest = rest
        self.logger = logger
    }

    /// The aggregate-trade tapes of `symbols` on one socket (the combined stream), gap-filled over this client's REST.
    public func makeMarketStream(
        symbols: [String], configuration: ResilientWebSocketConfiguration = .init()
    ) -> BinanceMarketStream {
        BinanceMarketStream(symbols: symbols, rest: rest, configuration: configuration, logger: logger)
    }

    /// The aggregate-trade tape of `symbol` on its raw stream, gap-filled over this client's REST.
    public func makeMarketStream(
        symbol: String, configuration: ResilientWebSocketConfiguration = .init()
    ) -> BinanceMarketStream {
        BinanceMarketStream(symbol: symbol, rest: rest, configuration: configuration, logger: logger)
    }

    /// The user-data stream of this account.
    public func makeAccountStream(
        configuration: ResilientWebSocketConfiguration = .init(silenceTimeout: nil),
        keepAliveInterval: Duration = .seconds(30 * 60)
    ) -> BinanceAccountStream {
        BinanceAccountStream(
            rest: rest, configuration: configuration, keepAliveInterval: keepAliveInterval, logger: logger)
    }

    // MARK: ExchangeClient

    public func shutdown() { rest.transport.shutdown() }

    public func instrumentRules(symbol: String) async throws -> Instrument {
        if let cached = state.withLock({ $0.rules[symbol] }) { return cached }
        let info = try await rest.exchangeInfo()
        guard let rules = BinanceParse.instrumentRules(info, symbol: symbol) else {
            throw ExchangeError(code: ExchangeError.binanceBadSymbol, message: "\(symbol) is not in exchangeInfo")
        }
        state.withLock { $0.rules[symbol] = rules }
        return rules
    }

    public func submit(_ intent: OrderIntent, referencePrice: Price?) async throws -> OrderPlacement {
        if intent.type.isConditional {
            let record = try await rest.newAlgoOrder(intent)
            return .accepted(
                OrderAccepted(
                    clientOrderID: intent.clientOrderID, venueOrderID: String(record.algoId),
                    time: record.updateTime.map { .milliseconds($0) } ?? intent.time))
        }
        let record = try await rest.newOrder(intent)
        return .accepted(
            OrderAccepted(
                clientOrderID: intent.clientOrderID, venueOrderID: String(record.orderId),
                time: record.updateTime.map { .milliseconds($0) } ?? intent.time))
    }

    /// By client id on the endpoint its type belongs on; the query finds filled orders too, so "no such order" is
    /// an answer.
    public func lookUp(_ intent: OrderIntent) async throws -> OrderLookup {
        do {
            if intent.type.isConditional {
                return .found(
                    venueOrderID: String(try await rest.queryAlgoOrder(clientOrderID: intent.clientOrderID).algoId))
            }
            return .found(
                venueOrderID: String(
                    try await rest.queryOrder(symbol: intent.symbol, clientOrderID: intent.clientOrderID).orderId))
        } catch let error as ExchangeError where error.code == ExchangeError.binanceNoSuchOrder {
            return .absent
        }
    }

    public var outcomeLookups: [Duration] { rest.configuration.unknownOutcomeLookups }

    /// Binance's own codes (negative) are refusals unless they say "try again".
    public func refusal(_ error: ExchangeError, of intent: OrderIntent) -> OrderRejected.Kind? {
        error.code < 0 && !error.isRetryable ? error.rejectionKind(of: intent) : nil
    }

    public func clientOrderIDProblem(_ id: ClientOrderID) -> String? {
        id.isValidForBinance ? nil : "client order id is not valid for Binance"
    }

    public func cancel(symbol: String, clientOrderID: ClientOrderID, conditional: Bool) async throws -> OrderCanceled {
        if conditional {
            let record = try await rest.cancelAlgoOrder(clientOrderID: clientOrderID)
            return OrderCanceled(
                clientOrderID: clientOrderID, reason: record.msg ?? "CANCELED",
                time: .milliseconds(rest.configuration.wallClock()))
        }
        let record = try await rest.cancelOrder(symbol: symbol, clientOrderID: clientOrderID)
        return OrderCanceled(
            clientOrderID: clientOrderID, reason: record.status,
            time: .milliseconds(record.updateTime ?? rest.configuration.wallClock()))
    }

    public func openOrders(symbol: String) async throws -> [OpenOrder] {
        async let plain = rest.openOrders(symbol: symbol)
        async let conditional = rest.openAlgoOrders(symbol: symbol)
        var result: [OpenOrder] = []
        for record in try await plain {
            if let order = BinanceParse.openOrder(record) {
                result.append(order)
            } else {
                // Orders of types Reflex never places (placed by hand?) cannot be modelled; make them visible.
                logger.warning(
                    "open order of an unmodelled type",
                    metadata: ["id": "\(record.clientOrderId)", "type": "\(record.type)"])
            }
        }
        for record in try await conditional {
            if let order = BinanceParse.openOrder(record) {
                result.append(order)
            } else {
                logger.warning(
                    "open algo order of an unmodelled type",
                    metadata: ["id": "\(record.clientAlgoId)", "type": "\(record.orderType)"])
            }
        }
        return result
    }

    public func positions(symbol: String?) async throws -> [PositionUpdate] {
        let now = Timestamp.milliseconds(rest.configuration.wallClock())
        return try await rest.positionRisk(symbol: symbol)
            .filter { !$0.positionAmt.isZero }
            .map { BinanceParse.position($0, now: now) }
    }

    public func addMargin(symbol: String, amount: Money) async throws {
        try await rest.addPositionMargin(symbol: symbol, amount: amount)
    }

    public func account() async throws -> AccountSnapshot {
        let record = try await rest.account()
        return AccountSnapshot(
            asset: "USDT", walletBalance: record.totalWalletBalance, marginBalance: record.totalMarginBalance,
            unrealizedPnL: record.totalUnrealizedProfit, availableBalance: record.availableBalance,
            maintenanceMargin: record.totalMaintMargin, time: .milliseconds(rest.configuration.wallClock()))
    }
}
