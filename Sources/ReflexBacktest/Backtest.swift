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
        var state = RunState(markets: [configuration], limits: .init())
        state.markets[0].tradeRow = tradeRow
        state.markets[0].equityRow = equityRow
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
                    state.process(tick, market: 0)
                case .regimeShift(let shift):
                    state.dispatch(.regimeShift(shift), market: 0)
                }
                sinceProgress += 1
                if sinceProgress == 262_144, let progress {
                    sinceProgress = 0
                    progress(reader.bytesRead, state.portfolio.markets[0].ticks)
                }
            }
            state.markets[0].badLines += reader.badLines
            state.markets[0].outOfOrder += reader.outOfOrderTicks
        }
        state.finish()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return state.markets[0].result(engine: state.portfolio.markets[0], elapsed: elapsed)
    }
}

/// One market's side of a run: its simulated venue, its fills cut into round trips, its bars and equity.
struct MarketReplay {
    let configuration: BacktestConfiguration
    var venue: SimulatedVenue
    var ledger = RoundTripLedger()
    var chart = ChartSampler()
    var statistics: EquityStatistics
    var barsWithPosition = 0
    var barsSeen = 0
    var firstTick: Timestamp?
    var lastTick: Timestamp?
    var badLines = 0
    var outOfOrder = 0
    var modeChanges: [Notice] = []
    var notices: [String: Int] = [:]
    /// The simulated venue's position with its cost, from its fills (what a reconciliation read answers).
    var venuePosition = Position()
    var tradeRow: ((RoundTrip) -> Void)?
    var equityRow: ((_ record: BarRecord, _ position: Quantity, _ equity: Money) -> Void)?

    init(configuration: BacktestConfiguration) {
        self.configuration = configuration
        venue = SimulatedVenue(symbol: configuration.engine.strategy.symbol, configuration: configuration.venue)
        statistics = EquityStatistics(initial: configuration.engine.initialEquity.doubleValue)
    }

    mutating func onBar(_ record: BarRecord, engine: Engine) {
        barsSeen += 1
        if !engine.position.isFlat { barsWithPosition += 1 }
        let mark = engine.position.unrealized(at: record.bar.close)
        let equityMoney = engine.equity + mark
        let equity = equityMoney.doubleValue
        let drawdown = statistics.add(equity)
        chart.add(
            BacktestResult.ChartPoint(
                time: record.bar.openTime, close: record.bar.close.doubleValue, upper: record.channel?.upper,
                lower: record.channel?.lower, equity: equity, drawdown: drawdown))
        equityRow?(record, engine.position.quantity, equityMoney)
    }

    func result(engine: Engine, elapsed: Double) -> BacktestResult {
        let trips = ledger.trips
        let wins = trips.filter { $0.netPnl.raw > 0 }
        let grossProfit = trips.filter { $0.netPnl.raw > 0 }.reduce(0.0) { $0 + $1.netPnl.doubleValue }
        let grossLoss = trips.filter { $0.netPnl.raw < 0 }.reduce(0.0) { $0 - $1.netPnl.doubleValue }
        return BacktestResult(
            strategy: engine.strategy, initialEquity: configuration.engine.initialEquity, ticks: engine.ticks,
            bars: engine.barsClosed, trades: trips, fills: engine.fillCount,
            netPnl: engine.realizedPnl - engine.fees + engine.unrealizedPnl, fees: engine.fees,
            finalEquity: engine.equity + engine.unrealizedPnl, maxDrawdown: statistics.maxDrawdown,
            maxDrawdownAmount: statistics.maxDrawdownAmount,
            sharpe: statistics.sharpe(barInterval: configuration.engine.strategy.barInterval),
            winRate: trips.isEmpty ? nil : Double(wins.count) / Double(trips.count),
            profitFactor: grossLoss > 0 ? grossProfit / grossLoss : nil,
            exposure: barsSeen == 0 ? 0 : Double(barsWithPosition) / Double(barsSeen), elapsedSeconds: elapsed,
            ticksPerSecond: elapsed > 0 ? Double(engine.ticks) / elapsed : 0, firstTickTime: firstTick,
            lastTickTime: lastTick, badLines: badLines, outOfOrderTicks: outOfOrder, modeChanges: modeChanges,
            notices: notices, chart: chart.points, finalMode: engine.mode)
    }
}

/// The moving parts of one run: the markets' engines behind the portfolio's risk layer (as live), and each
/// market's venue and books.
struct RunState {
    var portfolio: Portfolio
    var markets: [MarketReplay]
    /// The whole account's equity, sampled once per bar interval of the fastest market.
    var account: EquityStatistics
    var accountChart = ChartSampler()
    let sampleInterval: Int64
    var lastSample: Int64?

    init(markets configurations: [BacktestConfiguration], limits: PortfolioLimits) {
        portfolio = Portfolio(markets: configurations.map { Engine(configuration: $0.engine) }, limits: limits)
        markets = configurations.map(MarketReplay.init)
        account = EquityStatistics(initial: configurations[0].engine.initialEquity.doubleValue)
        sampleInterval = configurations.map(\.engine.strategy.barInterval.nanoseconds).min()!
    }

    mutating func process(_ tick: Tick, market index: Int) {
        if markets[index].firstTick == nil { markets[index].firstTick = tick.time }
        markets[index].lastTick = tick.time
        // The tape trades through resting orders first; then the engine sees the trade.
        let fills = markets[index].venue.process(tick)
        for event in fills { dispatch(event, market: index) }
        let commands = portfolio.handle(tick: tick, market: index)
        if !commands.isEmpty { execute(commands, market: index, time: tick.time) }
    }

    mutating func dispatch(_ event: EngineEvent, market index: Int) {
        if case .orderFilled(let fill) = event {
            _ = markets[index].venuePosition.apply(side: fill.side, quantity: fill.quantity, price: fill.price)
            if let trip = markets[index].ledger.record(fill, mode: portfolio.markets[index].mode) {
                markets[index].tradeRow?(trip)
            }
        }
        let commands = portfolio.handle(event, market: index)
        if !commands.isEmpty { execute(commands, market: index, time: event.time) }
    }

    mutating func execute(_ commands: [EngineCommand], market index: Int, time: Timestamp) {
        // A read of the venue is answered after the rest of the batch has reached it, as a real read would be.
        var reads: [ReconcileRequest] = []
        for command in commands {
            switch command {
            case .place(let intent):
                for event in markets[index].venue.submit(intent, at: time) { dispatch(event, market: index) }
            case .cancel(let request):
                for event in markets[index].venue.cancel(request.clientOrderID, at: time, reason: request.reason) {
                    dispatch(event, market: index)
                }
            case .addMargin:
                markets[index].notices["addMargin", default: 0] += 1  // isolated margin is not simulated
            case .notify(let notice):
                markets[index].notices[notice.kind, default: 0] += 1
                if notice.kind == "modeChanged" { markets[index].modeChanges.append(notice) }
            case .record(let record):
                markets[index].onBar(record, engine: portfolio.markets[index])
                if markets.count > 1 { sampleAccount(at: record.bar.openTime) }
            case .reconcile(let request):
                // The engine reads the venue (a refused exit raced a fill): the simulated venue answers at once.
                markets[index].notices["reconcile", default: 0] += 1
                reads.append(request)
            }
        }
        for request in reads {
            let entry = markets[index].venuePosition.averageEntry.flatMap { Price(approximating: $0) } ?? .zero
            dispatch(
                .venueState(markets[index].venue.state(answering: request, entryPrice: entry, time: time)),
                market: index)
        }
    }

    /// The account's equity once per bucket of the fastest bar interval (each market closes its own bars).
    mutating func sampleAccount(at time: Timestamp) {
        let bucket = time.nanoseconds / sampleInterval
        guard bucket != lastSample else { return }
        lastSample = bucket
        let equity = portfolio.equity.doubleValue
        let drawdown = account.add(equity)
        accountChart.add(
            BacktestResult.ChartPoint(
                time: Timestamp(nanoseconds: bucket * sampleInterval), close: 0, upper: nil, lower: nil,
                equity: equity, drawdown: drawdown))
    }

    mutating func finish() {
        for index in markets.indices {
            let commands = portfolio.finishMarket(index)
            if let time = markets[index].lastTick { execute(commands, market: index, time: time) }
        }
    }
}

/// Peak, drawdown and per-bar returns of an equity series.
struct EquityStatistics {
    var peak: Double
    var maxDrawdown = 0.0
    var maxDrawdownAmount = 0.0
    var previous: Double?
    var returns = RunningMoments()

    init(initial: Double) { peak = initial }

    /// Adds one value; returns its drawdown from the peak (a fraction).
    mutating func add(_ equity: Double) -> Double {
        if let previous, previous > 0 { returns.add(equity / previous - 1) }
        previous = equity
        peak = max(peak, equity)
        let drawdown = peak > 0 ? (peak - equity) / peak : 0
        maxDrawdown = max(maxDrawdown, drawdown)
        maxDrawdownAmount = max(maxDrawdownAmount, peak - equity)
        return drawdown
    }

    /// Annualised: √(bars per 365-day year), risk-free rate 0.
    func sharpe(barInterval: BarInterval) -> Double? {
        let barsPerYear = 365 * 86_400 / (Double(barInterval.nanoseconds) / 1e9)
        guard returns.count > 1, returns.standardDeviation > 0 else { return nil }
        return returns.mean / returns.standardDeviation * barsPerYear.squareRoot()
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
