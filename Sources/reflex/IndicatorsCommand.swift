import ArgumentParser
import ReflexBacktest
import ReflexCore

extension Reflex {
    struct Indicators: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build bars from a tick file and print Donchian, ATR and volatility as CSV.",
            discussion: """
                One row per bar: open_time_ms,open,high,low,close,volume,trades,donchian_upper,donchian_lower,\
                donchian_middle,atr,volatility. Cells stay empty until an indicator is warm. Donchian includes the \
                bar of its row; ATR uses Wilder smoothing; volatility is the sample standard deviation of log returns.
                """)

        @Option(help: "Tick file (any format `reflex backtest` reads).")
        var ticks: String

        @Option(help: "Bar interval: Ns, Nm or Nh.")
        var bar: String = "1m"

        @Option(help: "Donchian channel length in bars.")
        var donchian: Int = 20

        @Option(help: "ATR length in bars.")
        var atr: Int = 14

        @Option(help: "Realised-volatility window in returns.")
        var vol: Int = 20

        @Flag(help: "Count and skip malformed lines.")
        var skipBadLines = false

        func validate() throws {
            guard BarInterval(bar) != nil else { throw ValidationError("--bar: expected Ns, Nm or Nh, got \"\(bar)\"") }
            guard donchian >= 1 else { throw ValidationError("--donchian must be ≥ 1") }
            guard atr >= 1 else { throw ValidationError("--atr must be ≥ 1") }
            guard vol >= 2 else { throw ValidationError("--vol must be ≥ 2") }
        }

        func run() async throws {
            let reader: TickFileReader
            do { reader = try TickFileReader(path: ticks, skipBadLines: skipBadLines) } catch {
                throw CommandFailure("\(error)")
            }
            var table = IndicatorTable(
                interval: BarInterval(bar)!, donchian: donchian, atr: atr, volatility: vol)
            var output = "\(IndicatorTable.header)\n"
            func emit(_ text: String) {
                output += text
                if output.utf8.count > 1 << 16 {
                    print(output, terminator: "")
                    output = ""
                }
            }
            do {
                while let tick = try reader.nextTick() {
                    if let row = table.add(tick) { emit(row) }
                }
            } catch { throw CommandFailure("\(error)") }
            if let row = table.finish() { emit(row) }
            print(output, terminator: "")
            if reader.badLines > 0 { printError("skipped \(reader.badLines) malformed line(s)") }
            if reader.outOfOrderTicks > 0 {
                printError(
                    "warning: \(reader.outOfOrderTicks) tick(s) out of time order (first at line \(reader.firstOutOfOrderLine ?? 0)); not reordered"
                )
            }
        }
    }
}
