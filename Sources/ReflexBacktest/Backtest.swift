import Foundation
public import ReflexCore

/// Settings of one backtest run.
public struct BacktestConfiguration: Sendable {
    public var engine: EngineConfiguration
    public var venue: SimulatedVenue.Configuration
    /// Only ticks at or after this time.
    public var from: Timestamp?
    /// Only ticks before this time.
    public var to: Timestamp?
    public var skipBadLines: Bool

    public init(
        engine: EngineConfiguration, venue: SimulatedVenue.Configuration? = nil, from: Timestamp? = nil,
        to: Timestamp? = nil, skipBadLines: Bool = false
    ) {
        self.engine = engine
        self.venue =
            venue
            ?? SimulatedVenue.Configuration(
                makerFeeRate: engine.strategy.makerFeeRate, takerFeeRate: engine.strategy.takerFeeRate,
                tickSize: engine.strategy.instrument.tickSize)
        self.from = from
        self.to = to
        self.skipBadLines = skipBadLines
    }
}

/// Replays tick files through the engine against a ``SimulatedVenue``: the same engine the live bot runs.
public struct BacktestRunner {
    public let configuration: BacktestConfiguration
    /// Called now and then with (bytes read, ticks) for a progress display.
    public var progress: ((_ bytes: Int, _ ticks: Int) -> Void)?
    /// Receives each closed bar's equity row (time, close, position, equity) for the equity-curve CSV.
    public var equityRow: ((_ record: BarRecord, _ position: Quantity, _ equity: Money) -> Void)?
    /// Receives each finished round trip.
    public var tradeRow: ((RoundTrip) -> Void)?

    public init(configuration: BacktestConfiguration) { self.configuration = configuration }

    /// Runs the whole backtest over `files` in order.
    /// - Throws: ``TickFileError`` for unreadable or malformed input (unless `skipBadLines`).
    public func run(files: [String]) throws -> BacktestResult {
        var state = RunState(configuration: configuration, runner: self)
        let started = DispatchTime.now().uptimeNanoseconds
        for path in files {
            let reader = try TickFileReader(path: path, skipBadLines: configuration.skipBadLines)
            if let symbol = reader.symbol, symbol != configuration.engine.strategy.symbol {
                throw TickFileError(
                    file: path, line: 0, column: 0,
                    message: "the file is \(symbol) but the strategy trades \(configuration.engine.strategy.symbol)")
            }
            var sinceProgress = 0
            while let item = try reader.next() {
                switch item {
                case .tick(let tick):
                    if let from = configuration.from, tick.time < from { continue }
                    if let to = configuration.to, tick.time >= to { continue }
                    state.process(tick)
                case .regimeShift(let shift):
                    state.dispatch(.regimeShift(shift))
                }
                sinceProgress += 1
                if sinceProgress == 262_144, let progress {
                    sinceProgress = 0
                    progress(reader.bytesRead, state.engine.ticks)
                }
            }
            state.badLines += reader.badLines
            state.outOfOrder += reader.outOfOrderTicks
        }
        state.finish()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return state.result(elapsed: elapsed)
    }
}

/// The moving parts of one run.
struct RunState {
    let configuration: BacktestConfiguration
    let runner: BacktestRunner
    var engine: Engine
    var venue: SimulatedVenue
    var ledger = RoundTripLedger()
    var chart = ChartSampler()
    var equityPeak = 0.0
    var maxDrawdown = 0.0
    var maxDrawdownAmount = 0.0
    var previousEquity: Double?
    var returns = RunningMoments()
    var barsWithPosition = 0
    var barsSeen = 0
    var firstTick: Timestamp?
    var lastTick: Timestamp?
    var badLines = 0
    var outOfOrder = 0
    var modeChanges: [Notice] = []
    var notices: [String: Int] = [:]
    var queue: [EngineEvent] = []
    /// The simulated venue's position with its cost, from its fills (what a reconciliation read answers).
    var venuePosition = Position()

    init(configuration: BacktestConfiguration, runner: BacktestRunner) {
        self.configuration = configuration
        self.runner = runner
        engine = Engine(configuration: configuration.engine)
        venue = SimulatedVenue(symbol: configuration.engine.strategy.symbol, configuration: configuration.venue)
        equityPeak = configuration.engine.initialEquity.doubleValue
    }

    mutating func process(_ tick: Tick) {
        if firstTick == nil { firstTick = tick.time }
        lastTick = tick.time
        // The tape trades through resting orders first; then the engine sees the trade.
        let fills = venue.process(tick)
        for event in fills { dispatch(event) }
        let commands = engine.handle(tick: tick)
        if !commands.isEmpty { execute(commands, time: tick.time) }
    }

    mutating func dispatch(_ event: EngineEvent) {
        if case .orderFilled(let fill) = event {
            _ = venuePosition.apply(side: fill.side, quantity: fill.quantity, price: fill.price)
            if let trip = ledger.record(fill, mode: engine.mode) { runner.tradeRow?(trip) }
        }
        let commands = engine.handle(event)
        if !commands.isEmpty { execute(commands, time: event.time) }
    }

    mutating func execute(_ commands: [EngineCommand], time: Timestamp) {
        // A read of the venue is answered after the rest of the batch has reached it, as a real read would be.
        var reads: [ReconcileRequest] = []
        for command in commands {
            switch command {
            case .place(let intent):
                for event in venue.submit(intent, at: time) { dispatch(event) }
            case .cancel(let request):
                for event in venue.cancel(request.clientOrderID, at: time, reason: request.reason) { dispatch(event) }
            case .addMargin:
                notices["addMargin", default: 0] += 1  // isolated margin is not simulated in backtests
            case .notify(let notice):
                notices[notice.kind, default: 0] += 1
                if notice.kind == "modeChanged" { modeChanges.append(notice) }
            case .record(let record):
                onBar(record)
            case .reconcile(let request):
                // The engine reads the venue (a refused exit raced a fill): the simulated venue answers at once.
                notices["reconcile", default: 0] += 1
                reads.append(request)
            }
        }
        for request in reads {
            let entry = venuePosition.averageEntry.flatMap { Price(approximating: $0) } ?? .zero
            dispatch(.venueState(venue.state(answering: request, entryPrice: entry, time: time)))
        }
    }

    mutating func onBar(_ record: BarRecord) {
        barsSeen += 1
        if !engine.position.isFlat { barsWithPosition += 1 }
        let mark = engine.position.unrealized(at: record.bar.close)
        let equityMoney = engine.equity + mark
        let equity = equityMoney.doubleValue
        if let previous = previousEquity, previous > 0 { returns.add(equity / previous - 1) }
        previousEquity = equity
        equityPeak = max(equityPeak, equity)
        let drawdown = equityPeak > 0 ? (equityPeak - equity) / equityPeak : 0
        maxDrawdown = max(maxDrawdown, drawdown)
        maxDrawdownAmount = max(maxDrawdownAmount, equityPeak - equity)
        chart.add(
            BacktestResult.ChartPoint(
                time: record.bar.openTime, close: record.bar.close.doubleValue, upper: record.channel?.upper,
                lower: record.channel?.lower, equity: equity, drawdown: drawdown))
        runner.equityRow?(record, engine.position.quantity, equityMoney)
    }

    mutating func finish() {
        let commands = engine.finish()
        if let time = lastTick { execute(commands, time: time) }
    }

    func result(elapsed: Double) -> BacktestResult {
        let trips = ledger.trips
        let wins = trips.filter { $0.netPnl.raw > 0 }
        let grossProfit = trips.filter { $0.netPnl.raw > 0 }.reduce(0.0) { $0 + $1.netPnl.doubleValue }
        let grossLoss = trips.filter { $0.netPnl.raw < 0 }.reduce(0.0) { $0 - $1.netPnl.doubleValue }
        let interval = Double(configuration.engine.strategy.barInterval.nanoseconds) / 1e9
        let barsPerYear = 365 * 86_400 / interval
        var sharpe: Double?
        if returns.count > 1, returns.standardDeviation > 0 {
            sharpe = returns.mean / returns.standardDeviation * barsPerYear.squareRoot()
        }
        return BacktestResult(
            strategy: engine.strategy, initialEquity: configuration.engine.initialEquity, ticks: engine.ticks,
            bars: engine.barsClosed, trades: trips, fills: engine.fillCount,
            netPnl: engine.realizedPnl - engine.fees + engine.unrealizedPnl, fees: engine.fees,
            finalEquity: engine.equity + engine.unrealizedPnl, maxDrawdown: maxDrawdown,
            maxDrawdownAmount: maxDrawdownAmount, sharpe: sharpe,
            winRate: trips.isEmpty ? nil : Double(wins.count) / Double(trips.count),
            profitFactor: grossLoss > 0 ? grossProfit / grossLoss : nil,
            exposure: barsSeen == 0 ? 0 : Double(barsWithPosition) / Double(barsSeen), elapsedSeconds: elapsed,
            ticksPerSecond: elapsed > 0 ? Double(engine.ticks) / elapsed : 0, firstTickTime: firstTick,
            lastTickTime: lastTick, badLines: badLines, outOfOrderTicks: outOfOrder, modeChanges: modeChanges,
            notices: notices, chart: chart.points, finalMode: engine.mode)
    }
}

/// Mean and sample standard deviation in one pass (Welford).
struct RunningMoments {
    private(set) var count = 0
    private(set) var mean = 0.0
    private var m2 = 0.0
    mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
    }
    var standardDeviation: Double { count > 1 ? (m2 / Double(count - 1)).squareRoot() : 0 }
}

/// Keeps at most ~4000 evenly spaced points of an unbounded series: memory stays flat.
struct ChartSampler {
    private(set) var points: [BacktestResult.ChartPoint] = []
    private var stride = 1
    private var counter = 0
    static let limit = 4000

    mutating func add(_ point: BacktestResult.ChartPoint) {
        counter += 1
        guard counter % stride == 0 else { return }
        points.append(point)
        if points.count >= 2 * Self.limit {
            points = points.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            stride *= 2
        }
    }
}
