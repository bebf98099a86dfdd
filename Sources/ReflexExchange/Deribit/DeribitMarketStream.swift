public import ReflexCore
import ServiceLifecycle

/// The public trade tape of one Deribit instrument (`trades.{instrument}.raw`), in base units, gap-filled by
/// `trade_seq` (see `DeribitTape`). A view onto a shared `DeribitSession`: running it runs the session.
public final class DeribitMarketStream: MarketStream {
    /// The instrument (`BTC-PERPETUAL`).
    public let symbol: String
    /// Trades in sequence order, quantities in base units; finishes when the session stops.
    public let ticks: AsyncStream<Tick>
    /// Counters for metrics and tests.
    public var statistics: DeribitTapeStatistics { tape.statistics }

    private let session: DeribitSession
    private let tape: DeribitTape

    /// Registers the tape with `session`; make streams before the session runs.
    public init(instrument: String, session: DeribitSession) {
        self.symbol = instrument
        self.session = session
        self.tape = session.tape(for: instrument)
        self.ticks = tape.ticks
    }

    /// Runs the shared session (once, however many streams run it).
    public func run() async throws { try await session.run() }
}
