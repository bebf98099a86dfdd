public import Logging
public import ReflexCore
import Synchronization

/// Bybit v5 linear perpetuals behind the venue-neutral protocols: `ExchangeClient` here, and the streams it makes.
///
/// ```swift
/// let exchange = BybitExchange(urls: .testnet, credentials: .init(apiKey: key, secret: secret), logger: logger)
/// let market = exchange.makeMarketStream(symbol: "BTCUSDT")   // a Service: put it in the ServiceGroup
/// let account = try exchange.makeAccountStream()               // a Service as well
/// let outcome = try await exchange.place(intent)               // .accepted / .rejected
/// ```
public final class BybitExchange: ExchangeClient {
    public let venue = "bybit-linear"
    /// The endpoint-level client, for tools that need an endpoint the protocol does not name.
    public let rest: BybitRESTClient
    private let credentials: BybitCredentials?
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var rules: [String: Instrument] = [:]
        var lastPrices: [String: Price] = [:]
    }

    /// - Parameters:
    ///   - urls: mainnet, testnet or `.local(port:)` for a stand-in.
    ///   - credentials: API key and secret (nil: market data only).
    ///   - configuration: REST timings (recvWindow, timeouts, rate-limit waits).
    ///   - logger: everything the adapter does of note.
    public init(
        urls: BybitURLs, credentials: BybitCredentials?, configuration: BybitRESTConfiguration = .init(),
        logger: Logger
    ) {
        self.rest = BybitRESTClient(urls: urls, credentials: credentials, configuration: configuration, logger: logger)
        self.credentials = credentials
        self.logger = logger
    }

    /// The `publicTrade` tape of `symbol`, backfilled over this client's REST after reconnects. Its trades also keep
    /// the reference price used to check a market order's minimum notional.
    public func makeMarketStream(
        symbol: String, configuration: BybitStreamConfiguration = .init()
    ) -> BybitMarketStream {
        let key = symbol.uppercased()
        return BybitMarketStream(
            symbol: symbol, rest: rest, configuration: configuration,
            onTick: { [weak self] tick in self?.state.withLock { $0.lastPrices[key] = tick.price } }, logger: logger)
    }

    /// The private stream of this account (`order`, `execution`, `position`, `wallet`). Its pings are answered
    /// every 20 s, so the default silence timeout (60 s) catches a dead connection even on a quiet account.
    /// - Throws: `ExchangeError` `bybitInvalidAPIKey` when the exchange was made without credentials.
    public func makeAccountStream(
        configuration: BybitStreamConfiguration = .init()
    ) throws(ExchangeError) -> BybitAccountStream {
        guard let credentials else {
            throw ExchangeError(
                code: ExchangeError.bybitInvalidAPIKey, message: "the Bybit private stream needs API credentials")
        }
        return BybitAccountStream(
            url: rest.urls.privateStream, credentials: credentials, configuration: configuration,
            wallClock: rest.configuration.wallClock, logger: logger)
    }

    /// Sets the price market orders are checked against for the minimum notional (normally kept by the stream).
    public func setReferencePrice(_ price: Price, symbol: String) {
        state.withLock { $0.lastPrices[symbol.uppercased()] = price }
    }

    /// True for ids Bybit accepts as `orderLinkId`: 1–36 letters, digits, `-` or `_` (spec B2).
    public static func isValidOrderLinkID(_ id: ClientOrderID) -> Bool {
        !id.rawValue.isEmpty && id.rawValue.utf8.count <= 36
            && id.rawValue.utf8.allSatisfy { byte in
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    // MARK: ExchangeClient

    public func shutdown() { rest.transport.shutdown() }

    public func instrumentRules(symbol: String) async throws -> Instrument {
        if let cached = state.withLock({ $0.rules[symbol] }) { return cached }
        let rules = try await rest.instrumentRules(symbol: symbol)
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
        guard Self.isValidOrderLinkID(intent.clientOrderID) else {
            return .rejected(
                OrderRejected(
                    clientOrderID: intent.clientOrderID, reason: "client order id is not a valid Bybit orderLinkId",
                    time: intent.time))
        }
        do {
            let orderID = try await rest.createOrder(intent)
            return .accepted(
                OrderAccepted(clientOrderID: intent.clientOrderID, venueOrderID: orderID, time: intent.time))
        } catch let error as ExchangeError where error.isOutcomeUnknown {
            logger.warning(
                "order outcome unknown, looking it up",
                metadata: ["id": "\(intent.clientOrderID)", "error": "\(error)"])
            return try await resolveUnknownOutcome(of: intent, cause: error)
        } catch let error as ExchangeError where error.code >= 10_000 && !error.isBybitRetryable {
            return .rejected(
                OrderRejected(
                    clientOrderID: intent.clientOrderID, reason: "bybit \(error.code): \(error.message)",
                    kind: error.rejectionKind(of: intent), time: intent.time))
        }
    }

    /// Looks the order up by client id instead of sending it again: a resend could double a filled market order.
    private func resolveUnknownOutcome(of intent: OrderIntent, cause: ExchangeError) async throws -> OrderPlacement {
        for delay: Duration in [.milliseconds(200), .seconds(1)] {
            try await Task.sleep(for: delay)
            do {
                let orders = try await rest.openOrders(symbol: intent.symbol)
                if let order = orders.first(where: { $0.clientOrderID == intent.clientOrderID }) {
                    return .accepted(
                        OrderAccepted(
                            clientOrderID: intent.clientOrderID, venueOrderID: order.venueOrderID, time: intent.time))
                }
            } catch {
                logger.warning("order lookup failed", metadata: ["id": "\(intent.clientOrderID)", "error": "\(error)"])
            }
        }
        // A market order may have filled and left the book: the private stream's execution will say so.
        throw ExchangeError(
            code: ExchangeError.executionUnknown,
            message: "order \(intent.clientOrderID) outcome unknown (\(cause.message)); not resent")
    }

    public func cancel(symbol: String, clientOrderID: ClientOrderID, conditional: Bool) async throws -> OrderCanceled {
        // Bybit cancels plain and conditional orders on the same endpoint.
        _ = try await rest.cancelOrder(symbol: symbol, clientOrderID: clientOrderID)
        return OrderCanceled(
            clientOrderID: clientOrderID, reason: "canceled", time: .milliseconds(rest.configuration.wallClock()))
    }

    public func openOrders(symbol: String) async throws -> [OpenOrder] {
        try await rest.openOrders(symbol: symbol)
    }

    public func positions(symbol: String?) async throws -> [PositionUpdate] {
        try await rest.positions(symbol: symbol).map(\.update).filter { !$0.quantity.isZero }
    }

    public func account() async throws -> AccountSnapshot {
        let wallet = try await rest.walletBalance()
        return AccountSnapshot(
            asset: "USD", walletBalance: wallet.walletBalance, marginBalance: wallet.marginBalance,
            unrealizedPnL: wallet.unrealizedPnL, availableBalance: wallet.availableBalance,
            maintenanceMargin: wallet.maintenanceMargin, time: wallet.time)
    }
}
