public import ArgumentParser
import Foundation
import ReflexBacktest
import ReflexCore

extension Reflex {
    struct Backtest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay recorded tick files through the engine against a simulated venue.",
            discussion: """
                Tick files: Binance aggTrades or trades CSV (with or without header), Tardis trades CSV, or a Reflex \
                recording; plain or .gz. Several --ticks files are replayed in the order given.
                Writes trades.csv, equity.csv and report.html into --out (default: out/backtest).
                Sharpe is annualised from per-bar equity returns by √(bars per 365-day year).

                Several markets: give --market SYMBOL=STRATEGY_FILE once per market and the tick files of \
                every market (each file's symbol is detected as for one market). The files are merged by time \
                into one tape; each market trades against its own simulated venue, all from one account, behind \
                the portfolio's limits (--max-total-notional and the rest), exactly as live. trades.csv then \
                starts with a symbol column, equity.csv is the account's, SYMBOL-equity.csv each market's, and \
                report.html shows the account's equity and each market's chart.

                Example:
                  reflex backtest --market BTCUSDT=Strategies/donchian-trend.json \\
                    --market ETHUSDT=Strategies/donchian-range-eth.json \\
                    --ticks Data/BTCUSDT-trades-2024-08-08-2354.csv \\
                    --ticks Data/ETHUSDT-trades-2024-08-08-spot.csv
                """)

        @Option(help: "Strategy file (JSON), e.g. Strategies/donchian-trend.json (one market).")
        var strategy: String?

        @Option(
            name: .customLong("market"),
            help: ArgumentHelp(
                "A market of a portfolio run: SYMBOL=STRATEGY_FILE; repeat for each market.",
                valueName: "SYMBOL=FILE"))
        var markets: [String] = []

        @Option(help: "Portfolio: largest sum of open position notionals (quote currency).")
        var maxTotalNotional: String?

        @Option(help: "Portfolio: most markets with a position at once.")
        var maxOpenPositions: Int?

        @Option(help: "Portfolio: daily loss (quote currency) that halts entries in every market.")
        var maxDailyLoss: String?

        @Option(help: "Portfolio: orders and cancels of the whole account in any 60 s of tape time.")
        var maxOrdersPerMinute: Int?

        @Option(name: .customLong("ticks"), help: "Tick file; repeat for several files.")
        var tickFiles: [String] = []

        @Option(help: "Folder for trades.csv, equity.csv and report.html.")
        var out: String = "out/backtest"

        @Flag(help: "Print one JSON object with the metrics instead of the summary.")
        var json = false

        @Option(help: "Override the strategy's initial mode (trend or range).")
        var mode: TradingMode?

        @Option(help: "Only ticks at or after this time (ISO-8601 or epoch ms).")
        var from: String?

        @Option(help: "Only ticks before this time (ISO-8601 or epoch ms).")
        var to: String?

        @Option(help: "Starting equity in quote currency.")
        var equity: String = "10000"

        @Option(help: "Slippage on taker fills: 0, Nt (ticks) or Nbps.")
        var slippage: String = "0"

        @Option(help: "Order latency in tape milliseconds.")
        var latencyMs: Int64 = 0

        @Flag(help: "Count and skip malformed lines instead of stopping at the first.")
        var skipBadLines = false

        @Flag(help: "No progress bar even on a terminal.")
        var noProgress = false

        func validate() throws {
            guard !tickFiles.isEmpty else { throw ValidationError("give at least one --ticks FILE") }
            guard (strategy == nil) != markets.isEmpty else {
                throw ValidationError("give --strategy FILE for one market, or --market SYMBOL=FILE per market")
            }
            if let n = maxOpenPositions, n < 1 { throw ValidationError("--max-open-positions must be ≥ 1") }
            if let n = maxOrdersPerMinute, n < 1 { throw ValidationError("--max-orders-per-minute must be ≥ 1") }
            guard latencyMs >= 0 else { throw ValidationError("--latency-ms must be ≥ 0") }
        }

        mutating func run() async throws {
            let strategies = try marketStrategies()
            if strategies.count > 1 { return try runPortfolio(strategies) }
            let configuration = try marketConfiguration(strategies[0], orderIDPrefix: "bt")

            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let trades = try OutputFile(path: "\(out)/trades.csv", header: BacktestReport.tradesHeader)
            let equityCurve = try OutputFile(path: "\(out)/equity.csv", header: BacktestReport.equityHeader)

            var runner = BacktestRunner(configuration: configuration)
            runner.tradeRow = { trades.write(BacktestReport.tradeLine($0)) }
            runner.equityRow = { equityCurve.write(BacktestReport.equityLine($0, position: $1, equity: $2)) }
            runner.progress = progressLine
            let result: BacktestResult
            do {
                result = try runner.run(files: tickFiles)
            } catch let error as TickFileError {
                throw CommandFailure("\(error)" + (skipBadLines ? "" : " (use --skip-bad-lines to skip such lines)"))
            }
            if runner.progress != nil { printError("\r\u{1B}[K", terminator: "") }
            trades.close()
            equityCurve.close()
            try BacktestReport.html(result).write(toFile: "\(out)/report.html", atomically: true, encoding: .utf8)
            if json {
                print(BacktestReport.json(result))
            } else {
                print(BacktestReport.summary(result, files: tickFiles))
                print("  report      \(out)/report.html, \(out)/trades.csv, \(out)/equity.csv")
            }
        }
    }
}

extension Reflex.Backtest {
    /// The strategies of `--strategy` or of every `--market`, checked against the symbol each is given for.
    func marketStrategies() throws -> [StrategyParameters] {
        if let strategy {
            var parameters = try loadStrategy(strategy)
            if let mode { parameters.initialMode = mode }
            return [parameters]
        }
        var out: [StrategyParameters] = []
        for (index, market) in markets.enumerated() {
            let parts = market.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CommandFailure("--market #\(index + 1): expected SYMBOL=STRATEGY_FILE, got \"\(market)\"")
            }
            var parameters = try loadStrategy(parts[1])
            guard parameters.symbol == parts[0].uppercased() else {
                throw CommandFailure(
                    "--market \(market): the strategy file trades \(parameters.symbol), not \(parts[0].uppercased())")
            }
            guard !out.contains(where: { $0.symbol == parameters.symbol }) else {
                throw CommandFailure("--market \(market): \(parameters.symbol) is given twice")
            }
            if let mode { parameters.initialMode = mode }
            out.append(parameters)
        }
        return out
    }

    func portfolioLimits() throws -> PortfolioLimits {
        func money(_ text: String?, _ option: String) throws -> Money? {
            guard let text else { return nil }
            guard let value = Money(text), value.raw > 0 else {
                throw CommandFailure("\(option): expected a positive decimal, got \"\(text)\"")
            }
            return value
        }
        return PortfolioLimits(
            maxTotalNotional: try money(maxTotalNotional, "--max-total-notional"), maxOpenPositions: maxOpenPositions,
            maxDailyLoss: try money(maxDailyLoss, "--max-daily-loss"), maxOrdersPerMinute: maxOrdersPerMinute)
    }

    /// One market's run settings from the options (`--mode` is applied by ``marketStrategies()``).
    func marketConfiguration(_ parameters: StrategyParameters, orderIDPrefix: String) throws -> BacktestConfiguration {
        guard let initialEquity = Money(equity), initialEquity.raw > 0 else {
            throw CommandFailure("--equity: expected a positive decimal, got \"\(equity)\"")
        }
        guard let slip = Slippage(slippage) else {
            throw CommandFailure("--slippage: expected 0, Nt (ticks) or Nbps, got \"\(slippage)\"")
        }
        var configuration = BacktestConfiguration(
            engine: EngineConfiguration(
                strategy: parameters, initialEquity: initialEquity, orderIDPrefix: orderIDPrefix),
            from: try from.map { try parseTime($0, option: "--from") },
            to: try to.map { try parseTime($0, option: "--to") }, skipBadLines: skipBadLines)
        configuration.venue.slippage = slip
        configuration.venue.latency = .milliseconds(latencyMs)
        return configuration
    }

    /// The progress line on a terminal (nil otherwise, or with `--json` / `--no-progress`).
    var progressLine: ((_ bytes: Int, _ ticks: Int) -> Void)? {
        guard standardErrorIsTerminal && !noProgress && !json else { return nil }
        return { bytes, ticks in
            printError("\rreplaying… \(ticks / 1000)k ticks, \(bytes / 1_000_000) MB", terminator: "")
        }
    }

    func runPortfolio(_ strategies: [StrategyParameters]) throws {
        let markets = try strategies.map {
            try marketConfiguration($0, orderIDPrefix: "bt" + String($0.symbol.prefix(8)))
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let trades = try OutputFile(path: "\(out)/trades.csv", header: BacktestReport.portfolioTradesHeader)
        var curves: [String: OutputFile] = [:]
        for parameters in strategies {
            curves[parameters.symbol] = try OutputFile(
                path: "\(out)/\(parameters.symbol)-equity.csv", header: BacktestReport.equityHeader)
        }
        var runner = PortfolioBacktestRunner(
            configuration: PortfolioBacktestConfiguration(markets: markets, limits: try portfolioLimits()))
        runner.tradeRow = { symbol, trip in trades.write(symbol + "," + BacktestReport.tradeLine(trip)) }
        runner.equityRow = { symbol, record, position, equity in
            curves[symbol]?.write(BacktestReport.equityLine(record, position: position, equity: equity))
        }
        runner.progress = progressLine
        let result: PortfolioBacktestResult
        do {
            result = try runner.run(files: tickFiles)
        } catch let error as TickFileError {
            throw CommandFailure("\(error)" + (skipBadLines ? "" : " (use --skip-bad-lines to skip such lines)"))
        }
        if runner.progress != nil { printError("\r\u{1B}[K", terminator: "") }
        trades.close()
        for curve in curves.values { curve.close() }
        let equityCurve = try OutputFile(path: "\(out)/equity.csv", header: BacktestReport.portfolioEquityHeader)
        equityCurve.write(BacktestReport.portfolioEquityLines(result))
        equityCurve.close()
        try BacktestReport.html(result).write(toFile: "\(out)/report.html", atomically: true, encoding: .utf8)
        if json {
            print(BacktestReport.json(result))
        } else {
            print(BacktestReport.summary(result, files: tickFiles))
            print("  report      \(out)/report.html, \(out)/trades.csv, \(out)/equity.csv, \(out)/SYMBOL-equity.csv")
        }
    }
}

extension TradingMode: ExpressibleByArgument {}

/// A buffered output file.
final class OutputFile: @unchecked Sendable {
    // Only the single-threaded backtest loop writes to it.
    private let handle: FileHandle
    private var buffer = ""

    init(path: String, header: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(header.utf8)),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CommandFailure("cannot write \(path)") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func write(_ line: String) {
        buffer += line
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    func flush() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }

    func close() {
        flush()
        try? handle.close()
    }
}
