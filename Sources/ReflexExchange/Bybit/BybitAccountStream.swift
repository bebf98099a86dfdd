public import Logging
public import ReflexCore
import ServiceLifecycle
import Synchronization

/// Bybit's private stream (`/v5/private`), translated into engine events (spec B3).
///
/// On every connection it authenticates (`auth` with a fresh `expires`, signed `GET/realtime` + expires) and then
/// subscribes to `order`, `execution`, `position` and `wallet`; the resubscription is done here rather than by the
/// socket's replay because the auth message must be signed anew each time. Executions become fills, liquidation and
/// ADL executions become `.liquidation`, and a `wallet` push whose maintenance-margin rate crosses the configured
/// threshold becomes a `.marginWarning` for each open position.
public final class BybitAccountStream: AccountStream {
    /// Order, position, margin and liquidation events; finishes when `run()` returns.
    public let events: AsyncStream<EngineEvent>
    /// Counters for metrics and tests.
    public var statistics: BybitStreamStatistics { state.withLock { $0.statistics } }

    private let continuation: AsyncStream<EngineEvent>.Continuation
    private let url: String
    private let signer: BybitSigner
    private let configuration: BybitStreamConfiguration
    private let wallClock: @Sendable () -> Int64
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var statistics = BybitStreamStatistics()
        /// Last known non-flat positions by symbol, for margin warnings.
        var positions: [String: PositionUpdate] = [:]
    }

    /// The topics subscribed after authentication.
    static let topics = ["order", "execution", "position", "wallet"]

    /// - Parameters:
    ///   - url: the private stream URL (`BybitURLs.privateStream`).
    ///   - credentials: signs the `auth` message.
    ///   - configuration: socket, ping, auth expiry and margin-warning settings.
    ///   - wallClock: milliseconds since the epoch, for `expires`.
    ///   - logger: auth results, reconnects and malformed messages are logged here.
    public init(
        url: String, credentials: BybitCredentials, configuration: BybitStreamConfiguration = .init(),
        wallClock: @escaping @Sendable () -> Int64 = BybitRESTConfiguration.systemMilliseconds, logger: Logger
    ) {
        self.url = url
        self.signer = BybitSigner(credentials: credentials)
        self.configuration = configuration
        self.wallClock = wallClock
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .unbounded)
    }

    var subscribeMessage: String {
        WireJSON.object([
            ("req_id", WireJSON.quoted("account")), ("op", "\"subscribe\""),
            ("args", "[" + Self.topics.map(WireJSON.quoted).joined(separator: ",") + "]"),
        ])
    }

    /// Streams until cancelled or the service group shuts down.
    public func run() async throws {
        defer { continuation.finish() }
        let socket = ResilientWebSocket(url: url, configuration: configuration.socket, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await socket.run() }
            group.addTask { await BybitHeartbeat.run(socket, every: self.configuration.pingInterval) }
            for await event in socket.events {
                switch event {
                case .message(let text): handle(text, socket: socket)
                case .connected(let connection):
                    if connection > 1 {
                        state.withLock { $0.statistics.reconnects += 1 }
                        // Executions may have been missed while the socket was down: the engine reads the venue.
                        yield(
                            .control(
                                ControlCommand(
                                    action: .reconcile, source: "account stream reconnect",
                                    time: .milliseconds(wallClock()))))
                    }
                    let expires = wallClock() + Int64(configuration.authExpiry / .milliseconds(1))
                    socket.send(signer.authMessage(expires: expires))
                case .disconnected: break
                }
            }
            group.cancelAll()
        }
    }

    private func handle(_ text: String, socket: ResilientWebSocket) {
        switch BybitParse.privateMessage(text) {
        case .events(let events):
            for event in events {
                if case .positionChanged(let update) = event {
                    state.withLock { state in
                        state.positions[update.symbol] = update.quantity.isZero ? nil : update
                    }
                }
                yield(event)
            }
        case .wallet(let wallet):
            guard let rate = wallet.maintenanceMarginRate, rate >= configuration.marginWarningRate else { return }
            let positions = state.withLock { $0.positions.values.sorted { $0.symbol < $1.symbol } }
            for position in positions {
                yield(
                    .marginWarning(
                        MarginWarning(
                            symbol: position.symbol, marginRatio: rate,
                            markPrice: position.markPrice ?? position.entryPrice,
                            maintenanceMargin: wallet.maintenanceMargin, time: wallet.time)))
            }
        case .authenticated(let success, let message):
            if success {
                state.withLock { $0.statistics.authentications += 1 }
                socket.send(subscribeMessage)
            } else {
                // A wrong key or secret does not fix itself: reconnecting at once would only hammer the venue.
                state.withLock { $0.statistics.authenticationFailures += 1 }
                logger.critical("bybit private stream auth refused", metadata: ["reason": "\(message)"])
            }
        case .subscribed(let success, let message):
            if !success { logger.error("bybit private subscription refused", metadata: ["reason": "\(message)"]) }
        case .pong:
            state.withLock { $0.statistics.pongs += 1 }
        case .ignored:
            break
        case .malformed(let reason):
            state.withLock { $0.statistics.malformed += 1 }
            logger.warning(
                "malformed bybit private message",
                metadata: ["reason": "\(reason)", "raw": "\(BybitRESTClient.truncated(text))"])
        }
    }

    private func yield(_ event: EngineEvent) {
        state.withLock { $0.statistics.delivered += 1 }
        continuation.yield(event)
    }
}
