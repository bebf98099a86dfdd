public import ReflexCore
public import ServiceLifecycle

/// A venue's live trade tape for one instrument.
///
/// Run it as a `Service`; `ticks` then yields every trade once, in venue order, across reconnects. The sequence
/// finishes when the service stops. It has a single consumer (the engine).
public protocol MarketStream: Service {
    /// The instrument the tape belongs to, in the venue's spelling (`BTCUSDT`).
    var symbol: String { get }
    /// Trades in venue order, without gaps or duplicates.
    var ticks: AsyncStream<Tick> { get }
    /// Runs the stream handing every trade to `sink` (in order, one call at a time) instead of to `ticks`, with the
    /// instant its message came off the socket. The engine's path: a venue that can, calls `sink` inside the
    /// socket's read, so nothing stands between the wire and the engine.
    func run(deliveringTo sink: @escaping TickSink) async throws
}

/// Receives a trade and the instant its message arrived. It may run on a socket's event loop: it must not block.
public typealias TickSink = @Sendable (_ tick: Tick, _ received: ContinuousClock.Instant) -> Void

extension MarketStream {
    /// The general form: runs the stream and forwards `ticks`; the arrival instant is when a tick leaves the queue.
    public func run(deliveringTo sink: @escaping TickSink) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.run() }
            for await tick in ticks { sink(tick, .now) }
        }
    }
}

/// Receives a trade of market `index` (the stream's symbol order) and the instant its message arrived. It may run
/// on a socket's event loop: it must not block.
public typealias MarketTickSink = @Sendable (_ index: Int, _ tick: Tick, _ received: ContinuousClock.Instant) -> Void

/// The live trade tapes of several instruments on one connection (Binance's combined stream, one Bybit socket with
/// several topics).
public protocol MultiMarketStream: Service {
    /// The instruments, in the order their trades are numbered for the sink.
    var symbols: [String] { get }
    /// Runs the stream handing every trade to `sink` with its instrument's index (in order per instrument).
    func run(deliveringToMarkets sink: @escaping MarketTickSink) async throws
}
