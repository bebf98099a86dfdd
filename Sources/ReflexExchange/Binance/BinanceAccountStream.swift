public import Logging
public import ReflexCore
import ServiceLifecycle
import Synchronization

/// The user-data stream (`/private/ws/<listenKey>`), translated into engine events.
///
/// Creates the listen key, keeps it alive every 30 minutes, and on `listenKeyExpired` or a `-1125` keep-alive
/// answer makes a new key and reconnects. Reconnects of the socket itself are handled by `ResilientWebSocket`.
public final class BinanceAccountStream: AccountStream {
    /// Order, position, margin and liquidation events; finishes when `run()` returns.
    public let events: AsyncStream<EngineEvent>
    /// Counters for metrics and tests.
    public var statistics: AccountStreamStatistics { state.withLock { $0.statistics } }

    private let continuation: AsyncStream<EngineEvent>.Continuation
    private let rest: BinanceRESTClient
    private let configuration: ResilientWebSocketConfiguration
    private let keepAliveInterval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var listenKey: String?
        var statistics = AccountStreamStatistics()
    }

    /// - Parameters:
    ///   - rest: creates and keeps alive the listen key; its URLs give the stream URL.
    ///   - configuration: reconnect, silence and age settings (user streams are quiet: keep silence detection off).
    ///   - keepAliveInterval: listen-key keep-alive period (30 min; keys live 60 min).
    ///   - logger: key changes, reconnects and malformed messages are logged here.
    public init(
        rest: BinanceRESTClient,
        configuration: ResilientWebSocketConfiguration = .init(silenceTimeout: nil),
        keepAliveInterval: Duration = .seconds(30 * 60), logger: Logger
    ) {
        self.rest = rest
        self.configuration = configuration
        self.keepAliveInterval = keepAliveInterval
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .unbounded)
    }

    /// Streams until cancelled or the service group shuts down.
    public func run() async throws {
        defer { continuation.finish() }
        let socket = ResilientWebSocket(
            url: { [self] in try await self.currentStreamURL() }, configuration: configuration, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await socket.run() }
            group.addTask { await self.keepAlive(socket) }
            for await event in socket.events {
                switch event {
                case .message(let text): handle(text, socket: socket)
                case .connected:
                    let connections = state.withLock {
                        $0.statistics.connections += 1
                        return $0.statistics.connections
                    }
                    // Events may have been missed while the socket was down: the engine reads the venue.
                    if connections > 1 {
                        continuation.yield(
                            .control(
                                ControlCommand(
                                    action: .reconcile, source: "account stream reconnect",
                                    time: .milliseconds(rest.configuration.wallClock()))))
                    }
                case .disconnected: break
                }
            }
            group.cancelAll()
        }
    }

    /// The URL for the next connection, creating a listen key when there is none.
    private func currentStreamURL() async throws -> String {
        if let key = state.withLock({ $0.listenKey }) { return rest.urls.userDataStream(listenKey: key) }
        let key = try await rest.createListenKey()
        state.withLock { state in
            state.listenKey = key
            state.statistics.listenKeysCreated += 1
        }
        logger.info("binance listen key created")
        return rest.urls.userDataStream(listenKey: key)
    }

    private func handle(_ text: String, socket: ResilientWebSocket) {
        switch BinanceParse.userData(text) {
        case .events(let events):
            for event in events { continuation.yield(event) }
        case .listenKeyExpired:
            logger.warning("binance listen key expired, making a new one")
            state.withLock { $0.listenKey = nil }
            socket.reconnect()
        case .ignored:
            break
        case .malformed(let reason):
            state.withLock { $0.statistics.malformed += 1 }
            logger.warning(
                "malformed user-data message",
                metadata: ["reason": "\(reason)", "raw": "\(BinanceRESTClient.truncated(text))"])
        }
    }

    private func keepAlive(_ socket: ResilientWebSocket) async {
        while true {
            do { try await Task.sleep(for: keepAliveInterval) } catch { return }
            guard state.withLock({ $0.listenKey }) != nil else { continue }
            do {
                try await rest.keepAliveListenKey()
                state.withLock { $0.statistics.keepAlives += 1 }
            } catch let error as ExchangeError where error.code == ExchangeError.binanceInvalidListenKey {
                logger.warning("binance listen key gone (-1125), making a new one")
                state.withLock { $0.listenKey = nil }
                socket.reconnect()
            } catch {
                logger.error("binance listen key keep-alive failed", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Counters kept by an account stream.
public struct AccountStreamStatistics: Hashable, Sendable {
    /// Connections opened.
    public var connections = 0
    /// Listen keys created (1 + one per expiry).
    public var listenKeysCreated = 0
    /// Successful keep-alives.
    public var keepAlives = 0
    /// Messages that were not valid user-data events.
    public var malformed = 0

    public init() {}
}
