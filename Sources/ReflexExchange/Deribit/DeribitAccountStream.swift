public import ReflexCore
import ServiceLifecycle

/// The private feed of a Deribit account for some instruments (`user.orders`, `user.trades`, `user.changes`),
/// translated into engine events with quantities in base units. A view onto a shared `DeribitSession`: running it
/// runs the session.
public final class DeribitAccountStream: AccountStream {
    /// Order, fill, position and liquidation events; finishes when the session stops.
    public let events: AsyncStream<EngineEvent>

    private let session: DeribitSession

    /// Registers the account channels of `instruments` with `session`; make streams before the session runs.
    /// The session keeps one account feed: every account stream made from it yields the same single sequence.
    public init(instruments: [String], session: DeribitSession) {
        self.session = session
        self.events = session.account(for: instruments)
    }

    /// Runs the shared session (once, however many streams run it).
    public func run() async throws { try await session.run() }
}
