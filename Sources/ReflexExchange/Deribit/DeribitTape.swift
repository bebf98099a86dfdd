import ReflexCore
import Synchronization

/// The public trade tape of one Deribit instrument: orders trades by `trade_seq`, drops repeats, and fills a gap
/// in the sequence (after a reconnect) from `public/get_last_trades_by_instrument` before delivering newer trades.
///
/// Its input comes from the session's read loop; `process` runs as its own task so that a backfill request can
/// wait for its answer while the read loop keeps reading.
final class DeribitTape: Sendable {
    let instrument: String
    let ticks: AsyncStream<Tick>
    private let tickContinuation: AsyncStream<Tick>.Continuation
    private let input: AsyncStream<[DeribitTrade]>
    private let inputContinuation: AsyncStream<[DeribitTrade]>.Continuation
    private let state = Mutex(State())

    struct State {
        var lastSequence: Int64?
        var statistics = DeribitTapeStatistics()
    }

    var statistics: DeribitTapeStatistics { state.withLock { $0.statistics } }

    init(instrument: String) {
        self.instrument = instrument
        (ticks, tickContinuation) = AsyncStream.makeStream(of: Tick.self, bufferingPolicy: .unbounded)
        (input, inputContinuation) = AsyncStream.makeStream(of: [DeribitTrade].self, bufferingPolicy: .unbounded)
    }

    /// Hands a notification's trades over (called from the read loop; never blocks).
    func receive(_ trades: [DeribitTrade]) { inputContinuation.yield(trades) }

    func countMalformed() { state.withLock { $0.statistics.malformed += 1 } }

    /// Ends the tape: `ticks` finishes once everything received is delivered.
    func finish() {
        inputContinuation.finish()
    }

    /// Delivers trades until the input finishes or the task is cancelled.
    /// - Parameters:
    ///   - unit: converts each trade's amount into base units.
    ///   - backfill: fetches trades with sequence numbers in the given range, oldest first.
    func process(
        unit: @escaping @Sendable () -> DeribitInstrument?,
        backfill: @escaping @Sendable (ClosedRange<Int64>) async throws -> [DeribitTrade]
    ) async {
        defer { tickContinuation.finish() }
        for await trades in input {
            for trade in trades.sorted(by: { $0.sequence < $1.sequence }) {
                let last = state.withLock { $0.lastSequence }
                if let last, trade.sequence <= last {
                    state.withLock { $0.statistics.duplicates += 1 }
                    continue
                }
                if let last, trade.sequence > last + 1 {
                    state.withLock { $0.statistics.gaps += 1 }
                    let missing = (last + 1)...(trade.sequence - 1)
                    // Page until the gap is closed or a page brings nothing new (the venue no longer has them).
                    var next = missing.lowerBound
                    while next <= missing.upperBound, let page = try? await backfill(next...missing.upperBound) {
                        for old in page.sorted(by: { $0.sequence < $1.sequence }) where missing.contains(old.sequence) {
                            deliver(old, instrument: unit(), backfilled: true)
                        }
                        let reached = state.withLock { $0.lastSequence } ?? last
                        guard reached >= next else { break }
                        next = reached + 1
                    }
                    let reached = state.withLock { $0.lastSequence } ?? last
                    if reached < trade.sequence - 1 {
                        state.withLock { $0.statistics.lost += trade.sequence - 1 - reached }
                    }
                }
                deliver(trade, instrument: unit(), backfilled: false)
            }
        }
    }

    private func deliver(_ trade: DeribitTrade, instrument: DeribitInstrument?, backfilled: Bool) {
        guard let instrument else {
            // Without the instrument's unit an amount cannot be converted; guessing would be worse than dropping.
            state.withLock { $0.statistics.unconverted += 1 }
            return
        }
        let deliver = state.withLock { state in
            if let last = state.lastSequence, trade.sequence <= last { return false }
            state.lastSequence = trade.sequence
            state.statistics.delivered += 1
            if backfilled { state.statistics.backfilled += 1 }
            return true
        }
        if deliver { tickContinuation.yield(DeribitParse.tick(trade, instrument: instrument)) }
    }
}
