import Foundation
public import ReflexCore

/// Settings of a backtest over several markets of one account.
public struct PortfolioBacktestConfiguration: Sendable {
    /// One per market, in the order results are reported; symbols must differ. `from`, `to` and `skipBadLines`
    /// are taken from the first.
    public var markets: [BacktestConfiguration]
    /// The portfolio's risk layer, as live.
    public var limits: PortfolioLimits

    public init(markets: [BacktestConfiguration], limits: PortfolioLimits = .init()) {
        self.markets = markets
        self.limits = limits
    }
}

/// What a portfolio backtest produced: the account's figures and each market's own.
public struct PortfolioBacktestResult: Sendable {
    /// Per market, in configuration order (each with its own trades, bars and chart).
    public var markets: [BacktestResult]
    public var initialEquity: Money
    public var finalEquity: Money
    public var netPnl: Money
    public var fees: Money
    /// Largest peak-to-trough fall of the account's mark-to-market equity, as a fraction of the peak.
    public var maxDrawdown: Double
    public var maxDrawdownAmount: Double
    /// Annualised Sharpe ratio of the account's equity returns per bar of the fastest market.
    public var sharpe: Double?
    /// The account's equity and drawdown (`close` and the channel are unused).
    public var chart: [BacktestResult.ChartPoint]
    /// Entries the portfolio's risk layer held back, by limit.
    public var heldEntries: [String: Int]
    public var ticks: Int
    public var elapsedSeconds: Double
    public var ticksPerSecond: Double
    public var trades: Int { markets.reduce(0) { $0 + $1.trades.count } }
}

/// Replays the tick files of several markets merged by time into one tape, through one engine per market behind
/// the portfolio's risk layer, each market against its own ``SimulatedVenue``.
///
/// Each file's symbol is detected as for a one-market run (the file, else a Binance-style name); several files of
/// one symbol are replayed in the order given. Trades of different markets with the same time go in market order.
public struct PortfolioBacktestRunner {
    public let configuration: PortfolioBacktestConfiguration
    /// Called now and then with (bytes read, ticks) for a progress display.
    public var progress: ((_ bytes: Int, _ ticks: Int) -> Void)?
    /// Receives each finished round trip with its market's symbol.
    public var tradeRow: ((_ symbol: String, _ trip: RoundTrip) -> Void)?
    /// Receives each market's closed-bar equity rows (the market's own result).
    public var equityRow: ((_ symbol: String, _ record: BarRecord, _ position: Quantity, _ equity: Money) -> Void)?

    public init(configuration: PortfolioBacktestConfiguration) { self.configuration = configuration }

    /// - Throws: ``TickFileError`` for unreadable or malformed input, a file whose symbol is not known or not
    ///   traded, or a market without a file.
    public func run(files: [String]) throws -> PortfolioBacktestResult {
        let markets = configuration.markets
        guard let first = markets.first else {
            throw TickFileError(file: "", line: 0, column: 0, message: "no market to backtest")
        }
        let symbols = markets.map(\.engine.strategy.symbol)
        var tapes = Array(repeating: [TickFileReader](), count: markets.count)
        for path in files {
            let reader = try TickFileReader(path: path, skipBadLines: first.skipBadLines)
            guard let symbol = reader.symbol else {
                throw TickFileError(
                    file: path, line: 0, column: 0,
                    message:
                        "cannot tell which market the file is for; name it like SYMBOL-trades-….csv (markets: \(symbols.joined(separator: ", ")))"
                )
            }
            guard let index = symbols.firstIndex(of: symbol) else {
                throw TickFileError(
                    file: path, line: 0, column: 0,
                    message: "the file is \(symbol), which no --market trades (\(symbols.joined(separator: ", ")))")
            }
            tapes[index].append(reader)
        }
        if let missing = tapes.indices.first(where: { tapes[$0].isEmpty }) {
            throw TickFileError(
                file: "", line: 0, column: 0, message: "no --ticks file for market \(symbols[missing])")
        }

        var state = RunState(markets: markets, limits: configuration.limits)
        for index in markets.indices {
            let symbol = symbols[index]
            if let tradeRow { state.markets[index].tradeRow = { tradeRow(symbol, $0) } }
            if let equityRow { state.markets[index].equityRow = { equityRow(symbol, $0, $1, $2) } }
        }
        let started = DispatchTime.now().uptimeNanoseconds
        var cursors = try tapes.map { try TapeCursor(readers: $0, from: first.from, to: first.to) }
        var sinceProgress = 0
        var ticks = 0
        while true {
            // The market whose next item is earliest (few markets: a scan beats a heap).
            var next: Int?
            for index in cursors.indices {
                guard let time = cursors[index].headTime else { continue }
                if let best = next, cursors[best].headTime! <= time { continue }
                next = index
            }
            guard let index = next else { break }
            switch try cursors[index].take() {
            case .tick(let tick):
                state.process(tick, market: index)
                ticks += 1
            case .regimeShift(var shift):
                // A regime line in a market's recording is that market's.
                shift.symbol = symbols[index]
                state.dispatch(.regimeShift(shift), market: index)
            }
            sinceProgress += 1
            if sinceProgress == 262_144, let progress {
                sinceProgress = 0
                progress(cursors.reduce(0) { $0 + $1.bytesRead }, ticks)
            }
        }
        for index in cursors.indices {
            state.markets[index].badLines += cursors[index].badLines
            state.markets[index].outOfOrder += cursors[index].outOfOrder
        }
        state.finish()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let results = state.markets.indices.map {
            state.markets[$0].result(engine: state.portfolio.markets[$0], elapsed: elapsed)
        }
        let portfolio = state.portfolio
        let fastest = markets.map(\.engine.strategy.barInterval).min { $0.nanoseconds < $1.nanoseconds }!
        return PortfolioBacktestResult(
            markets: results, initialEquity: first.engine.initialEquity, finalEquity: portfolio.equity,
            netPnl: portfolio.equity - first.engine.initialEquity,
            fees: portfolio.markets.reduce(Money.zero) { $0 + $1.fees }, maxDrawdown: state.account.maxDrawdown,
            maxDrawdownAmount: state.account.maxDrawdownAmount, sharpe: state.account.sharpe(barInterval: fastest),
            chart: state.accountChart.points, heldEntries: portfolio.risk.heldEntries, ticks: ticks,
            elapsedSeconds: elapsed, ticksPerSecond: elapsed > 0 ? Double(ticks) / elapsed : 0)
    }
}

/// One market's files read in order, one item ahead, with the time window applied to trades.
struct TapeCursor {
    private var readers: [TickFileReader]
    private var current = 0
    private var head: TapeItem?
    private let from: Timestamp?
    private let to: Timestamp?
    private(set) var badLines = 0
    private(set) var outOfOrder = 0
    private var finishedBytes = 0

    init(readers: [TickFileReader], from: Timestamp?, to: Timestamp?) throws {
        self.readers = readers
        self.from = from
        self.to = to
        try advance()
    }

    var headTime: Timestamp? {
        switch head {
        case .tick(let tick): return tick.time
        case .regimeShift(let shift): return shift.time
        case nil: return nil
        }
    }

    var bytesRead: Int { finishedBytes + (current < readers.count ? readers[current].bytesRead : 0) }

    mutating func take() throws -> TapeItem {
        let item = head!
        try advance()
        return item
    }

    private mutating func advance() throws {
        head = nil
        while current < readers.count {
            let reader = readers[current]
            while let item = try reader.next() {
                if case .tick(let tick) = item {
                    if let from, tick.time < from { continue }
                    if let to, tick.time >= to { continue }
                }
                head = item
                return
            }
            badLines += reader.badLines
            outOfOrder += reader.outOfOrderTicks
            finishedBytes += reader.bytesRead
            current += 1
        }
    }
}
