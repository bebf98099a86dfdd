import ArgumentParser
import Foundation
import Logging
import ReflexBacktest
import ReflexCore
import ReflexExchange
import ReflexPaperVenue

extension Reflex {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure indicator, engine and end-to-end backtest throughput (run with -c release).",
            discussion: """
                (a) indicator updates per second (Donchian + ATR + volatility per bar, in memory);
                (b) engine ticks per second from memory (the sample tape repeated with shifted times);
                (c) end-to-end backtest ticks per second from a CSV of --csv-ticks ticks written to a temporary file;
                (d) resident memory before and after the CSV run, and the peak;
                (e) Binance WebSocket messages decoded per second (message → tick) from a real recording;
                (f) REST round trip of a limit order against an embedded paper venue on loopback, p50 and p99, through
                    Reflex's keep-alive connection pool and through AsyncHTTPClient, in alternating blocks of one run.
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

        @Option(help: "Limit orders per REST transport for the round-trip comparison (0 skips it).")
        var orders: Int = 4000

        func run() async throws {
            var benchmark = ThroughputBenchmark(strategy: try loadStrategy(strategy), tickFile: ticks)
            benchmark.engineTicks = engineTicks
            benchmark.csvTicks = csvTicks
            benchmark.indicatorBars = indicatorBars
            do { try benchmark.run() } catch { throw CommandFailure("\(error)") }
            if decodeRepetitions > 0 { try decode() }
            if orders > 0 { try await compareTransports() }
        }

        private func decode() throws {
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

        /// (f): the same orders through both transports, in alternating blocks so that drift (venue state, CPU
        /// frequency, caches) touches both alike.
        private func compareTransports() async throws {
            let symbol = "BTCUSDT"
            let credentials = BinanceCredentials(apiKey: "bench-key", secretKey: "bench-secret")
            var quiet = Logger(label: "reflex.bench")
            quiet.logLevel = .error
            let venue = PaperVenue(
                configuration: PaperVenueConfiguration(
                    symbol: symbol, tape: .file(path: "Data/BTCUSDT-trades-2024-08-08-2354.csv"), port: 0, loop: true,
                    credentials: .init(apiKey: credentials.apiKey, secret: credentials.secretKey),
                    initialBalance: Money(integer: 10_000_000)),
                logger: quiet)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await venue.run() }
                defer { group.cancelAll() }
                let urls = BinanceURLs.local(port: try await venue.boundPort())
                let transports: [(String, any RESTTransport)] = [
                    ("keep-alive pool", KeepAliveConnectionPool(baseURL: urls.rest)),
                    ("AsyncHTTPClient", AsyncHTTPClientTransport(baseURL: urls.rest)),
                ]
                var latencies = Array(repeating: [Duration](), count: transports.count)
                let blocks = 8
                for block in 0..<blocks {
                    for (index, (_, transport)) in transports.enumerated() {
                        latencies[index] += try await BinanceOrderRoundTripBenchmark.run(
                            urls: urls, credentials: credentials, transport: transport, label: "\(index)-\(block)",
                            symbol: symbol, orders: max(1, orders / blocks), restingPrice: Price("10000.0")!,
                            quantity: Quantity("0.020")!,
                            logger: quiet)
                    }
                }
                let baseline = BinanceTickToOrderBenchmark.percentile(50, of: latencies[1]) ?? .zero
                for (index, (name, _)) in transports.enumerated() {
                    let p50 = BinanceTickToOrderBenchmark.percentile(50, of: latencies[index]) ?? .zero
                    let p99 = BinanceTickToOrderBenchmark.percentile(99, of: latencies[index]) ?? .zero
                    print(
                        "(f) order round trip, \(name): p50 \(Self.micros(p50)) µs, p99 \(Self.micros(p99)) µs"
                            + " (\(latencies[index].count) orders; p50 \(String(format: "%.2f", p50 / baseline))× AsyncHTTPClient's)"
                    )
                }
            }
        }

        private static func micros(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.0f", Double(seconds) * 1e6 + Double(attoseconds) / 1e12)
        }
    }
}
