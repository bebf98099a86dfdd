/// The trading engine: a pure, deterministic state machine. `handle(_:)` takes one event and returns the
/// commands it implies. No I/O, no clock, no randomness — time arrives on the events — so a backtest and the
/// live bot run the same code, and a journal of events replays to the same commands.
public struct Engine: Sendable, Codable {
    public let configuration: EngineConfiguration
    public internal(set) var strategy: StrategyParameters
    public internal(set) var mode: TradingMode
    /// Entries paused by the operator, a flatten or a liquidation.
    public internal(set) var paused = false
    /// Why entries are halted by a risk limit (daily loss, kill switch), if they are.
    public internal(set) var riskHalt: String?

    public internal(set) var position = Position()
    public internal(set) var plan: TradePlan?
    public internal(set) var workingOrders: [WorkingOrder] = []
    public internal(set) var realizedPnl: Money = .zero
    public internal(set) var fees: Money = .zero
    public internal(set) var fillCount = 0
    public internal(set) var ticks = 0
    public internal(set) var barsClosed = 0
    public internal(set) var lastPrice: Price?
    public internal(set) var lastTime: Timestamp?
    public internal(set) var lastBar: BarRecord?

    var bars: BarAggregator
    var entryChannel: DonchianChannel
    var exitChannel: DonchianChannel
    var averageTrueRange: AverageTrueRange
    var realizedVolatility: RealizedVolatility
    var sequence: Int64 = 0
    var seenTradeIDs: Set<String> = []
    var seenTradeOrder: [String] = []
    var seenTradeHead = 0
    /// Budget-clock times of the orders and cancels sent in the current window (the order budget's log; the name is
    /// from when it held entries only, kept so that journals still decode).
    var recentOrderTimes: [Timestamp] = []
    var currentDay: Int64?
    var dayStartEquity: Money
    var lastExitBar = -1
    var lastMarginDefence: Timestamp?
    var detectorStreak = 0
    /// Entries rejected in a row by the venue, and the market time before which no new entry is tried (optional:
    /// journals written before these existed still decode).
    var entryRejections: Int?
    var entryRetryAfter: Timestamp?
    /// The last trade's time: market time, which other events' times (wall clock) must not push around.
    var lastTickTime: Timestamp?
    /// The newest timer time: the order budget's clock once timers come (wall time, live).
    var budgetClock: Timestamp?
    /// The path the order budget is holding back, while it is (said once a spell).
    var budgetHeld: String?
    /// Cancels the budget held back, sent first when it frees.
    var queuedCancels: [CancelRequest]?
    /// Protection the budget or a reconciliation held back, placed as soon as it can be.
    var protectionDeferred: Bool?
    /// A flatten asked for while the venue was being read: carried out on its answer.
    var flattenPending: Bool?
    /// Refusals in a row per ``OrderPath``, and the paths halted by them (cleared by `resume`).
    var pathRejections: [String: Int]?
    var haltedPaths: [String]?
    /// The bar on which an exit was refused: the next exit waits for a later bar.
    var exitRetryBar: Int?
    /// Snapshots seen, fills applied, the last reconciliation's fence (see ``PositionSync``).
    var positionSync: PositionSync? {
        didSet { awaitingVenue = positionSync.map { $0.pending != nil || $0.wanted != nil } ?? false }
    }
    /// Whether a read of the venue is asked for or on its way, kept beside `positionSync` because every trade asks
    /// it: reading it out of the sync state would copy that (its fill log and fence) on the hot path.
    var awaitingVenue: Bool?

    /// After this many entry rejections in a row the engine pauses entries: something is wrong that retrying will
    /// not fix (margin, permissions, filters), and a human should look.
    static let maximumEntryRejections = 5

    /// Fill trade ids remembered for de-duplication. The copies to catch are the webhook's and the user stream's
    /// reports of one fill, seconds or (webhook retries) minutes apart: 4,096 fills is days of live trading, and
    /// ≈ 0.5 MB at most. It was 20,000, which a ×200 replay took over an hour to fill, so memory grew all that time.
    static let rememberedTradeIDs = 4_096

    public init(configuration: EngineConfiguration) {
        self.configuration = configuration
        strategy = configuration.strategy
        mode = configuration.strategy.initialMode
        bars = BarAggregator(interval: strategy.barInterval)
        entryChannel = DonchianChannel(length: strategy.channelLength)
        exitChannel = DonchianChannel(length: strategy.exitChannelLength)
        averageTrueRange = AverageTrueRange(length: strategy.atrLength)
        realizedVolatility = RealizedVolatility(length: strategy.volatilityLength)
        dayStartEquity = configuration.initialEquity
        if configuration.risk.killSwitch { riskHalt = "kill switch is on" }
    }

    // MARK: - Read-outs

    /// Equity from realised results: initial + realised PnL − fees.
    public var equity: Money { configuration.initialEquity + realizedPnl - fees }
    /// Realised and unrealised result since the start of the UTC day (the daily-loss window).
    public var dailyPnl: Money { equity + unrealizedPnl - dayStartEquity }
    /// Open position notional at the last price (zero when flat or before the first trade).
    public var positionNotional: Money {
        guard let lastPrice, !position.isFlat else { return .zero }
        return Money.notional(lastPrice, position.quantity.magnitude)
    }
    public var unrealizedPnl: Money { lastPrice.map { position.unrealized(at: $0) } ?? .zero }
    /// The channel of the previous `channelLength` closed bars (what a breakout is judged against).
    public var channel: DonchianChannel.Value? { entryChannel.value }
    public var exitChannelValue: DonchianChannel.Value? { exitChannel.value }
    public var atr: Double? { averageTrueRange.value }
    public var volatility: Double? { realizedVolatility.value }
    /// Orders placed so far: the sequence number inside client order ids (never reused after a restart).
    public var ordersPlaced: Int64 { sequence }
    /// The bar being formed.
    public var formingBar: Bar? { bars.forming }
    public var entriesAllowed: Bool { !paused && riskHalt == nil }
    /// Order paths halted by refusals in a row (`resume` clears them).
    public var haltedOrderPaths: [OrderPath] { (haltedPaths ?? []).compactMap(OrderPath.init(rawValue:)) }
    /// Snapshot ordering and reconciliation counters.
    public var venueSync: PositionSync { positionSync ?? PositionSync() }

    // MARK: - Events

    /// Applies one event and returns what to do about it.
    public mutating func handle(_ event: EngineEvent) -> [EngineCommand] {
        if case .tick(let tick) = event { return onTick(tick) }
        lastTime = max(lastTime ?? event.time, event.time)
        if case .timer(let time) = event { budgetClock = max(budgetClock ?? time, time) }
        var out: [EngineCommand] = []
        rollDay(event.time, &out)
        switch event {
        case .tick: break
        case .barClosed(let bar): onBarClosed(bar, &out)
        case .orderAccepted(let e): onAccepted(e)
        case .orderRejected(let e): onRejected(e, &out)
        case .orderFilled(let e): onFilled(e, &out)
        case .orderCanceled(let e): onCanceled(e, &out)
        case .positionChanged(let e): onPositionUpdate(e, &out)
        case .marginWarning(let e): onMarginWarning(e, &out)
        case .liquidation(let e): onLiquidation(e, &out)
        case .regimeShift(let e): setMode(e.mode, source: e.source.rawValue, reason: e.reason, time: e.time, &out)
        case .control(let e): onControl(e, &out)
        case .timer(let time):
            checkDailyLoss(time: time, &out)
            onTimerSync(time: time, &out)
        case .venueState(let state): onVenueState(state, &out)
        case .reconciliationFailed(let failure): onReconciliationFailed(failure, &out)
        }
        // After the event: what it settled (a read of the venue, a freed budget) lets held work go.
        if hasDeferredWork { resumeDeferred(time: event.time, &out) }
        return out
    }

    /// The hot path: one trade. Same as `handle(.tick(tick))` without wrapping the tick in the (large) event enum.
    public mutating func handle(tick: Tick) -> [EngineCommand] { onTick(tick) }

    mutating func onTick(_ tick: Tick) -> [EngineCommand] {
        ticks &+= 1
        lastPrice = tick.price
        lastTime = tick.time
        lastTickTime = tick.time
        var out: [EngineCommand] = []
        if hasDeferredWork { resumeDeferred(time: tick.time, &out) }
        if let bar = bars.add(tick) {
            rollDay(tick.time, &out)
            onBarClosed(bar, &out)
        }
        evaluate(price: tick.price, time: tick.time, &out)
        return out
    }

    /// End of data: close the forming bar.
    public mutating func finish() -> [EngineCommand] {
        var out: [EngineCommand] = []
        if let bar = bars.flush() { onBarClosed(bar, &out) }
        return out
    }

    mutating func onBarClosed(_ bar: Bar, _ out: inout [EngineCommand]) {
        barsClosed += 1
        let high = bar.high.doubleValue
        let low = bar.low.doubleValue
        let close = bar.close.doubleValue
        entryChannel.update(high: high, low: low)
        exitChannel.update(high: high, low: low)
        averageTrueRange.update(high: high, low: low, close: close)
        realizedVolatility.update(close: close)
        let record = BarRecord(
            bar: bar, channel: entryChannel.value, atr: averageTrueRange.value, volatility: realizedVolatility.value,
            mode: mode)
        lastBar = record
        out.append(.record(record))
        detectRegime(time: bar.closeTime, &out)
    }

    // MARK: - Mode, control

    mutating func setMode(
        _ newMode: TradingMode, source: String, reason: String?, time: Timestamp, _ out: inout [EngineCommand]
    ) {
        guard newMode != mode else {
            out.append(
                .notify(
                    Notice(
                        level: .info, kind: "modeUnchanged",
                        message: "already in \(mode.rawValue) mode (from \(source))", time: time)))
            return
        }
        let old = mode
        mode = newMode
        // Entries planned under the old regime no longer apply; protection of an open position stays.
        cancelOrders(
            where: { $0.intent.purpose == .entry }, reason: "mode changed to \(newMode.rawValue)", time: time, &out)
        let why = reason.map { ": \($0)" } ?? ""
        out.append(
            .notify(
                Notice(
                    level: .info, kind: "modeChanged",
                    message: "mode \(old.rawValue) → \(newMode.rawValue) (source: \(source))\(why)", time: time)))
    }

    mutating func onControl(_ command: ControlCommand, _ out: inout [EngineCommand]) {
        let time = command.time
        switch command.action {
        case .setMode(let m):
            setMode(m, source: command.source, reason: nil, time: time, &out)
        case .pause:
            paused = true
            cancelOrders(where: { $0.intent.purpose == .entry }, reason: "paused", time: time, &out)
            out.append(
                .notify(
                    Notice(level: .info, kind: "paused", message: "entries paused by \(command.source)", time: time)))
        case .resume:
            paused = false
            entryRejections = nil
            entryRetryAfter = nil
            pathRejections = nil
            haltedPaths = nil
            let halt = riskHalt.map { " (still halted: \($0))" } ?? ""
            out.append(
                .notify(
                    Notice(
                        level: .info, kind: "resumed", message: "entries resumed by \(command.source)\(halt)",
                        time: time)))
        case .flatten:
            paused = true
            // While the position is being read, `flatten` holds the close until the venue has said what is open.
            flatten(reason: "flatten by \(command.source)", time: time, &out)
        case .reconcile:
            requestReconcile(reason: command.source, time: time, &out)
        case .setParam(let name, let value):
            if let updated = strategy.settingValue(name, to: value) {
                strategy = updated
                out.append(
                    .notify(Notice(level: .info, kind: "paramChanged", message: "\(name) = \(value)", time: time)))
            } else {
                out.append(
                    .notify(
                        Notice(
                            level: .warning, kind: "paramRejected",
                            message:
                                "cannot set \(name) to \(value); tunable: \(StrategyParameters.tunableNames.joined(separator: ", "))",
                            time: time)))
            }
        }
    }

    /// Cancels everything and closes the position at market.
    /// The close goes first: held back by the order budget (or a read of the venue), it goes as soon as it can,
    /// and meanwhile only entries are cancelled, so the position keeps its protection until it is being closed.
    mutating func flatten(reason: String, time: Timestamp, _ out: inout [EngineCommand]) {
        if !position.isFlat && !hasWorkingOrder(where: { $0.intent.purpose == .flatten }) {
            guard
                place(
                    side: position.closingSide, type: .market, quantity: position.quantity.magnitude,
                    reduceOnly: true, purpose: .flatten, time: time, &out)
            else {
                flattenPending = true
                cancelOrders(where: { !$0.intent.reduceOnly }, reason: reason, time: time, &out)
                return
            }
        }
        cancelOrders(where: { $0.intent.purpose != .flatten }, reason: reason, time: time, &out)
        out.append(.notify(Notice(level: .warning, kind: "flatten", message: reason, time: time)))
    }

    // MARK: - Regime detector

    mutating func detectRegime(time: Timestamp, _ out: inout [EngineCommand]) {
        guard let rule = strategy.regimeDetector, let channel = entryChannel.value, let atr = averageTrueRange.value,
            atr > 0
        else { return }
        let ratio = channel.width / atr
        let wanted: TradingMode? =
            mode == .range && ratio >= rule.trendAbove
            ? .trend : mode == .trend && ratio <= rule.rangeBelow ? .range : nil
        guard let wanted else {
            detectorStreak = 0
            return
        }
        detectorStreak += 1
        if detectorStreak >= rule.confirmBars {
            detectorStreak = 0
            let reason = "channel width \(formatted(ratio)) ATR over \(rule.confirmBars) bars"
            setMode(wanted, source: RegimeSource.detector.rawValue, reason: reason, time: time, &out)
        }
    }

    // MARK: - Risk

    mutating func rollDay(_ time: Timestamp, _ out: inout [EngineCommand]) {
        let day = time.nanoseconds / 86_400_000_000_000
        guard day != currentDay else { return }
        let first = currentDay == nil
        currentDay = day
        dayStartEquity = equity + unrealizedPnl
        if !first, let halt = riskHalt, halt.hasPrefix("daily loss") {
            riskHalt = nil
            out.append(
                .notify(
                    Notice(level: .info, kind: "riskHaltCleared", message: "new UTC day: \(halt) cleared", time: time)))
        }
    }

    mutating func checkDailyLoss(time: Timestamp, _ out: inout [EngineCommand]) {
        guard let limit = configuration.risk.maxDailyLoss, riskHalt == nil else { return }
        let loss = dayStartEquity - (equity + unrealizedPnl)
        guard loss > limit else { return }
        riskHalt = "daily loss \(loss) exceeds \(limit)"
        cancelOrders(where: { $0.intent.purpose == .entry }, reason: "risk halt", time: time, &out)
        out.append(
            .notify(
                Notice(
                    level: .critical, kind: "riskHalt", message: "entries halted: \(riskHalt!); protection kept",
                    time: time)))
    }

    func formatted(_ x: Double) -> String {
        let scaled = (x * 100).rounded() / 100
        return "\(scaled)"
    }
}
