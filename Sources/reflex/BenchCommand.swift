import ArgumentParser
import Foundation
import ReflexBacktest
import ReflexExchange

extension Reflex {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure indicator, engine and end-to-end backtest throughput (run with -c release).",
            discussion: """
                (a) indicator updates per second (Donchian + ATR + volatility per bar, in memory);
                (b) engine ticks per second from memory (the sample tape repeated with shifted times);
                (c) end-to-end backtest ticks per second from a CSV of --csv-ticks ticks written to a temporary file;
                (d) resident memory before and after the CSV run, and the peak;
                (e) Binance WebSocket messages decoded per second (message → tick) from a real recording.
                """)

        @Option(help: "Tick file to repeat.")
        var ticks: String = "Data/BTCUSDT-trades-2024-08-08-2354.csv"

        @Option(help: "Strategy file.")
        var strategy: String = "Strategies/donchian-trend.json"

        @Option(help: "Ticks pushed through the engine from memory.")
        var engineTicks: Int = 20_000_000

        @Option(help: "Ticks in the generated CSV for the end-to-end run (0 skips it).")
        var csvTicks: Int = 5_000_000

        @Option(help: "Bars fed to the indicators.")
        var indicatorBars: Int = 10_000_000

        @Option(help: "Recorded Binance WebSocket messages (gzip, `<ns> <json>` a line) for the decode benchmark.")
        var recording: String = "Tests/ReflexExchangeTests/Fixtures/binance-usdm-btcusdt-2024-08-08.ws.gz"

        @Option(help: "Times the recording's trade messages are decoded (0 skips it).")
        var decodeRepetitions: Int = 50

        func run() async throws {
            var benchmark = ThroughputBenchmark(strategy: try loadStrategy(strategy), tickFile: ticks)
            benchmark.engineTicks = engineTicks
            benchmark.csvTicks = csvTicks
            benchmark.indicatorBars = indicatorBars
            do { try benchmark.run() } catch { throw CommandFailure("\(error)") }
            guard decodeRepetitions > 0 else { return }
            let lines: [[UInt8]]
            do { lines = try BinanceDecodeBenchmark.tradeMessages(fromRecordingAt: recording) } catch {
                throw CommandFailure("\(recording): \(error)")
            }
            var best = 0.0
            for _ in 0..<3 {
                let run = BinanceDecodeBenchmark.run(lines: lines, repetitions: decodeRepetitions)
                best = max(best, Double(run.messages) / run.seconds)
            }
            print(
                "(e) Binance decode: \(String(format: "%.2f", best / 1e6)) M messages/s (best of 3; \(lines.count) recorded @trade messages × \(decodeRepetitions))"
            )
        }
    }
}
