import Foundation
public import Logging
import ReflexBacktest
public import ReflexCore
import ReflexExchange
public import ServiceLifecycle
public import Synchronization

/// The live runtime: one task owns the engine. Every source (market stream, account stream, webhooks, operator,
/// timers) yields events into one inbox, which the engine takes in arrival order; each event and the commands it
/// produced are journaled and flushed before the commands go out through the ``OrderGateway``. Command outcomes
/// come back into the inbox as events.
public final class TradingRuntime: Service {
    public struct Configuration: Sendable {
        public var engine: EngineConfiguration
        public var journalPath: String
        /// Write raw ticks and regime switches here in Reflex's tick format (today's session, tomorrow's backtest).
        public var recordingPath: String?
        /// Snapshot and compact the journal after this many records.
        public var snapshotEvery: Int
        public init(
            engine: EngineConfiguration, journalPath: String, recordingPath: String? = nil,
            snapshotEvery: Int = 1_000_000
        ) {
            self.engine = engine
            self.journalPath = journalPath
            self.recordingPath = recordingPath
            self.snapshotEvery = snapshotEvery
        }
    }

    public let configuration: Configuration
    public let logger: Logger
    private let gateway: any OrderGateway
    /// Events with the instant they arrived (ticks), for the tick-to-order latency.
    typealias Arrival = (event: EngineEvent, arrived: ContinuousClock.Instant?)
    typealias Outgoing = (command: EngineCommand, causedByTickAt: ContinuousClock.Instant?)
    private let inbox: AsyncStream<Arrival>
    private let inboxContinuation: AsyncStream<Arrival>.Continuation
    private let outbox: AsyncStream<Outgoing>
    private let outboxContinuation: AsyncStream<Outgoing>.Continuation
    /// Receives, for every order a tick caused, the time from the tick's arrival to the order's REST call.
    public let tickToOrder: Mutex<(@Sendable (Duration) -> Void)?> = Mutex(nil)
    private let state: Mutex<SharedState>
    private let started = ContinuousClock.now
    /// Called after every event with the commands it produced (metrics, terminal status line).
    public let observers: Mutex<[@Sendable (EngineEvent, [EngineCommand]) -> Void]> = Mutex([])

    struct SharedState: Sendable {
        var engine: Engine
        var lastEvents: [String] = []
        var stopping = false
    }

    /// Recovers the engine from the journal (or starts fresh) and prepares the inbox.
    public init(configuration: Configuration, gateway: any OrderGateway, logger: Logger) throws {
        self.configuration = configuration
        self.gateway = gateway
        self.logger = logger
        let replay = try JournalReplay(
            path: configuration.journalPath, fresh: Engine(configuration: configuration.engine))
        if replay.eventsReplayed > 0 || replay.engine.ticks > 0 {
            logger.info(
                "recovered engine from journal",
                metadata: [
                    "events": "\(replay.eventsReplayed)", "position": "\(replay.engine.position.quantity)",
                    "workingOrders": "\(replay.engine.workingOrders.count)",
                    "mismatches": "\(replay.commandMismatches)",
                ])
        }
        if let torn = replay.tornTail {
            logger.warning("journal ended in a torn record (ignored)", metadata: ["line": "\(torn)"])
        }
        state = Mutex(SharedState(engine: replay.engine))
        (inbox, inboxContinuation) = AsyncStream.makeStream(of: Arrival.self)
        (outbox, outboxContinuation) = AsyncStream.makeStream(of: Outgoing.self)
    }

    /// Where sources deliver events. Safe from any task; arrival order is processing order.
    public func deliver(_ event: EngineEvent) { inboxContinuation.yield((event, nil)) }

    /// Delivers a tick with the instant it came off the market stream.
    public func deliver(tick: Tick, arrived: ContinuousClock.Instant) {
        inboxContinuation.yield((.tick(tick), arrived))
    }

    /// The engine as it is now (a copy).
    public var engine: Engine { state.withLock { $0.engine } }

    public func status() -> RuntimeStatus {
        let uptime = ContinuousClock.now - started
        return state.withLock {
            RuntimeStatus(
                engine: $0.engine,
                uptimeSeconds: Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18,
                lastEvents: $0.lastEvents)
        }
    }

    /// Start-up reconciliation against the venue: adopt its position (the engine protects an unprotected one at
    /// once), forget orders the venue no longer has, and refuse to start when the venue holds orders for the symbol
    /// that this bot did not make.
    public func reconcile(now: Timestamp) async throws {
        let symbol = configuration.engine.strategy.symbol
        let prefix = configuration.engine.orderIDPrefix + "-"
        let open = try await gateway.openOrders(symbol: symbol)
        let foreign = open.filter { !$0.clientOrderID.rawValue.hasPrefix(prefix) }
        if !foreign.isEmpty {
            throw ReconciliationError(
                message:
                    "the venue has \(foreign.count) open \(symbol) order(s) this bot did not place (\(foreign.prefix(3).map(\.clientOrderID.rawValue).joined(separator: ", "))); cancel them or use another account before starting"
            )
        }
        let venueIDs = Set(open.map(\.clientOrderID))
        let engine = self.engine
        for order in engine.workingOrders where !venueIDs.contains(order.intent.clientOrderID) {
            // Filled or cancelled while we were away (a fill will be reconciled through the position below).
            deliver(
                .orderCanceled(
                    OrderCanceled(
                        clientOrderID: order.intent.clientOrderID, reason: "not at venue on start-up", time: now)))
        }
        let known = Set(engine.workingOrders.map(\.intent.clientOrderID))
        for order in open where !known.contains(order.clientOrderID) {
            // Ours by prefix but unknown to the journal (sent just before a crash): cancel rather than guess.
            _ = await gateway.cancel(
                CancelRequest(clientOrderID: order.clientOrderID, symbol: symbol, reason: "orphan on start-up"))
        }
        let position = try await gateway.position(symbol: symbol)
        deliver(.positionChanged(position))
    }

    public func run() async throws {
        let journal = try Journal(path: configuration.journalPath)
        try journal.appendSnapshot(engine)
        try journal.sync()
        let recorder = try configuration.recordingPath.map {
            try ReflexTickWriter(path: $0, symbol: configuration.engine.strategy.symbol)
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.executeCommands() }
            try await withGracefulShutdownHandler {
                for await (event, arrived) in self.inbox {
                    try self.process(event, arrived: arrived, journal: journal, recorder: recorder)
                }
            } onGracefulShutdown: {
                self.beginShutdown()
            }
            try journal.appendSnapshot(self.engine)
            try journal.sync()
            recorder?.flush()
            self.outboxContinuation.finish()
        }
        logger.info(
            "runtime stopped; protective orders stay at the venue",
            metadata: ["position": "\(engine.position.quantity)"])
    }

    /// Stops new entries and lets the inbox drain.
    func beginShutdown() {
        let time = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))
        state.withLock { $0.stopping = true }
        deliver(.control(ControlCommand(action: .pause, source: "shutdown", time: time)))
        inboxContinuation.finish()
    }

    func process(
        _ event: EngineEvent, arrived: ContinuousClock.Instant? = nil, journal: Journal, recorder: ReflexTickWriter?
    ) throws {
        let commands = state.withLock { shared -> [EngineCommand] in
            let commands = shared.engine.handle(event)
            if case .tick = event {
            } else {
                shared.lastEvents.append("\(event.kind)")
                if shared.lastEvents.count > 10 { shared.lastEvents.removeFirst() }
            }
            return commands
        }
        try journal.append(event)
        // Group commit: the event that causes an order reaches the OS before the order leaves (write-ahead), and
        // every other non-tick event and every 64 KiB are flushed too. Ticks that caused nothing may wait in the
        // buffer: after a crash the engine recovers exactly to the last record that reached the OS, a state no
        // order depended on beyond it.
        if !commands.isEmpty || !event.isTick || journal.pendingBytes >= 64 * 1024 {
            try journal.flush()
        }
        // Orders go out now; the commands are journaled right after (they follow from the journaled event, so a
        // replay re-derives them anyway) to keep JSON encoding off the tick-to-order path.
        for command in commands {
            switch command {
            case .place, .cancel, .addMargin: outboxContinuation.yield((command, arrived))
            case .notify, .record: break
            }
        }
        if !commands.isEmpty { try journal.append(commands) }
        switch event {
        case .tick(let tick): recorder?.append(tick)
        case .regimeShift(let shift):
            recorder?.append(shift)
            recorder?.flush()
        case .control(let c):
            if case .setMode(let mode) = c.action {
                recorder?.append(RegimeShift(mode: mode, source: .operator_, time: c.time))
            }
            recorder?.flush()
        default:
            // The recording is flushed at least once a second (timer events): a crash loses at most that much of
            // it, and nothing of the journal, which holds every tick too.
            recorder?.flush()
        }
        for case .notify(let notice) in commands { log(notice) }
        for observer in observers.withLock({ $0 }) { observer(event, commands) }
        if journal.recordsSinceSnapshot >= configuration.snapshotEvery {
            try journal.compact(to: engine)
            logger.debug("journal compacted")
        }
    }

    /// Sends commands concurrently so a slow REST call never holds up the engine.
    func executeCommands() async throws {
        await withDiscardingTaskGroup { group in
            for await (command, causedByTickAt) in outbox {
                if case .place = command, let causedByTickAt, let observe = tickToOrder.withLock({ $0 }) {
                    observe(ContinuousClock.now - causedByTickAt)
                }
                group.addTask {
                    let events: [EngineEvent]
                    switch command {
                    case .place(let intent): events = await self.gateway.place(intent)
                    case .cancel(let request): events = await self.gateway.cancel(request)
                    case .addMargin(let symbol, let amount):
                        events = await self.gateway.addMargin(symbol: symbol, amount: amount)
                    case .notify, .record: events = []
                    }
                    for event in events { self.deliver(event) }
                }
            }
        }
    }

    func log(_ notice: Notice) {
        let metadata: Logger.Metadata = ["kind": "\(notice.kind)"]
        switch notice.level {
        case .info: logger.info("\(notice.message)", metadata: metadata)
        case .warning: logger.warning("\(notice.message)", metadata: metadata)
        case .critical: logger.critical("\(notice.message)", metadata: metadata)
        }
    }
}

public struct ReconciliationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
