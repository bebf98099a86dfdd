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
                """)

        @Option(help: "Strategy file (JSON), e.g. Strategies/donchian-trend.json.")
        var strategy: String

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
            guard latencyMs >= 0 else { throw ValidationError("--latency-ms must be ≥ 0") }
        }

        mutating func run() async throws {
            var parameters = try loadStrategy(strategy)
            if let mode { parameters.initialMode = mode }
            guard let initialEquity = Money(equity), initialEquity.raw > 0 else {
                throw CommandFailure("--equity: expected a positive decimal, got \"\(equity)\"")
            }
            guard let slip = Slippage(slippage) else {
                throw CommandFailure("--slippage: expected 0, Nt (ticks) or Nbps, got \"\(slippage)\"")
            }
            var configuration = BacktestConfiguration(
                engine: EngineConfiguration(
                    strategy: parameters, initialEquity: initialEquity,
                    orderIDPrefix: "bt"),
                from: try from.map { try parseTime($0, option: "--from") },
                to: try to.map { try parseTime($0, option: "--to") }, skipBadLines: skipBadLines)
            configuration.venue.slippage = slip
            configuration.venue.latency = .milliseconds(latencyMs)

            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let trades = try OutputFile(path: "\(out)/trades.csv", header: BacktestReport.tradesHeader)
            let equityCurve = try OutputFile(path: "\(out)/equity.csv", header: BacktestReport.equityHeader)

            var runner = BacktestRunner(configuration: configuration)
            runner.tradeRow = { trades.write(BacktestReport.tradeLine($0)) }
            runner.equityRow = { equityCurve.write(BacktestReport.equityLine($0, position: $1, equity: $2)) }
            if standardErrorIsTerminal && !noProgress && !json {
                runner.progress = { bytes, ticks in
                    printError("\rreplaying… \(ticks / 1000)k ticks, \(bytes / 1_000_000) MB", terminator: "")
                }
            }
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
