import Foundation
import Hummingbird
import HummingbirdWebSocket
public import Logging
import ReflexCore
public import ServiceLifecycle
import Synchronization

/// A local exchange on loopback that speaks the Binance USDⓈ-M futures subset Reflex uses, so the real Binance
/// adapter talks to it unchanged but for the base URL.
///
/// It replays one recorded tape per symbol as `aggTrade` streams (several tapes merged on one clock), matches each
/// symbol's orders against its own tape with the backtester's `SimulatedVenue`, keeps one isolated-margin account
/// (one wallet, a position per symbol), and reports fills, positions, margin calls and liquidations on the user
/// data stream and as signed webhooks.
///
/// ```swift
/// let venue = PaperVenue(configuration: .init(symbol: "BTCUSDT", tape: .file(path: path), port: 0))
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await venue.run() }
///     let port = try await venue.boundPort()   // REST http://127.0.0.1:port, WS ws://127.0.0.1:port/market/…
///     …
/// }
/// ```
public final class PaperVenue: Service {
    /// What the venue was started with.
    public let configuration: PaperVenueConfiguration
    let exchange: PaperExchange
    let marketFeed: MarketFeed
    let userData: UserDataFeed
    let webhooks: WebhookDispatcher?
    let authenticator: RequestAuthenticator
    let logger: Logger
    private let port = Mutex<Int?>(nil)
    /// Counts REST requests for the `503` fault.
    let requestCounter = Mutex<Int>(0)
    /// Wall-clock minute and requests in it, for `X-MBX-USED-WEIGHT-1M`.
    let usedWeight = Mutex<(minute: Int64, count: Int)>((0, 0))

    /// Builds the venue; nothing listens until ``run()``.
    /// - Precondition: `configuration.markets` is not empty and names each symbol once (`markets` is settable, so
    ///   the initializer's check alone does not cover it).
    public init(configuration: PaperVenueConfiguration, logger: Logger = Logger(label: "reflex.venue")) {
        let symbols = configuration.markets.map(\.symbol)
        precondition(!symbols.isEmpty && Set(symbols).count == symbols.count, "markets must name distinct symbols")
        self.configuration = configuration
        self.logger = logger
        marketFeed = MarketFeed(
            symbols: configuration.markets.map(\.symbol), historyCapacity: configuration.tradeHistoryCapacity,
            bufferCapacity: configuration.clientBufferCapacity)
        userData = UserDataFeed(
            validity: configuration.listenKeyValidity, bufferCapacity: configuration.clientBufferCapacity)
        webhooks = configuration.webhook.map {
            WebhookDispatcher(configuration: $0, faults: configuration.faults, logger: logger)
        }
        exchange = PaperExchange(configuration: configuration, userData: userData, webhooks: webhooks, logger: logger)
        authenticator = RequestAuthenticator(credentials: configuration.credentials)
    }

    /// Serves until cancelled or shut down gracefully.
    public func run() async throws {
        let player = TapePlayer(configuration: configuration, exchange: exchange, feed: marketFeed, logger: logger)
        var services: [any Service] = [player, ListenKeyExpiry(feed: userData)]
        if let webhooks { services.append(webhooks) }
        let app = Application(
            router: makeRouter(),
            server: .http1WebSocketUpgrade(
                webSocketRouter: makeWebSocketRouter(),
                configuration: .init(ws: .init(maxFrameSize: 1 << 16, closeTimeout: .seconds(2)))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "reflex-paper-venue"),
            services: services,
            onServerRunning: { [self, logger, configuration] channel in
                let bound = channel.localAddress?.port ?? configuration.port
                self.port.withLock { $0 = bound }
                let base = "\(configuration.host):\(bound)"
                let symbols = configuration.markets.map(\.symbol)
                let streams = symbols.map { $0.lowercased() + "@aggTrade" }.joined(separator: "/")
                let market =
                    symbols.count == 1
                    ? "ws://\(base)/market/ws/\(streams)" : "ws://\(base)/market/stream?streams=\(streams)"
                logger.info(
                    "paper venue listening",
                    metadata: [
                        "rest": "http://\(base)", "market": "\(market)",
                        "private": "ws://\(base)/private/ws/<listenKey>",
                        "symbol": "\(symbols.joined(separator: ","))",
                    ])
            },
            logger: logger)
        try await app.run()
        marketFeed.finishAll()
        userData.finishAll()
    }

    /// The TCP port the venue listens on, once it does (useful with port 0).
    public func boundPort() async throws -> Int {
        while true {
            if let port = port.withLock({ $0 }) { return port }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Wall-clock milliseconds: the server time of `/fapi/v1/time` and of the recvWindow check.
    static var wallClockMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Sends `listenKeyExpired` for lapsed listenKeys, once a second.
struct ListenKeyExpiry: Service {
    let feed: UserDataFeed

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: .seconds(1))
                feed.expireLapsedKeys(eventTime: PaperVenue.wallClockMilliseconds)
            }
        }
    }
}
