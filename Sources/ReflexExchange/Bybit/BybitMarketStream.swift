public import Logging
public import ReflexCore
import ServiceLifecycle
import Synchronization

/// The `publicTrade.{symbol}` tapes of one or more linear perpetuals on one socket (spec B3), each gap-filled and
/// de-duplicated on its own.
///
/// Sends `{"op":"ping"}` every 20 s. Reconnects, stale-stream detection and subscription replay come from
/// `ResilientWebSocket`. After a reconnect, the first live trades of each symbol are held back while that symbol's
/// gap since its last delivered trade is fetched from `GET /v5/market/recent-trade`; see `BybitTapeSequencer`.
public final class BybitMarketStream: MarketStream, MultiMarketStream {
    /// The instruments (`BTCUSDT`), in the order their trades are numbered for a sink.
    public let symbols: [String]
    /// The first instrument (the only one of a one-symbol stream).
    public var symbol: String { symbols[0] }
    /// Trades in time order without duplicates (every symbol's, when run without a sink); finishes when `run()`
    /// returns.
    public let ticks: AsyncStream<Tick>
    /// Counters for metrics and tests (every symbol's together).
    public var statistics: BybitStreamStatistics { state.withLock { $0.statistics } }

    private let continuation: AsyncStream<Tick>.Continuation
    private let url: String
    private let rest: BybitRESTClient
    private let configuration: BybitStreamConfiguration
    private let logger: Logger
    private let indices: [String: Int]
    private let state: Mutex<State>

    private struct State {
        var statistics = BybitStreamStatistics()
        /// Per symbol.
        var tapes: [Tape]
    }

    private struct Tape {
        var sequencer = BybitTapeSequencer()
        var backfillPending = false
    }

    /// Topics per subscribe request (Bybit's public limit for one `args` array).
    static let topicsPerRequest = 10

    /// - Parameters:
    ///   - symbols: instruments, any case; one socket carries them all.
    ///   - rest: backfills gaps (public endpoint, no key needed); its URLs give the stream URL.
    ///   - configuration: socket, ping and backfill settings.
    ///   - logger: reconnects, gaps and malformed messages are logged here.
    public init(
        symbols: [String], rest: BybitRESTClient, configuration: BybitStreamConfiguration = .init(), logger: Logger
    ) {
        precondition(!symbols.isEmpty, "a market stream needs a symbol")
        self.symbols = symbols.map { $0.uppercased() }
        self.indices = Dictionary(self.symbols.enumerated().map { ($1, $0) }) { first, _ in first }
        self.url = rest.urls.publicLinear
        self.rest = rest
        self.configuration = configuration
        self.state = Mutex(State(tapes: Array(repeating: Tape(), count: symbols.count)))
        var logger = logger
        logger[metadataKey: "symbol"] = "\(self.symbols.joined(separator: ","))"
        self.logger = logger
        (ticks, continuation) = AsyncStream.makeStream(of: Tick.self, bufferingPolicy: .unbounded)
    }

    /// One instrument's tape.
    public convenience init(
        symbol: String, rest: BybitRESTClient, configuration: BybitStreamConfiguration = .init(), logger: Logger
    ) {
        self.init(symbols: [symbol], rest: rest, configuration: configuration, logger: logger)
    }

    /// The subscribe messages, replayed on every connection (ten topics a request).
    var subscribeMessages: [String] {
        stride(from: 0, to: symbols.count, by: Self.topicsPerRequest).map { start in
            let topics = symbols[start..<min(start + Self.topicsPerRequest, symbols.count)].map {
                WireJSON.quoted("publicTrade.\($0)")
            }
            return WireJSON.object([
                ("req_id", WireJSON.quoted(start == 0 ? "trades" : "trades-\(start / Self.topicsPerRequest)")),
                ("op", "\"subscribe\""), ("args", "[\(topics.joined(separator: ","))]"),
            ])
        }
    }

    /// Streams until cancelled or the service group shuts down; every symbol's trades go to `ticks`.
    public func run() async throws { await stream(to: nil) }

    /// Streams handing each trade to `sink` with its symbol's index.
    public func run(deliveringToMarkets sink: @escaping MarketTickSink) async throws { await stream(to: sink) }

    private func stream(to sink: MarketTickSink?) async {
        defer { continuation.finish() }
        let socket = ResilientWebSocket(url: url, configuration: configuration.socket, logger: logger)
        for message in subscribeMessages { socket.subscribe(message) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await socket.run() }
            group.addTask { await BybitHeartbeat.run(socket, every: self.configuration.pingInterval) }
            for await event in socket.events {
                switch event {
                case .message(let text): await handle(text, sink: sink)
                case .connected(let connection):
                    if connection > 1 {
                        state.withLock { state in
                            state.statistics.reconnects += 1
                            for index in state.tapes.indices { state.tapes[index].backfillPending = true }
                        }
                    }
                case .disconnected: break
                }
            }
            group.cancelAll()
        }
    }

    private func handle(_ text: String, sink: MarketTickSink?) async {
        switch BybitParse.publicMessage(text) {
        case .trades(let trades):
            let received = ContinuousClock.now
            // A push carries one topic; the first trades of a symbol after a reconnect mark the end of its gap (an
            // empty push does not).
            var backfills: [(index: Int, before: Timestamp)] = []
            state.withLock { state in
                for trade in trades {
                    guard let index = indices[trade.symbol], state.tapes[index].backfillPending else { continue }
                    state.tapes[index].backfillPending = false
                    backfills.append((index, trade.time))
                }
            }
            for gap in backfills { await backfill(index: gap.index, before: gap.before, sink: sink) }
            for trade in trades {
                guard let index = indices[trade.symbol] else { continue }
                deliver(trade, index: index, backfilled: false, received: received, sink: sink)
            }
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

    private func deliver(
        _ trade: BybitTrade, index: Int, backfilled: Bool, received: ContinuousClock.Instant, sink: MarketTickSink?
    ) {
        let admission = state.withLock { state in
            let admission = state.tapes[index].sequencer.admit(trade)
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
        emit(trade.tick, index: index, received: received, sink: sink)
    }

    private func emit(_ tick: Tick, index: Int, received: ContinuousClock.Instant, sink: MarketTickSink?) {
        if let sink { sink(index, tick, received) } else { continuation.yield(tick) }
    }

    /// Fetches symbol `index`'s trades between its last delivered one and `firstLive` and delivers them first.
    private func backfill(index: Int, before firstLive: Timestamp, sink: MarketTickSink?) async {
        guard state.withLock({ $0.tapes[index].sequencer.lastTime }) != nil else { return }
        state.withLock { $0.statistics.gaps += 1 }
        let symbol = symbols[index]
        let page: [BybitTrade]
        do {
            page = try await rest.recentTrades(symbol: symbol, limit: configuration.backfillLimit)
        } catch {
            state.withLock { $0.statistics.incompleteBackfills += 1 }
            logger.error(
                "bybit backfill failed; trades during the reconnect are lost",
                metadata: ["gapSymbol": "\(symbol)", "error": "\(error)"])
            return
        }
        let result = state.withLock { state in
            var sequencer = state.tapes[index].sequencer
            let result = sequencer.backfill(page, before: firstLive)
            state.tapes[index].sequencer = sequencer
            state.statistics.delivered += result.trades.count
            state.statistics.backfilled += result.trades.count
            if !result.complete { state.statistics.incompleteBackfills += 1 }
            return result
        }
        let received = ContinuousClock.now
        for trade in result.trades { emit(trade.tick, index: index, received: received, sink: sink) }
        if result.complete {
            logger.info(
                "bybit gap backfilled", metadata: ["gapSymbol": "\(symbol)", "trades": "\(result.trades.count)"])
        } else {
            logger.error(
                "bybit gap longer than the recent-trade window; older trades are lost",
                metadata: ["gapSymbol": "\(symbol)", "backfilled": "\(result.trades.count)"])
        }
    }
}
