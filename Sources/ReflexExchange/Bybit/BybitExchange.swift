public import Logging
public import ReflexCore
import Synchronization

/// Bybit v5 linear perpetuals behind the venue-neutral protocols: `ExchangeClient` here, and the streams it makes.
///
/// ```swift
/// let exchange = BybitExchange(urls: .testnet, credentials: .init(apiKey: key, secret: secret), logger: logger)
/// let market = exchange.makeMarketStream(symbol: "BTCUSDT")   // a Service: put it in the ServiceGroup
/// let account = try exchange.makeAccountStream()               // a Service as well
/// let outcome = try await exchange.submit(intent, referencePrice: nil)  // once, as it is (OrderExecution checks)
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

    /// The `publicTrade` tape of `symbol`, backfilled over this client's REST after reconnects.
    public func makeMarketStream(
        symbol: String, configuration: BybitStreamConfiguration = .init()
    ) -> BybitMarketStream {
        BybitMarketStream(symbol: symbol, rest: rest, configuration: configuration, logger: logger)
    }

    /// The `publicTrade` tapes of `symbols` on one socket, each backfilled on its own after reconnects.
    public func makeMarketStream(
        symbols: [String], configuration: BybitStreamConfiguration = .init()
    ) -> BybitMarketStream {
        BybitMarketStream(symbols: symbols, rest: rest, configuration: configuration, logger: logger)
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

    public func submit(_ intent: OrderIntent, referencePrice: Price?) async throws -> OrderPlacement {
        let orderID = try await rest.createOrder(intent)
        return .accepted(OrderAccepted(clientOrderID: intent.clientOrderID, venueOrderID: orderID, time: intent.time))
    }

    /// Among the open orders: a market order that filled has left the book, and its execution arrives on the
    /// private stream.
    public func lookUp(_ intent: OrderIntent) async throws -> OrderLookup {
        let orders = try await rest.openOrders(symbol: intent.symbol)
        guard let order = orders.first(where: { $0.clientOrderID == intent.clientOrderID }) else { return .notOpen }
        return .found(venueOrderID: order.venueOrderID)
    }

    /// Bybit's own codes (10 000 and up) are refusals unless they say "try again".
    public func refusal(_ error: ExchangeError, of intent: OrderIntent) -> OrderRejected.Kind? {
        error.code >= 10_000 && !error.isBybitRetryable
            ? error.rejectionKind(of: intent) : nil
    }

    public func clientOrderIDProblem(_ id: ClientOrderID) -> String? {
        Self.isValidOrderLinkID(id) ? nil : "client order id is not a valid Bybit orderLinkId"
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
