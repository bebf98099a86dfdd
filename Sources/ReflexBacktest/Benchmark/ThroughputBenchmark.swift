import Foundation
public import ReflexCore

/// The backtester's throughput benchmark behind `reflex bench`: indicators, the engine from memory, and an
/// end-to-end backtest from a generated CSV. Prints as it goes; numbers are wall-clock on this machine.
public struct ThroughputBenchmark {
    public var strategy: StrategyParameters
    /// The tick file repeated (with shifted times and ids) to make the large inputs.
    public var tickFile: String
    public var indicatorBars = 10_000_000
    public var engineTicks = 20_000_000
    public var csvTicks = 5_000_000
    public var report: (String) -> Void = { print($0) }

    public init(strategy: StrategyParameters, tickFile: String) {
        self.strategy = strategy
        self.tickFile = tickFile
    }

    public func run() throws {
        let reader = try TickFileReader(path: tickFile)
        var tape: [Tick] = []
        while let tick = try reader.nextTick() { tape.append(tick) }
        guard let first = tape.first, let last = tape.last else {
            throw TickFileError(file: tickFile, line: 0, column: 0, message: "no ticks")
        }
        let span = last.time.nanoseconds - first.time.nanoseconds + 1_000_000
        report("sample: \(tape.count) ticks from \(tickFile)")

        // (a) indicators
        var channel = DonchianChannel(length: strategy.channelLength)
        var atr = AverageTrueRange(length: strategy.atrLength)
        var volatility = RealizedVolatility(length: strategy.volatilityLength)
        let prices = tape.map(\.price.doubleValue)
        var start = DispatchTime.now().uptimeNanoseconds
        var cpuStart = Self.cpuSeconds()
        var checksum = 0.0
        for i in 0..<indicatorBars {
            let p = prices[i % prices.count]
            channel.update(high: p + 1, low: p - 1)
            atr.update(high: p + 1, low: p - 1, close: p)
            volatility.update(close: p)
            checksum += channel.value?.middle ?? 0
        }
        var seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var cpu = Self.cpuSeconds() - cpuStart
        report(
            "(a) indicators: \(Self.rate(Double(indicatorBars) / seconds)) bar updates/s wall, \(Self.rate(Double(indicatorBars) / cpu))/s per CPU-second; each Donchian(\(strategy.channelLength)) + ATR(\(strategy.atrLength)) + volatility(\(strategy.volatilityLength)) [checksum \(Int(checksum) % 1000)]"
        )

        // (b) engine from memory, with the simulated venue filling its orders
        var engine = Engine(configuration: EngineConfiguration(strategy: strategy, orderIDPrefix: "bench"))
        var venue = SimulatedVenue(
            symbol: strategy.symbol, configuration: .init(tickSize: strategy.instrument.tickSize))
        start = DispatchTime.now().uptimeNanoseconds
        cpuStart = Self.cpuSeconds()
        var n = 0
        var loop: Int64 = 0
        while n < engineTicks {
            for var tick in tape {
                tick.time.nanoseconds += loop * span
                for fill in venue.process(tick) { feed(&engine, &venue, fill, tick.time) }
                let commands = engine.handle(tick: tick)
                if !commands.isEmpty { execute(&engine, &venue, commands, tick.time) }
                n += 1
                if n == engineTicks { break }
            }
            loop += 1
        }
        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        cpu = Self.cpuSeconds() - cpuStart
        report(
            "(b) engine from memory: \(Self.rate(Double(n) / seconds)) ticks/s wall, \(Self.rate(Double(n) / cpu))/s per CPU-second, over \(n) ticks (\(engine.fillCount) fills, \(engine.barsClosed) bars)"
        )
        report("    peak RSS so far \(Self.peakResidentMB()) MB (the \(tape.count)-tick tape is held in memory)")

        // (c) end-to-end from CSV
        guard csvTicks > 0 else { return }
        let path = NSTemporaryDirectory() + "reflex-bench-\(getpid())-\(strategy.symbol)-trades.csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.writeRepeatedTape(tape, count: csvTicks, span: span, to: path)
        let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
        report("    generated \(csvTicks) ticks (\(size / 1_000_000) MB of Binance trades CSV)")
        let rssBefore = Self.currentResidentMB()
        cpuStart = Self.cpuSeconds()
        let result = try BacktestRunner(
            configuration: BacktestConfiguration(
                engine: EngineConfiguration(strategy: strategy, orderIDPrefix: "bench"))
        ).run(files: [path])
        cpu = Self.cpuSeconds() - cpuStart
        report(
            "(c) end-to-end backtest from CSV: \(Self.rate(result.ticksPerSecond)) ticks/s wall, \(Self.rate(Double(result.ticks) / cpu))/s per CPU-second (\(result.ticks) ticks, \(result.trades.count) trades, \(String(format: "%.2f", result.elapsedSeconds)) s)"
        )
        report(
            "(d) resident memory: \(rssBefore) MB before the CSV run, \(Self.currentResidentMB()) MB after; peak \(Self.peakResidentMB()) MB"
        )
    }

    private func feed(_ engine: inout Engine, _ venue: inout SimulatedVenue, _ event: EngineEvent, _ time: Timestamp) {
        let commands = engine.handle(event)
        if !commands.isEmpty { execute(&engine, &venue, commands, time) }
    }

    private func execute(
        _ engine: inout Engine, _ venue: inout SimulatedVenue, _ commands: [EngineCommand], _ time: Timestamp
    ) {
        var reads: [ReconcileRequest] = []
        for command in commands {
            switch command {
            case .place(let intent): for e in venue.submit(intent, at: time) { feed(&engine, &venue, e, time) }
            case .cancel(let request):
                for e in venue.cancel(request.clientOrderID, at: time) { feed(&engine, &venue, e, time) }
            case .reconcile(let request): reads.append(request)
            case .addMargin, .notify, .record: break
            }
        }
        for request in reads {
            let entry = engine.position.averageEntry.flatMap { Price(approximating: $0) } ?? .zero
            feed(&engine, &venue, .venueState(venue.state(answering: request, entryPrice: entry, time: time)), time)
        }
    }

    /// Writes `count` ticks of Binance futures trades CSV by repeating `tape` with shifted times and fresh ids.
    public static func writeRepeatedTape(_ tape: [Tick], count: Int, span: Int64, to path: String) throws {
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data("id,price,qty,quote_qty,time,is_buyer_maker\n".utf8)),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw TickFileError(file: path, line: 0, column: 0, message: "cannot write") }
        handle.seekToEndOfFile()
        var buffer = ""
        var written = 0
        var loop: Int64 = 0
        let idBase = tape[0].tradeID
        while written < count {
            for tick in tape {
                let time = tick.time.milliseconds + loop * span / 1_000_000
                let quote = Money.notional(tick.price, tick.quantity)
                buffer +=
                    "\(idBase + Int64(written)),\(tick.price),\(tick.quantity),\(quote),\(time),\(tick.aggressor == .sell)\n"
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

    /// CPU time of this process (user + system): a rate per CPU-second is what the code costs, whatever else
    /// the machine is doing; the wall-clock rate is what a user sees.
    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func rate(_ x: Double) -> String {
        x >= 1e6 ? String(format: "%.2f M", x / 1e6) : String(format: "%.0f", x)
    }

    /// Peak resident set size (VmHWM) in MB, from /proc (Linux); -1 elsewhere.
    public static func peakResidentMB() -> Int { procStatus("VmHWM:") }
    /// Current resident set size (VmRSS) in MB.
    public static func currentResidentMB() -> Int { procStatus("VmRSS:") }

    static func procStatus(_ key: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(key) {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) / 1024
        }
        return -1
    }
}
