import Foundation
public import Logging
import ReflexBacktest
public import ReflexCore
import ReflexExchange
public import ServiceLifecycle
public import Synchronization

/// The live runtime: the one owner of the engine.
///
/// Every source (market stream, account stream, webhooks, operator, timers) hands its events to ``deliver(_:)``,
/// which applies them one at a time under a lock, in the caller's task: arrival order is processing order, and a
/// tick goes from the socket through the engine to its order without a queue or a task switch. Each event, and
/// the commands it produced, is journaled and the journal flushed before the commands go out through the
/// ``OrderGateway``, each in its own task so a slow REST call never holds up the engine. Command outcomes come
/// back through ``deliver(_:)``.
public final class TradingRuntime: Service {
    public struct Configuration: Sendable {
        /// One engine per market, in the deployment's order.
        public var engines: [EngineConfiguration]
        /// Limits across the markets.
        public var portfolio: PortfolioLimits
        public var journalPath: String
        /// Write raw ticks and regime switches here in Reflex's tick format (today's session, tomorrow's backtest);
        /// with several markets, one file per market with its symbol before the extension.
        public var recordingPath: String?
        /// Snapshot and compact the journal after this many records.
        public var snapshotEvery: Int
        /// The first market's engine (the only one of a one-market deployment).
        public var engine: EngineConfiguration { engines[0] }

        public init(
            engines: [EngineConfiguration], portfolio: PortfolioLimits = .init(), journalPath: String,
            recordingPath: String? = nil, snapshotEvery: Int = 1_000_000
        ) {
            precondition(!engines.isEmpty, "a runtime trades at least one market")
            self.engines = engines
            self.portfolio = portfolio
            self.journalPath = journalPath
            self.recordingPath = recordingPath
            self.snapshotEvery = snapshotEvery
        }

        public init(
            engine: EngineConfiguration, journalPath: String, recordingPath: String? = nil,
            snapshotEvery: Int = 1_000_000
        ) {
            self.init(
                engines: [engine], journalPath: journalPath, recordingPath: recordingPath,
                snapshotEvery: snapshotEvery)
        }

        /// Where market `index`'s ticks are recorded.
        func recordingPath(market index: Int) -> String? {
            guard let path = recordingPath else { return nil }
            guard engines.count > 1 else { return path }
            let symbol = engines[index].strategy.symbol
            let url = URL(fileURLWithPath: path)
            let ext = url.pathExtension
            let base = url.deletingPathExtension().path
            return ext.isEmpty ? "\(base)-\(symbol)" : "\(base)-\(symbol).\(ext)"
        }
    }

    public let configuration: Configuration
    public let logger: Logger
    private let gateway: any OrderGateway
    /// Receives, for every order a tick caused, the time from the tick's arrival to the order's REST call.
    ///
    /// Immutable on purpose: a closure read out of a `Mutex` (`withLock { $0 }`) is written back wrapped in two more
    /// reabstraction thunks on every read (swiftlang/swift#91348), which leaked 64 bytes and deepened every later
    /// call by two frames per order: RSS crept up for ever and the observer slowed down.
    private let tickToOrder: (@Sendable (Duration) -> Void)?
    private let state: Mutex<SharedState>
    private let started = ContinuousClock.now
    /// Several markets: journal records carry their market.
    private let several: Bool
    /// A journal failure ends `run()` (and so the bot) with the error.
    private let failures: AsyncStream<any Error>
    private let failureContinuation: AsyncStream<any Error>.Continuation
    /// Called after every event with the commands it produced (metrics, terminal status line).
    public let observers: Mutex<[@Sendable (EngineEvent, [EngineCommand]) -> Void]> = Mutex([])

    struct SharedState {
        var portfolio: Portfolio
        var journal: Journal
        /// Per market.
        var recorders: [ReflexTickWriter?]
        var lastEvents: [String] = []
        /// The last event's commands, journaled when the next event comes (or at shutdown): they follow from the
        /// event, which is journaled first, so a replay re-derives them; encoding them later keeps JSON off the
        /// path from a trade to its order.
        var unjournaledCommands: [EngineCommand] = []
        /// Commands sent whose outcome has not come back yet (shutdown waits for them).
        var inFlight = 0
        /// Orders sent whose answer has not come back yet (a reconciliation read waits for them).
        var placementsInFlight = 0
        /// Set once the final snapshot is written (or the journal failed): later events are not applied.
        var closed = false
        /// The account's totals at the last read (status only: the engines size from their own results).
        var account: AccountSnapshot?
        /// Positions the account holds in markets the bot does not trade (reported, left alone).
        var untradedPositions: [String: String] = [:]
    }

    /// Recovers the engine from the journal (or starts fresh) and opens the journal with a snapshot.
    /// - Parameter tickToOrder: sees, for every order a tick caused, the time from the tick's arrival to the
    ///   order's REST call (metrics).
    public init(
        configuration: Configuration, gateway: any OrderGateway, logger: Logger,
        tickToOrder: (@Sendable (Duration) -> Void)? = nil
    ) throws {
        self.configuration = configuration
        self.tickToOrder = tickToOrder
        self.gateway = gateway
        self.logger = logger
        let fresh = Portfolio(
            markets: configuration.engines.map { Engine(configuration: $0) }, limits: configuration.portfolio)
        let replay = try JournalReplay(path: configuration.journalPath, fresh: fresh)
        for (index, engine) in replay.portfolio.markets.enumerated() where replay.eventsReplayed > 0 || engine.ticks > 0
        {
            logger.info(
                "recovered engine from journal",
                metadata: [
                    "symbol": "\(engine.strategy.symbol)", "events": "\(replay.eventsReplayed)",
                    "position": "\(engine.position.quantity)", "workingOrders": "\(engine.workingOrders.count)",
                    "mismatches": "\(index == 0 ? replay.commandMismatches : 0)",
                ])
        }
        for symbol in replay.droppedMarkets {
            logger.warning(
                "the journal holds a market this deployment does not trade; its state is not recovered and any position of it at the venue is left alone",
                metadata: ["symbol": "\(symbol)"])
        }
        if let torn = replay.tornTail {
            logger.warning("journal ended in a torn record (ignored)", metadata: ["line": "\(torn)"])
        }
        var portfolio = replay.portfolio
        // A read of the venue asked for before the restart will never be answered; start-up reads it anew.
        portfolio.abandonPendingReconciliation()
        let journal = try Journal(path: configuration.journalPath)
        try journal.appendSnapshot(portfolio)
        try journal.sync()
        let recorders = try configuration.engines.indices.map { index in
            try configuration.recordingPath(market: index).map {
                try ReflexTickWriter(path: $0, symbol: configuration.engines[index].strategy.symbol)
            }
        }
        state = Mutex(SharedState(portfolio: portfolio, journal: journal, recorders: recorders))
        several = configuration.engines.count > 1
        (failures, failureContinuation) = AsyncStream.makeStream(of: (any Error).self)
    }

    /// Applies an event now, in the caller's task, and sends the commands it produced. Safe from any task; the
    /// order in which callers get here is the order the engine sees. The event goes to its market (by symbol and
    /// client-order-id prefix); one that matches none is logged and counted, never applied.
    public func deliver(_ event: EngineEvent) { apply(event, market: nil, arrived: nil) }

    /// Applies a tick of the first market that came off the socket at `arrived` (the start of its tick-to-order
    /// latency).
    public func deliver(tick: Tick, arrived: ContinuousClock.Instant) {
        apply(.tick(tick), market: 0, arrived: arrived)
    }

    /// Applies a tick of market `index`.
    public func deliver(tick: Tick, market index: Int, arrived: ContinuousClock.Instant) {
        apply(.tick(tick), market: index, arrived: arrived)
    }

    /// The first market's engine as it is now (a copy; the only one of a one-market deployment).
    public var engine: Engine { state.withLock { $0.portfolio.markets[0] } }

    /// Every market's engine and the portfolio's risk layer as they are now (a copy).
    public var portfolio: Portfolio { state.withLock { $0.portfolio } }

    /// The market trading `symbol`.
    public func market(symbol: String) -> Int? {
        configuration.engines.firstIndex { $0.strategy.symbol == symbol }
    }

    public func status() -> RuntimeStatus {
        let uptime = ContinuousClock.now - started
        return state.withLock {
            var status = RuntimeStatus(
                portfolio: $0.portfolio,
                uptimeSeconds: Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18,
                lastEvents: $0.lastEvents)
            status.portfolio.account = $0.account.map(PortfolioStatus.Account.init)
            status.portfolio.untradedPositions = $0.untradedPositions
            return status
        }
    }

    /// Start-up reconciliation against the venue: check the strategy's price and size grid against the venue's
    /// rules, adopt its position (the engine protects an unprotected one at once), forget orders the venue no longer
    /// has, and refuse to start when the venue holds orders for the symbol that this bot did not make.
    public func reconcile(now: Timestamp) async throws {
        var markets: [StartupCheck.MarketSnapshot] = []
        for engine in configuration.engines {
            let symbol = engine.strategy.symbol
            markets.append(
                StartupCheck.MarketSnapshot(
                    symbol: symbol, orderIDPrefix: engine.orderIDPrefix, instrument: engine.strategy.instrument,
                    rules: try await gateway.instrumentRules(symbol: symbol),
                    openOrders: try await gateway.openOrders(symbol: symbol)))
        }
        // Positions elsewhere on the account are only reported: a venue that cannot list them does not stop the bot.
        let check = StartupCheck(markets: markets, accountPositions: (try? await gateway.allPositions()) ?? [])
        if let refusal = check.refusals.first { throw ReconciliationError(message: refusal) }
        for position in check.untradedPositions {
            logger.warning(
                "the account holds a position in a market this bot does not trade; left alone",
                metadata: ["symbol": "\(position.symbol)", "quantity": "\(position.quantity)"])
        }
        state.withLock { shared in
            shared.untradedPositions = Dictionary(
                check.untradedPositions.map { ($0.symbol, $0.quantity.description) }, uniquingKeysWith: { $1 })
        }
        await refreshAccount()
        // Through the engines like every read: each holds every order until the answer, adopts the venue's
        // position and orders, cancels orphans of its own and protects what is open; fills of orders the journal
        // knows that arrive later are recognised as contained in the read. (Then the timer: the order budget's
        // clock is the wall clock from here on.)
        func answered() -> [Int] { portfolio.markets.map(\.venueSync.reconciliations) }
        let before = answered()
        deliver(.control(ControlCommand(action: .reconcile, source: "start-up", time: now)))
        deliver(.timer(now))
        let deadline = ContinuousClock.now + .seconds(60)
        while zip(answered(), before).contains(where: { $0 == $1 }) {
            guard ContinuousClock.now < deadline else {
                throw ReconciliationError(message: "the venue's position and open orders could not be read in 60 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Reads the venue's open orders, position and open orders again (until the two order reads agree, so that no
    /// fill fell between them), after the orders already sent have their answers.
    func readVenue(_ request: ReconcileRequest, now: Timestamp) async throws -> VenueState {
        // An order still on its way could land after the read and be taken for finished: wait for its answer
        // (a request's deadline plus its look-ups are well inside this).
        let deadline = ContinuousClock.now + .seconds(30)
        while state.withLock({ $0.placementsInFlight }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        func summary(_ orders: [OpenOrder]) -> [String] {
            orders.map { "\($0.clientOrderID.rawValue)=\($0.filledQuantity)" }.sorted()
        }
        var attempt = 0
        while true {
            attempt += 1
            let before = try await gateway.openOrders(symbol: request.symbol)
            let position = try await gateway.position(symbol: request.symbol)
            let after = try await gateway.openOrders(symbol: request.symbol)
            guard summary(before) == summary(after) || attempt >= 3 else { continue }
            return VenueState(
                symbol: request.symbol, quantity: position.quantity, entryPrice: position.entryPrice,
                openOrders: after.map {
                    VenueState.OpenOrder(
                        clientOrderID: $0.clientOrderID, filledQuantity: $0.filledQuantity,
                        conditional: $0.type.isConditional)
                }, fenceSequence: request.fenceSequence, reason: request.reason, requestID: request.id, time: now)
        }
    }

    /// Reads the account's totals for status (margin ratio across markets); a failure keeps the last ones.
    func refreshAccount() async {
        guard let account = try? await gateway.account() else { return }
        state.withLock { $0.account = account }
    }

    /// A reconciliation the engine asked for: the venue's picture, or why it could not be read.
    private func reconciliation(_ request: ReconcileRequest) async -> EngineEvent {
        // The account's figures with the first market's periodic read (one request per period, not per market).
        if request.symbol == configuration.engines[0].strategy.symbol { await refreshAccount() }
        let now = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))
        do {
            let venue = try await readVenue(request, now: now)
            logger.info(
                "venue read for reconciliation",
                metadata: [
                    "reason": "\(request.reason)", "position": "\(venue.quantity)",
                    "openOrders": "\(venue.openOrders.count)",
                ])
            return .venueState(venue)
        } catch {
            return .reconciliationFailed(
                ReconciliationFailed(symbol: request.symbol, reason: "\(error)", time: now))
        }
    }

    /// Waits for shutdown (or a journal failure), then stops entries, lets sent commands finish (at most
    /// `drainTimeout`), writes a final snapshot and flushes everything.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            for await failure in failures { throw failure }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while state.withLock({ $0.inFlight }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        try state.withLock { shared in
            guard !shared.closed else { return }
            shared.closed = true
            try shared.journal.append(shared.unjournaledCommands)
            try shared.journal.appendSnapshot(shared.portfolio)
            try shared.journal.sync()
            for recorder in shared.recorders { recorder?.flush() }
        }
        logger.info(
            "runtime stopped; protective orders stay at the venue",
            metadata: [
                "position":
                    "\(portfolio.markets.map { "\($0.strategy.symbol) \($0.position.quantity)" }.joined(separator: ", "))"
            ])
    }

    /// Stops new entries; `run()` then drains and closes.
    func beginShutdown() {
        let time = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))
        deliver(.control(ControlCommand(action: .pause, source: "shutdown", time: time)))
        failureContinuation.finish()
    }

    /// One event through its market's engine, the journal and out to the venue.
    private func apply(_ event: EngineEvent, market: Int?, arrived: ContinuousClock.Instant?) {
        let outcome = state.withLock {
            shared -> Result<([EngineCommand], Portfolio.Route?, [String: Price]), any Error>? in
            guard !shared.closed else { return nil }
            do {
                let (commands, route) = try process(event, market: market, shared: &shared)
                shared.inFlight += commands.count { $0.isSent }
                // Each order goes with its market's last trade: the execution layer checks a market order's
                // notional at it (and Deribit sizes its USD contracts by it).
                var referencePrices: [String: Price] = [:]
                for case .place(let intent) in commands {
                    shared.placementsInFlight += 1
                    if referencePrices[intent.symbol] == nil {
                        referencePrices[intent.symbol] =
                            shared.portfolio.markets.first { $0.strategy.symbol == intent.symbol }?.lastPrice
                    }
                }
                return .success((commands, route, referencePrices))
            } catch {
                shared.closed = true
                return .failure(error)
            }
        }
        switch outcome {
        case nil:
            logger.debug("event after shutdown not applied", metadata: ["kind": "\(event.kind)"])
        case .failure(let error):
            logger.critical("journal write failed; stopping", metadata: ["error": "\(error)"])
            failureContinuation.yield(error)
        case .success(let (commands, route, referencePrices)):
            if case .unmatched(let why)? = route {
                logger.warning(
                    "event matches no market; not applied",
                    metadata: ["kind": "\(event.kind)", "why": "\(why)", "event": "\(event)"])
            }
            for command in commands where command.isSent {
                send(command, causedBy: event, arrived: arrived, referencePrices: referencePrices)
            }
            for case .notify(let notice) in commands { log(notice) }
            for observer in observers.withLock({ $0 }) { observer(event, commands) }
        }
    }

    /// Applies the event, journals it (flushed when it caused commands: write-ahead), records it.
    private func process(_ event: EngineEvent, market: Int?, shared: inout SharedState) throws -> (
        [EngineCommand], Portfolio.Route?
    ) {
        let journal = shared.journal
        if !shared.unjournaledCommands.isEmpty {
            try journal.append(shared.unjournaledCommands)
            shared.unjournaledCommands = []
        }
        let commands: [EngineCommand]
        var route: Portfolio.Route?
        var label: String?
        if case .tick(let tick) = event, let market {
            commands = shared.portfolio.handle(tick: tick, market: market)
            if several { label = configuration.engines[market].strategy.symbol }
        } else {
            (route, commands) = shared.portfolio.handle(event)
            shared.lastEvents.append("\(event.kind)")
            if shared.lastEvents.count > 10 { shared.lastEvents.removeFirst() }
            if several {
                switch route {
                case .market(let index)?: label = configuration.engines[index].strategy.symbol
                case .all?: label = "*"
                case .unmatched?, nil: label = "?"
                }
            }
        }
        try journal.append(event, market: label)
        shared.unjournaledCommands = commands
        // Group commit: the event that causes an order reaches the OS before the order leaves, and every other
        // non-tick event and every 4 KiB are flushed too. Ticks that caused nothing may wait in the buffer: after
        // a crash the engine recovers exactly to the last record that reached the OS, a state no order depended on
        // beyond it. The buffer stays small because whatever is in it is written on the order's path: at 64 KiB a
        // burst's ticks put a 27 KB write (0.5 ms on overlayfs) between a breakout and its order.
        if !commands.isEmpty || !event.isTick || journal.pendingBytes >= 4 * 1024 {
            try journal.flush()
        }
        record(event, market: market ?? route?.market, shared: &shared)
        if journal.recordsSinceSnapshot >= configuration.snapshotEvery {
            shared.unjournaledCommands = []  // the snapshot holds their effect
            try journal.compact(to: shared.portfolio)
            logger.debug("journal compacted")
        }
        return (commands, route)
    }

    /// The recording: ticks and regime switches of each market in its own file.
    private func record(_ event: EngineEvent, market: Int?, shared: inout SharedState) {
        func each(_ body: (ReflexTickWriter) -> Void) {
            if let market {
                shared.recorders[market].map(body)
            } else {
                for recorder in shared.recorders { recorder.map(body) }
            }
        }
        switch event {
        case .tick(let tick):
            if let market { shared.recorders[market]?.append(tick) }
        case .regimeShift(let shift):
            each {
                $0.append(shift)
                $0.flush()
            }
        case .control(let c):
            if case .setMode(let mode) = c.action {
                each { $0.append(RegimeShift(mode: mode, source: .operator_, time: c.time)) }
            }
            each { $0.flush() }
        default:
            // The recording is flushed at least once a second (timer events): a crash loses at most that much of
            // it, and nothing of the journal, which holds every tick too.
            for recorder in shared.recorders { recorder?.flush() }
        }
    }

    /// Sends one command in its own task; its outcome comes back as events.
    ///
    /// The task starts immediately, in the caller's context, and runs until its first suspension: signing, the
    /// HTTP request and (the connection being on this same event loop) the socket write happen before the caller
    /// goes on to the next trade. A task that merely got queued would wait behind everything already queued.
    private func send(
        _ command: EngineCommand, causedBy event: EngineEvent, arrived: ContinuousClock.Instant?,
        referencePrices: [String: Price]
    ) {
        let operation: @Sendable () async -> Void = { [self] in
            let sentAt = Int64(Date().timeIntervalSince1970 * 1000)
            if case .place = command, let arrived, let observe = tickToOrder {
                observe(ContinuousClock.now - arrived)
            }
            let events: [EngineEvent]
            switch command {
            case .place(let intent):
                events = await gateway.place(intent, referencePrice: referencePrices[intent.symbol])
                logOrder(intent, causedBy: event, outcome: events, sentAt: sentAt)
            case .cancel(let request):
                events = await gateway.cancel(request)
                logger.info(
                    "cancel sent",
                    metadata: [
                        "clientOrderId": "\(request.clientOrderID.rawValue)", "reason": "\(request.reason)",
                        "outcome": "\(events.map { "\($0.kind)" }.joined(separator: ","))", "sentAt": "\(sentAt)",
                    ])
            case .addMargin(let symbol, let amount): events = await gateway.addMargin(symbol: symbol, amount: amount)
            case .reconcile(let request): events = [await reconciliation(request)]
            case .notify, .record: events = []
            }
            for event in events { deliver(event) }
            state.withLock {
                $0.inFlight -= 1
                if case .place = command { $0.placementsInFlight -= 1 }
            }
        }
        if #available(macOS 26.0, *) {
            Task.immediate(operation: operation)
        } else {
            Task(operation: operation)
        }
    }

    /// Every order is logged once its outcome is known, with the trade that caused it (the audit trail, and how
    /// the wire-to-wire latency benchmark pairs a trade on the market socket with an order on the REST socket).
    private func logOrder(_ intent: OrderIntent, causedBy event: EngineEvent, outcome: [EngineEvent], sentAt: Int64) {
        var metadata: Logger.Metadata = [
            "clientOrderId": "\(intent.clientOrderID.rawValue)", "side": "\(intent.side)", "sentAt": "\(sentAt)",
            "type": "\(intent.type.name)", "quantity": "\(intent.quantity)", "purpose": "\(intent.purpose)",
            "outcome": "\(outcome.map { "\($0.kind)" }.joined(separator: ","))",
        ]
        if case .tick(let tick) = event { metadata["tradeId"] = "\(tick.tradeID)" }
        if several { metadata["symbol"] = "\(intent.symbol)" }
        logger.info("order sent", metadata: metadata)
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

extension Portfolio.Route {
    /// The one market of the route, if it has one.
    var market: Int? { if case .market(let index) = self { index } else { nil } }
}

extension EngineCommand {
    /// Whether the command goes to the venue (the rest are local).
    var isSent: Bool {
        switch self {
        case .place, .cancel, .addMargin, .reconcile: return true
        case .notify, .record: return false
        }
    }
}

public struct ReconciliationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
