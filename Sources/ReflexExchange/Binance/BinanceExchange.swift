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
/// let outcome = try await exchange.place(intent)                 // .accepted / .rejected
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
        var lastPrices: [String: Price] = [:]
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

    /// The aggregate-trade tape of `symbol`, gap-filled over this client's REST. Its trades also keep the reference
    /// price used to check a market order's minimum notional.
    /// One socket for every symbol (the combined stream); reference prices kept per symbol.
    public func makeMarketStream(
        symbols: [String], configuration: ResilientWebSocketConfiguration = .init()
    ) -> BinanceMarketStream {
        let keys = symbols.map { $0.uppercased() }
        return BinanceMarketStream(
            symbols: symbols, rest: rest, configuration: configuration,
            onTick: { [weak self] index, tick in self?.state.withLock { $0.lastPrices[keys[index]] = tick.price } },
            logger: logger)
    }

    public func makeMarketStream(
        symbol: String, configuration: ResilientWebSocketConfiguration = .init()
    ) -> BinanceMarketStream {
        let key = symbol.uppercased()
        return BinanceMarketStream(
            symbol: symbol, rest: rest, configuration: configuration,
            onTick: { [weak self] tick in self?.state.withLock { $0.lastPrices[key] = tick.price } }, logger: logger)
    }

    /// The user-data stream of this account.
    public func makeAccountStream(
        configuration: ResilientWebSocketConfiguration = .init(silenceTimeout: nil),
        keepAliveInterval: Duration = .seconds(30 * 60)
    ) -> BinanceAccountStream {
        BinanceAccountStream(
            rest: rest, configuration: configuration, keepAliveInterval: keepAliveInterval, logger: logger)
    }

    /// Sets the price market orders are checked against for the minimum notional (normally kept by the stream).
    public func setReferencePrice(_ price: Price, symbol: String) {
        state.withLock { $0.lastPrices[symbol.uppercased()] = price }
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

    public func place(_ intent: OrderIntent) async throws -> OrderPlacement {
        let rules = try await instrumentRules(symbol: intent.symbol)
        let reference = state.withLock { $0.lastPrices[intent.symbol] }
        if let violation = rules.violation(of: intent, referencePrice: reference) {
            logger.warning(
                "order rejected locally", metadata: ["id": "\(intent.clientOrderID)", "reason": "\(violation)"])
            return .rejected(
                OrderRejected(clientOrderID: intent.clientOrderID, reason: "filter: \(violation)", time: intent.time))
        }
        guard intent.clientOrderID.isValidForBinance else {
            return .rejected(
                OrderRejected(
                    clientOrderID: intent.clientOrderID, reason: "client order id is not valid for Binance",
                    time: intent.time))
        }
        do {
            return .accepted(try await submit(intent))
        } catch let error as ExchangeError where error.isOutcomeUnknown {
            logger.warning(
                "order outcome unknown, looking it up",
                metadata: ["id": "\(intent.clientOrderID)", "error": "\(error)"])
            return try await resolveUnknownOutcome(of: intent, cause: error)
        } catch let error as ExchangeError where error.code < 0 && !error.isRetryable {
            return .rejected(
                OrderRejected(
                    clientOrderID: intent.clientOrderID, reason: "binance \(error.code): \(error.message)",
                    kind: error.rejectionKind(of: intent), time: intent.time))
        }
    }

    /// Sends the order to the endpoint its type belongs on.
    private func submit(_ intent: OrderIntent) async throws -> OrderAccepted {
        if intent.type.isConditional {
            let record = try await rest.newAlgoOrder(intent)
            return OrderAccepted(
                clientOrderID: intent.clientOrderID, venueOrderID: String(record.algoId),
                time: record.updateTime.map { .milliseconds($0) } ?? intent.time)
        }
        let record = try await rest.newOrder(intent)
        return OrderAccepted(
            clientOrderID: intent.clientOrderID, venueOrderID: String(record.orderId),
            time: record.updateTime.map { .milliseconds($0) } ?? intent.time)
    }

    /// Looks the order up by client id instead of sending it again: a resend could double a filled market order.
    private func resolveUnknownOutcome(of intent: OrderIntent, cause: ExchangeError) async throws -> OrderPlacement {
        var notFound = 0
        let lookups = rest.configuration.unknownOutcomeLookups
        for delay in lookups {
            try await Task.sleep(for: delay)
            do {
                let venueID: String
                if intent.type.isConditional {
                    venueID = String(try await rest.queryAlgoOrder(clientOrderID: intent.clientOrderID).algoId)
                } else {
                    venueID = String(
                        try await rest.queryOrder(symbol: intent.symbol, clientOrderID: intent.clientOrderID).orderId)
                }
                logger.info("order found after unknown outcome", metadata: ["id": "\(intent.clientOrderID)"])
                return .accepted(
                    OrderAccepted(clientOrderID: intent.clientOrderID, venueOrderID: venueID, time: intent.time))
            } catch let error as ExchangeError where error.code == ExchangeError.binanceNoSuchOrder {
                notFound += 1
            } catch {
                logger.warning("order lookup failed", metadata: ["id": "\(intent.clientOrderID)", "error": "\(error)"])
            }
        }
        if notFound == lookups.count && notFound > 0 {
            return .rejected(
                OrderRejected(
                    clientOrderID: intent.clientOrderID,
                    reason: "outcome unknown (\(cause.message)) and the venue does not have the order; not resent",
                    time: intent.time))
        }
        throw ExchangeError(
            code: ExchangeError.executionUnknown,
            message: "order \(intent.clientOrderID) outcome still unknown after \(lookups.count) lookups; not resent")
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
