public import Logging
import NIOCore
public import ReflexCore
import ServiceLifecycle
import Synchronization

/// The aggregate-trade tapes of one or several symbols (`<symbol>@aggTrade` on `/market`), gap-free, on one socket:
/// one symbol on its raw stream, several on the combined stream (`/market/stream?streams=a@aggTrade/b@aggTrade`).
///
/// Aggregate ids are consecutive per symbol, so after a reconnect the first id of each symbol tells exactly what
/// was missed; the missing trades are fetched from `GET /fapi/v1/aggTrades?symbol=&fromId=` and delivered before
/// the live one. Ids at or below a symbol's last delivered one are dropped. Consumers see every trade once, in
/// order per symbol.
public final class BinanceMarketStream: MarketStream, MultiMarketStream {
    /// The first instrument (`BTCUSDT`): the only one of a one-symbol stream.
    public var symbol: String { symbols[0] }
    /// Every instrument, upper case, in the order markets are numbered.
    public let symbols: [String]
    private let symbolTable: BinanceSymbolTable
    /// Trades in id order without gaps or duplicates (one-symbol streams run without a sink); finishes when `run()`
    /// returns.
    public let ticks: AsyncStream<Tick>
    /// Counters for metrics and tests (all symbols together).
    public var statistics: MarketStreamStatistics { state.withLock { $0.statistics } }

    private let continuation: AsyncStream<Tick>.Continuation
    private let url: String
    private let rest: BinanceRESTClient
    private let configuration: ResilientWebSocketConfiguration
    private let backfillPageSize: Int
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var statistics = MarketStreamStatistics()
        /// Per symbol.
        var tapes: [Tape]
    }

    /// One symbol's place in its id sequence.
    private struct Tape {
        var lastID: Int64?
        /// Live trades that arrived while a gap is being backfilled over REST, delivered after it (sink path).
        var held: [(Tick, ContinuousClock.Instant)]?
    }

    /// - Parameters:
    ///   - symbol: instrument, any case.
    ///   - rest: used to backfill gaps (`/fapi/v1/aggTrades`, public, no key needed); its URLs give the stream URL.
    ///   - configuration: reconnect, silence and age settings of the socket.
    ///   - backfillPageSize: trades per backfill request (Binance maximum 1000).
    ///   - logger: reconnects, gaps and malformed messages are logged here.
    public convenience init(
        symbol: String, rest: BinanceRESTClient, configuration: ResilientWebSocketConfiguration = .init(),
        backfillPageSize: Int = 1000, logger: Logger
    ) {
        self.init(
            symbols: [symbol], rest: rest, configuration: configuration, backfillPageSize: backfillPageSize,
            logger: logger)
    }

    /// Several symbols on one combined-stream socket (one symbol: its raw stream).
    public init(
        symbols: [String], rest: BinanceRESTClient, configuration: ResilientWebSocketConfiguration = .init(),
        backfillPageSize: Int = 1000, logger: Logger
    ) {
        precondition(!symbols.isEmpty, "a market stream needs a symbol")
        self.symbols = symbols.map { $0.uppercased() }
        self.symbolTable = BinanceSymbolTable(self.symbols)
        self.url =
            symbols.count == 1
            ? rest.urls.aggTradeStream(symbol: symbols[0]) : rest.urls.combinedAggTradeStream(symbols: symbols)
        self.rest = rest
        self.configuration = configuration
        self.backfillPageSize = max(1, min(backfillPageSize, 1000))
        var logger = logger
        logger[metadataKey: "symbol"] = "\(self.symbols.joined(separator: ","))"
        self.logger = logger
        state = Mutex(State(tapes: Array(repeating: Tape(), count: symbols.count)))
        (ticks, continuation) = AsyncStream.makeStream(of: Tick.self, bufferingPolicy: .unbounded)
    }

    /// Streams until cancelled or the service group shuts down.
    public func run() async throws { await stream(to: nil) }

    /// Streams with every trade handed to `sink` inline, in the task that read its message (one symbol).
    public func run(deliveringTo sink: @escaping TickSink) async throws {
        await stream(to: { _, tick, received in sink(tick, received) })
    }

    /// Streams with every trade handed to `sink` with its symbol's index, inline, in the task that read it.
    public func run(deliveringToMarkets sink: @escaping MarketTickSink) async throws { await stream(to: sink) }

    private func stream(to sink: MarketTickSink?) async {
        defer { continuation.finish() }
        var onMessage: ResilientWebSocket.MessageHandler?
        if let sink {
            onMessage = { buffer, received in self.handle(buffer, received: received, sink: sink) }
        }
        let socket = ResilientWebSocket(url: url, configuration: configuration, onMessage: onMessage, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await socket.run() }
            for await event in socket.events {
                switch event {
                case .message(let text): await handle(text)
                case .connected(let connection):
                    if connection > 1 { state.withLock { $0.statistics.reconnects += 1 } }
                case .disconnected: break
                }
            }
            group.cancelAll()
        }
    }

    /// Which symbol a message is for: the only one, or the one its `s` names.
    private func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (BinanceTradeMessage, Int?) {
        if symbols.count == 1 { return (BinanceParse.trade(bytes: bytes), 0) }
        return BinanceParse.trade(bytes: bytes, symbols: symbolTable)
    }

    /// The queue path (`ticks`): decode, then admit.
    private func handle(_ text: String) async {
        var text = text
        let (message, index) = text.withUTF8 { parse($0) }
        guard let tick = decode(message, index: index, raw: { text }), let index else { return }
        await admit(tick, index: index, received: .now, sink: nil)
    }

    /// Drops a trade already delivered, backfills the gap before one that skips ids, then delivers it.
    private func admit(_ tick: Tick, index: Int, received: ContinuousClock.Instant, sink: MarketTickSink?) async {
        if let lastID = state.withLock({ $0.tapes[index].lastID }) {
            if tick.tradeID <= lastID {
                state.withLock { $0.statistics.duplicates += 1 }
                return
            }
            if tick.tradeID > lastID + 1 {
                await backfill(index: index, from: lastID + 1, before: tick.tradeID, sink: sink)
            }
        }
        emit(tick, index: index, received: received, sink: sink)
    }

    /// The engine's path, inside the socket's read: decode the bytes and deliver at once, unless a gap must be
    /// backfilled first; then this symbol's trade and those after it are held, in order, until the backfill is
    /// through (other symbols flow on).
    private func handle(_ buffer: ByteBuffer, received: ContinuousClock.Instant, sink: @escaping MarketTickSink) {
        let (message, index) = buffer.withUnsafeReadableBytes { parse($0.assumingMemoryBound(to: UInt8.self)) }
        guard let tick = decode(message, index: index, raw: { String(buffer: buffer) }), let index else { return }
        enum Next {
            case deliver
            case drop
            case hold
            case backfill(from: Int64)
        }
        let next = state.withLock { state -> Next in
            if state.tapes[index].held != nil {
                state.tapes[index].held?.append((tick, received))
                return .hold
            }
            guard let lastID = state.tapes[index].lastID else { return .deliver }
            if tick.tradeID <= lastID {
                state.statistics.duplicates += 1
                return .drop
            }
            guard tick.tradeID > lastID + 1 else { return .deliver }
            state.tapes[index].held = [(tick, received)]
            return .backfill(from: lastID + 1)
        }
        switch next {
        case .deliver: emit(tick, index: index, received: received, sink: sink)
        case .drop, .hold: break
        case .backfill(let first):
            Task { await self.backfillThenRelease(index: index, from: first, before: tick.tradeID, sink: sink) }
        }
    }

    /// Backfills, then delivers the held trades (checking each again: another gap may follow), and hands delivery
    /// back to the read once nothing is held.
    private func backfillThenRelease(index: Int, from first: Int64, before end: Int64, sink: @escaping MarketTickSink)
        async
    {
        await backfill(index: index, from: first, before: end, sink: sink)
        while true {
            let batch = state.withLock { state -> [(Tick, ContinuousClock.Instant)] in
                let batch = state.tapes[index].held ?? []
                state.tapes[index].held = batch.isEmpty ? nil : []
                return batch
            }
            if batch.isEmpty { return }
            for (tick, received) in batch { await admit(tick, index: index, received: received, sink: sink) }
        }
    }

    private func decode(_ message: BinanceTradeMessage, index: Int?, raw: () -> String) -> Tick? {
        switch message {
        case .trade(let tick):
            guard index != nil else {
                // A combined stream's trade of a symbol this stream does not carry: not applied to any market.
                state.withLock { $0.statistics.malformed += 1 }
                logger.warning(
                    "trade of a symbol not subscribed", metadata: ["raw": "\(BinanceRESTClient.truncated(raw()))"])
                return nil
            }
            return tick
        case .ignored:
            return nil
        case .malformed(let failure):
            state.withLock { $0.statistics.malformed += 1 }
            logger.warning(
                "malformed market message",
                metadata: ["reason": "\(failure)", "raw": "\(BinanceRESTClient.truncated(raw()))"])
            return nil
        }
    }

    private func emit(_ tick: Tick, index: Int, received: ContinuousClock.Instant, sink: MarketTickSink?) {
        state.withLock { state in
            state.tapes[index].lastID = tick.tradeID
            state.statistics.delivered += 1
        }
        if let sink { sink(index, tick, received) } else { continuation.yield(tick) }
    }

    /// Fetches and delivers trades `from..<before` of symbol `index` over REST, page by page.
    private func backfill(index: Int, from first: Int64, before end: Int64, sink: MarketTickSink?) async {
        let size = end - first
        let symbol = symbols[index]
        logger.warning(
            "aggTrade gap, backfilling",
            metadata: ["from": "\(first)", "to": "\(end - 1)", "size": "\(size)", "market": "\(symbol)"])
        state.withLock { $0.statistics.gaps += 1 }
        var next = first
        var failures = 0
        while next < end {
            let page: [Tick]
            do {
                let limit = Int(min(Int64(backfillPageSize), end - next))
                page = try await rest.aggregateTrades(symbol: symbol, fromID: next, limit: limit)
            } catch {
                failures += 1
                logger.error("backfill request failed", metadata: ["fromId": "\(next)", "error": "\(error)"])
                if failures >= 3 || Task.isCancelled { break }
                try? await Task.sleep(for: .milliseconds(200 * failures))
                continue
            }
            var advanced = false
            let received = ContinuousClock.now
            for tick in page where tick.tradeID >= next && tick.tradeID < end {
                emit(tick, index: index, received: received, sink: sink)
                state.withLock { $0.statistics.backfilled += 1 }
                next = tick.tradeID + 1
                advanced = true
            }
            if !advanced { break }
        }
        if next < end {
            state.withLock { $0.statistics.lost += end - next }
            logger.error("aggTrade gap not fully backfilled", metadata: ["missing": "\(end - next)"])
        } else {
            logger.info("aggTrade gap backfilled", metadata: ["size": "\(size)"])
        }
    }
}

/// Counters kept by a market stream.
public struct MarketStreamStatistics: Hashable, Sendable {
    /// Ticks handed to the consumer (live and backfilled).
    public var delivered = 0
    /// Ticks that came from REST backfill.
    public var backfilled = 0
    /// Gaps detected in the id sequence.
    public var gaps = 0
    /// Trades that could not be backfilled.
    public var lost: Int64 = 0
    /// Live messages dropped because their id was already delivered.
    public var duplicates = 0
    /// Messages that were not valid Binance market messages.
    public var malformed = 0
    /// Reconnects of the socket.
    public var reconnects = 0

    public init() {}
}
