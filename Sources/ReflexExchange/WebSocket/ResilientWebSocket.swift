public import Logging
public import NIOCore
import NIOWebSocket
public import ServiceLifecycle
import Synchronization

/// A WebSocket connection that stays up: it reconnects with back-off and jitter, replaces itself before the venue's
/// maximum connection age, reconnects when the stream goes silent, replays subscriptions on every new connection and
/// hands every text message to one consumer through `events`. Venue-agnostic: it never looks inside a message.
///
/// Each connection is a SwiftNIO channel (``WebSocketConnection``) whose messages are handled inside its read: server
/// pings and close frames are answered there. Run it as a `Service`. `events` finishes when
/// `run()` returns; the buffer is unbounded because dropping market data is worse than holding it.
///
/// ```swift
/// let socket = ResilientWebSocket(url: "wss://fstream.binance.com/market/ws/btcusdt@aggTrade", logger: logger)
/// // in a ServiceGroup, or: group.addTask { try await socket.run() }
/// for await event in socket.events { … }
/// ```
public final class ResilientWebSocket: Service, Sendable {
    /// Connections, disconnections and messages, in order.
    public let events: AsyncStream<WebSocketEvent>
    /// Counters for metrics and tests.
    public var statistics: WebSocketStatistics { state.withLock { $0.statistics } }
    /// Reconnects of every resilient WebSocket in this process (market and account streams of any venue), for
    /// the bot's `/metrics`.
    public static var reconnectsInProcess: Int { processReconnects.load(ordering: .relaxed) }
    private static let processReconnects = Atomic<Int>(0)

    private let continuation: AsyncStream<WebSocketEvent>.Continuation
    private let url: @Sendable () async throws -> String
    private let configuration: ResilientWebSocketConfiguration
    private let random: @Sendable () -> Double
    private let onMessage: MessageHandler?
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var statistics = WebSocketStatistics()
        var subscriptions: [String] = []
        var reconnectRequested = false
        var lastMessage = ContinuousClock.now
        var outbound: AsyncStream<String>.Continuation?
        /// Messages that came right behind the upgrade, before the connection was announced: delivered after
        /// `.connected`, so consumers always see a connection before its messages.
        var early: [(ByteBuffer, ContinuousClock.Instant)]?
    }

    /// Handles one text message inside the socket's read, on its event loop, with the instant it was read. It must
    /// not block: everything else on that loop waits for it.
    public typealias MessageHandler = @Sendable (_ text: ByteBuffer, _ received: ContinuousClock.Instant) -> Void

    /// - Parameters:
    ///   - url: called before every connection attempt, so a URL that changes (a new listen key) is picked up.
    ///   - configuration: timings and limits.
    ///   - random: uniform draws in `[0, 1)` for jitter (inject a constant in tests).
    ///   - onMessage: when given, every text message goes to it, inside the socket's read, instead of to `events`
    ///     (which then carries only connections and disconnections). This is the low-latency path: no queue, no
    ///     task and no `String` between the socket and the consumer.
    ///   - logger: every connect, disconnect and reconnect is logged here.
    public init(
        url: @escaping @Sendable () async throws -> String, configuration: ResilientWebSocketConfiguration = .init(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, onMessage: MessageHandler? = nil,
        logger: Logger
    ) {
        self.url = url
        self.configuration = configuration
        self.random = random
        self.onMessage = onMessage
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: WebSocketEvent.self, bufferingPolicy: .unbounded)
    }

    /// Connects to a fixed URL.
    public convenience init(
        url: String, configuration: ResilientWebSocketConfiguration = .init(), onMessage: MessageHandler? = nil,
        logger: Logger
    ) {
        self.init(url: { url }, configuration: configuration, onMessage: onMessage, logger: logger)
    }

    /// Adds a message (e.g. a JSON `SUBSCRIBE`) that is sent now if connected and again after every reconnect.
    public func subscribe(_ message: String) {
        let outbound = state.withLock { state in
            state.subscriptions.append(message)
            return state.outbound
        }
        outbound?.yield(message)
    }

    /// Sends a one-off message on the current connection; dropped if not connected.
    public func send(_ message: String) {
        state.withLock { $0.outbound }?.yield(message)
    }

    /// Closes the current connection and connects again at once (calling the URL provider again).
    public func reconnect() {
        state.withLock { $0.reconnectRequested = true }
    }

    /// Connects and reconnects until the task is cancelled or the service group shuts down gracefully.
    public func run() async throws {
        defer { continuation.finish() }
        await cancelWhenGracefulShutdown {
            await self.connectLoop()
        }
    }

    private func connectLoop() async {
        var failures = 0
        var connection = 0
        while !Task.isCancelled {
            connection += 1
            let started = ContinuousClock.now
            let reason = await connectOnce(connection: connection)
            if Task.isCancelled { break }
            continuation.yield(.disconnected(connection: connection, reason: reason))
            let uptime = ContinuousClock.now - started
            if uptime >= configuration.backoff.healthyAfter { failures = 0 }
            let delay: Duration
            if reason.isPlanned {
                delay = .zero
            } else {
                failures += 1
                delay = configuration.backoff.delay(afterFailures: failures, random: random())
            }
            state.withLock { $0.statistics.reconnects += 1 }
            Self.processReconnects.add(1, ordering: .relaxed)
            logger.warning(
                "websocket reconnecting",
                metadata: [
                    "connection": "\(connection)", "reason": "\(reason)", "uptime": "\(uptime)",
                    "failures": "\(failures)", "delay": "\(delay)",
                ])
            if delay > .zero {
                do { try await Task.sleep(for: delay) } catch { break }
            }
        }
    }

    /// One connection from dial to close; returns why it ended.
    private func connectOnce(connection: Int) async -> WebSocketDisconnectReason {
        let channel: any Channel
        state.withLock { $0.early = [] }
        do {
            let url = try await url()
            logger.debug("websocket connecting", metadata: ["url": "\(url)", "connection": "\(connection)"])
            channel = try await WebSocketConnection.connect(
                url: url, maximumMessageSize: configuration.maximumMessageSize,
                // A dial that takes longer is a failed attempt, retried with back-off like any other.
                connectTimeout: .seconds(10),
                handlers: .init(
                    text: { [self] buffer, now in received(buffer, at: now) },
                    binary: { [self] bytes, now in
                        state.withLock { state in
                            state.lastMessage = now
                            state.statistics.unexpectedFrames += 1
                        }
                        // Venues we speak send JSON text; a binary frame is unexpected but not fatal.
                        logger.warning("websocket binary frame ignored", metadata: ["bytes": "\(bytes)"])
                    }))
        } catch {
            return .failed(String(describing: error))
        }
        return await serve(channel, connection: connection)
    }

    /// A text message, in the socket's read.
    private func received(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) {
        let held = state.withLock { state in
            state.lastMessage = now
            state.statistics.messages += 1
            guard state.early != nil else { return false }
            state.early?.append((buffer, now))
            return true
        }
        if !held { deliver(buffer, at: now) }
    }

    private func deliver(_ buffer: ByteBuffer, at now: ContinuousClock.Instant) {
        if let onMessage {
            onMessage(buffer, now)
        } else {
            continuation.yield(.message(String(buffer: buffer)))
        }
    }

    /// Runs an open connection: replays subscriptions, sends, pings, watches silence and age; closes it when the
    /// server does, when asked to, or when cancelled.
    private func serve(_ channel: any Channel, connection: Int) async -> WebSocketDisconnectReason {
        let connectedAt = ContinuousClock.now
        let (sendQueue, sendContinuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let subscriptions = state.withLock { state in
            state.reconnectRequested = false
            state.lastMessage = connectedAt
            state.statistics.connections += 1
            state.outbound = sendContinuation
            return state.subscriptions
        }
        defer {
            state.withLock { $0.outbound = nil }
            sendContinuation.finish()
        }
        do {
            for message in subscriptions { try await channel.writeAndFlush(WebSocketConnection.textFrame(message)) }
        } catch {
            channel.close(promise: nil)
            return .failed("replaying subscriptions: \(error)")
        }
        logger.info(
            "websocket connected",
            metadata: ["connection": "\(connection)", "subscriptions": "\(subscriptions.count)"])
        continuation.yield(.connected(connection: connection))
        // On the channel's loop, where reads happen, so no new message can overtake the early ones.
        try? await channel.eventLoop.submit {
            while let early = self.state.withLock({ state -> [(ByteBuffer, ContinuousClock.Instant)]? in
                let early = state.early
                state.early = early?.isEmpty == false ? [] : nil
                return early?.isEmpty == false ? early : nil
            }) {
                for (buffer, instant) in early { self.deliver(buffer, at: instant) }
            }
        }.get()

        let reason = await withTaskGroup(of: WebSocketDisconnectReason.self) { group in
            group.addTask {
                // Never cancelled: the channel is closed below, which ends this.
                try? await channel.closeFuture.get()
                return .closedByServer
            }
            group.addTask { await self.watch(connectedAt: connectedAt) }
            group.addTask {
                for await message in sendQueue {
                    do { try await channel.writeAndFlush(WebSocketConnection.textFrame(message)) } catch {
                        return .failed("send: \(error)")
                    }
                }
                return .closedByServer  // the queue finishes only after this group is done
            }
            if let interval = configuration.pingInterval {
                group.addTask {
                    while true {
                        do { try await Task.sleep(for: interval) } catch { return .closedByServer }
                        let ping = WebSocketFrame(
                            fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer(string: "reflex"))
                        channel.writeAndFlush(ping, promise: nil)
                    }
                }
            }
            let reason = await group.next() ?? .closedByServer
            if channel.isActive {
                // A close frame first, so the server sees a clean close, then the TCP connection.
                var code = ByteBuffer()
                code.write(webSocketErrorCode: .normalClosure)
                let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)
                channel.writeAndFlush(close).whenComplete { _ in channel.close(promise: nil) }
            }
            sendContinuation.finish()
            group.cancelAll()
            return reason
        }
        return reason
    }

    private func watch(connectedAt: ContinuousClock.Instant) async -> WebSocketDisconnectReason {
        while true {
            do { try await Task.sleep(for: configuration.watchdogInterval) } catch { return .closedByServer }
            let now = ContinuousClock.now
            let (requested, lastMessage) = state.withLock { ($0.reconnectRequested, $0.lastMessage) }
            if requested { return .requested }
            if let silence = configuration.silenceTimeout, now - lastMessage >= silence {
                state.withLock { $0.statistics.silentStreams += 1 }
                logger.warning("websocket silent", metadata: ["silentFor": "\(now - lastMessage)"])
                return .silent
            }
            if let age = configuration.maximumConnectionAge, now - connectedAt >= age {
                logger.info("websocket reached maximum age, replacing it", metadata: ["age": "\(now - connectedAt)"])
                return .maximumAge
            }
        }
    }
}

/// Counters kept by a `ResilientWebSocket`.
public struct WebSocketStatistics: Hashable, Sendable {
    /// Connections opened.
    public var connections = 0
    /// Connections lost or replaced (each followed by a reconnect attempt).
    public var reconnects = 0
    /// Text messages delivered.
    public var messages = 0
    /// Frames that were not text (counted and skipped).
    public var unexpectedFrames = 0
    /// Connections dropped because no message arrived within the silence timeout.
    public var silentStreams = 0

    public init() {}
}
