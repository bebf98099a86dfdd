import ArgumentParser
import Foundation
import ReflexBacktest
import ReflexCore

extension Reflex {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure indicator, engine and end-to-end backtest throughput (run with -c release).",
            discussion: """
                (a) indicator updates per second (Donchian + ATR + volatility per bar, in memory);
                (b) engine ticks per second from memory (the sample tape repeated with shifted times);
                (c) end-to-end backtest ticks per second from a CSV of --csv-ticks ticks written to a temporary file;
                (d) peak resident memory (VmHWM) after each stage.
                """)

        @Option(help: "Tick file to repeat (default: the repo's sample recording).")
        var ticks: String = "Data/BTCUSDT-trades-2024-08-08-2354.csv"

        @Option(help: "Strategy file.")
        var strategy: String = "Strategies/donchian-trend.json"

        @Option(help: "Ticks pushed through the engine from memory.")
        var engineTicks: Int = 20_000_000

        @Option(help: "Ticks in the generated CSV for the end-to-end run (0 skips it).")
        var csvTicks: Int = 5_000_000

        @Option(help: "Bars fed to the indicators.")
        var indicatorBars: Int = 10_000_000

        func run() async throws {
            let parameters = try loadStrategy(strategy)
            let reader = try TickFileReader(path: ticks)
            var tape: [Tick] = []
            while let tick = try reader.nextTick() { tape.append(tick) }
            guard let first = tape.first, let last = tape.last else { throw CommandFailure("\(ticks) has no ticks") }
            let span = last.time.nanoseconds - first.time.nanoseconds + 1_000_000
            print("sample: \(tape.count) ticks from \(ticks)")

            // (a) indicators
            var channel = DonchianChannel(length: parameters.channelLength)
            var atr = AverageTrueRange(length: parameters.atrLength)
            var volatility = RealizedVolatility(length: parameters.volatilityLength)
            let prices = tape.map(\.price.doubleValue)
            var start = DispatchTime.now().uptimeNanoseconds
            var checksum = 0.0
            for i in 0..<indicatorBars {
                let p = prices[i % prices.count]
                channel.update(high: p + 1, low: p - 1)
                atr.update(high: p + 1, low: p - 1, close: p)
                volatility.update(close: p)
                checksum += channel.value?.middle ?? 0
            }
            var seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(
                "(a) indicators: \(format(Double(indicatorBars) / seconds)) bar updates/s (Donchian+ATR+vol each; checksum \(Int(checksum) % 1000))"
            )
            print("    peak RSS \(peakResidentMB()) MB")

            // (b) engine from memory
            var engine = Engine(configuration: EngineConfiguration(strategy: parameters, orderIDPrefix: "bench"))
            var venue = SimulatedVenue(
                symbol: parameters.symbol, configuration: .init(tickSize: parameters.instrument.tickSize))
            var commandsSeen = 0
            start = DispatchTime.now().uptimeNanoseconds
            var n = 0
            var loop: Int64 = 0
            while n < engineTicks {
                for var tick in tape {
                    tick.time.nanoseconds += loop * span
                    for fill in venue.process(tick) { _ = engine.handle(fill) }
                    let commands = engine.handle(.tick(tick))
                    if !commands.isEmpty {
                        commandsSeen += commands.count
                        for case .place(let intent) in commands {
                            for event in venue.submit(intent, at: tick.time) { _ = engine.handle(event) }
                        }
                        for case .cancel(let request) in commands {
                            for event in venue.cancel(request.clientOrderID, at: tick.time) { _ = engine.handle(event) }
                        }
                    }
                    n += 1
                    if n == engineTicks { break }
                }
                loop += 1
            }
            seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(
                "(b) engine from memory: \(format(Double(n) / seconds)) ticks/s over \(n) ticks (\(engine.fillCount) fills, \(commandsSeen) commands)"
            )
            print("    peak RSS \(peakResidentMB()) MB")

            // (c) end-to-end from CSV
            guard csvTicks > 0 else { return }
            let path = NSTemporaryDirectory() + "reflex-bench-\(getpid())-BTCUSDT-trades.csv"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try writeRepeatedTape(tape, count: csvTicks, span: span, to: path)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print("    generated \(csvTicks) ticks, \(size / 1_000_000) MB: \(path)")
            let runner = BacktestRunner(
                configuration: BacktestConfiguration(
                    engine: EngineConfiguration(strategy: parameters, orderIDPrefix: "bench")))
            let result = try runner.run(files: [path])
            print(
                "(c) end-to-end backtest from CSV: \(format(result.ticksPerSecond)) ticks/s (\(result.ticks) ticks, \(result.trades.count) trades, \(String(format: "%.2f", result.elapsedSeconds)) s)"
            )
            print("(d) peak RSS after all stages: \(peakResidentMB()) MB (tape of \(tape.count) ticks held in memory)")
        }

        func writeRepeatedTape(_ tape: [Tick], count: Int, span: Int64, to path: String) throws {
            guard
                FileManager.default.createFile(
                    atPath: path, contents: Data("id,price,qty,quote_qty,time,is_buyer_maker\n".utf8)),
                let handle = FileHandle(forWritingAtPath: path)
            else { throw CommandFailure("cannot write \(path)") }
            handle.seekToEndOfFile()
            var buffer = ""
            var written = 0
            var loop: Int64 = 0
            let idBase = tape[0].tradeID
            while written < count {
                for tick in tape {
                    let id = idBase + Int64(written)
                    let time = tick.time.milliseconds + loop * span / 1_000_000
                    let quote = Money.notional(tick.price, tick.quantity)
                    buffer += "\(id),\(tick.price),\(tick.quantity),\(quote),\(time),\(tick.aggressor == .sell)\n"
                    written += 1
                    if buffer.utf8.count > 1 << 20 {
                        handle.write(Data(buffer.utf8))
                        buffer = ""
                    }
                    if written == count { break }
                }
                loop += 1
            }
            handle.write(Data(buffer.utf8))
            try handle.close()
        }

        func format(_ x: Double) -> String {
            x >= 1e6 ? String(format: "%.2f M", x / 1e6) : String(format: "%.0f", x)
        }
    }
}

/// Peak resident set size of this process, from /proc (Linux).
func peakResidentMB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb / 1024
    }
    return -1
}
