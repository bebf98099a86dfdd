public import Logging
public import ReflexCore
import ServiceLifecycle
import Synchronization

/// The `publicTrade.{symbol}` tape of one linear perpetual (spec B3), gap-filled and de-duplicated.
///
/// Sends `{"op":"ping"}` every 20 s. Reconnects, stale-stream detection and subscription replay come from
/// `ResilientWebSocket`. After a reconnect, the first live trades are held back while the gap since the last
/// delivered trade is fetched from `GET /v5/market/recent-trade`; see `BybitTapeSequencer`.
public final class BybitMarketStream: MarketStream {
    /// The instrument (`BTCUSDT`).
    public let symbol: String
    /// Trades in time order without duplicates; finishes when `run()` returns.
    public let ticks: AsyncStream<Tick>
    /// Counters for metrics and tests.
    public var statistics: BybitStreamStatistics { state.withLock { $0.statistics } }

    private let continuation: AsyncStream<Tick>.Continuation
    private let url: String
    private let rest: BybitRESTClient
    private let configuration: BybitStreamConfiguration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var statistics = BybitStreamStatistics()
        var sequencer = BybitTapeSequencer()
        var backfillPending = false
    }

    /// - Parameters:
    ///   - symbol: instrument, any case.
    ///   - rest: backfills gaps (public endpoint, no key needed); its URLs give the stream URL.
    ///   - configuration: socket, ping and backfill settings.
    ///   - logger: reconnects, gaps and malformed messages are logged here.
    public init(
        symbol: String, rest: BybitRESTClient, configuration: BybitStreamConfiguration = .init(), logger: Logger
    ) {
        self.symbol = symbol.uppercased()
        self.url = rest.urls.publicLinear
        self.rest = rest
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "symbol"] = "\(self.symbol)"
        self.logger = logger
        (ticks, continuation) = AsyncStream.makeStream(of: Tick.self, bufferingPolicy: .unbounded)
    }

    /// The subscribe message, replayed on every connection.
    var subscribeMessage: String {
        WireJSON.object([
            ("req_id", WireJSON.quoted("trades")), ("op", "\"subscribe\""),
            ("args", "[\(WireJSON.quoted("publicTrade.\(symbol)"))]"),
        ])
    }

    /// Streams until cancelled or the service group shuts down.
    public func run() async throws {
        defer { continuation.finish() }
        let socket = ResilientWebSocket(url: url, configuration: configuration.socket, logger: logger)
        socket.subscribe(subscribeMessage)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await socket.run() }
            group.addTask { await BybitHeartbeat.run(socket, every: self.configuration.pingInterval) }
            for await event in socket.events {
                switch event {
                case .message(let text): await handle(text)
                case .connected(let connection):
                    if connection > 1 {
                        state.withLock { state in
                            state.statistics.reconnects += 1
                            state.backfillPending = true
                        }
                    }
                case .disconnected: break
                }
            }
            group.cancelAll()
        }
    }

    private func handle(_ text: String) async {
        switch BybitParse.publicMessage(text) {
        case .trades(let trades):
            // The first trades after a reconnect mark the end of the gap; an empty push does not.
            let backfill = state.withLock { state in
                guard state.backfillPending && !trades.isEmpty else { return false }
                state.backfillPending = false
                return true
            }
            if backfill, let first = trades.first { await self.backfill(before: first.time) }
            for trade in trades where trade.symbol == symbol { deliver(trade, backfilled: false) }
        case .pong:
            state.withLock { $0.statistics.pongs += 1 }
        case .subscribed(let success, let message):
            if !success {
                logger.error("bybit subscription refused", metadata: ["reason": "\(message)"])
            }
        case .ignored:
            break
        case .malformed(let reason):
            state.withLock { $0.statistics.malformed += 1 }
            logger.warning(
                "malformed bybit market message",
                metadata: ["reason": "\(reason)", "raw": "\(BybitRESTClient.truncated(text))"])
        }
    }

    private func deliver(_ trade: BybitTrade, backfilled: Bool) {
        let admission = state.withLock { state in
            let admission = state.sequencer.admit(trade)
            switch admission {
            case .deliver:
                state.statistics.delivered += 1
                if backfilled { state.statistics.backfilled += 1 }
            case .duplicate: state.statistics.duplicates += 1
            case .stale: state.statistics.stale += 1
            }
            return admission
        }
        guard admission == .deliver else { return }
        let tick = trade.tick
        continuation.yield(tick)
    }

    /// Fetches the trades between the last delivered one and `firstLive` and delivers them first.
    private func backfill(before firstLive: Timestamp) async {
        guard state.withLock({ $0.sequencer.lastTime }) != nil else { return }
        state.withLock { $0.statistics.gaps += 1 }
        let page: [BybitTrade]
        do {
            page = try await rest.recentTrades(symbol: symbol, limit: configuration.backfillLimit)
        } catch {
            state.withLock { $0.statistics.incompleteBackfills += 1 }
            logger.error("bybit backfill failed; trades during the reconnect are lost", metadata: ["error": "\(error)"])
            return
        }
        let result = state.withLock { state in
            var sequencer = state.sequencer
            let result = sequencer.backfill(page, before: firstLive)
            state.sequencer = sequencer
            state.statistics.delivered += result.trades.count
            state.statistics.backfilled += result.trades.count
            if !result.complete { state.statistics.incompleteBackfills += 1 }
            return result
        }
        for trade in result.trades {
            let tick = trade.tick
            continuation.yield(tick)
        }
        if result.complete {
            logger.info("bybit gap backfilled", metadata: ["trades": "\(result.trades.count)"])
        } else {
            logger.error(
                "bybit gap longer than the recent-trade window; older trades are lost",
                metadata: ["backfilled": "\(result.trades.count)"])
        }
    }
}
