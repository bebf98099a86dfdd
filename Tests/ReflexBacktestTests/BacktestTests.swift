import Foundation
import ReflexCore
import Testing

@testable import ReflexBacktest

@Suite("Backtest")
struct BacktestTests {
    static func strategy(_ mode: TradingMode) throws -> StrategyParameters {
        let text = try String(
            contentsOf: TestFiles.repoRoot.appendingPathComponent("Strategies/donchian-\(mode.rawValue).json"),
            encoding: .utf8)
        return try StrategyFile.decode(text)
    }

    @Test("The sample recording replays through the engine and trades", arguments: [TradingMode.trend, .range])
    func sample(mode: TradingMode) throws {
        let runner = BacktestRunner(
            configuration: BacktestConfiguration(engine: EngineConfiguration(strategy: try Self.strategy(mode))))
        let result = try runner.run(files: [TestFiles.sampleTrades])
        #expect(result.ticks == 21_313)
        #expect(result.bars == 69)  // 23:54:15 … 23:59:55 in 5 s buckets
        #expect(result.trades.count >= 1)
        #expect(result.fills >= 2 * result.trades.count)
        #expect(result.fees.raw > 0)
        // Net PnL is realised + unrealised − fees, which is what the equity moved by.
        #expect(result.finalEquity - result.initialEquity == result.netPnl)
        #expect(result.maxDrawdown >= 0 && result.maxDrawdown < 1)
        #expect(result.chart.count == result.bars)
        let json = BacktestReport.json(result)
        for key in [
            "ticks", "bars", "trades", "netPnl", "fees", "maxDrawdown", "sharpe", "winRate", "elapsedSeconds",
            "ticksPerSecond",
        ] {
            #expect(json.contains("\"\(key)\":"), "\(key)")
        }
        #expect(BacktestReport.html(result).contains("<svg"))
        #expect(!BacktestReport.html(result).contains("<script"))
    }

    @Test("A backtest is deterministic")
    func deterministic() throws {
        let configuration = BacktestConfiguration(engine: EngineConfiguration(strategy: try Self.strategy(.trend)))
        let a = try BacktestRunner(configuration: configuration).run(files: [TestFiles.sampleTrades])
        let b = try BacktestRunner(configuration: configuration).run(files: [TestFiles.sampleTrades])
        #expect(a.trades == b.trades)
        #expect(a.netPnl == b.netPnl)
    }

    @Test("A recorded regime switch replays as a regime shift")
    func recordedRegime() throws {
        let path = try TestFiles.scratch().appendingPathComponent("BTCUSDT.rticks").path
        let reader = try TickFileReader(path: TestFiles.sampleTrades)
        do {
            let writer = try ReflexTickWriter(path: path, symbol: "BTCUSDT")
            var n = 0
            while let tick = try reader.nextTick() {
                writer.append(tick)
                n += 1
                if n == 10_000 { writer.append(RegimeShift(mode: .range, source: .operator_, time: tick.time)) }
            }
        }
        let result = try BacktestRunner(
            configuration: BacktestConfiguration(engine: EngineConfiguration(strategy: try Self.strategy(.trend)))
        )
        .run(files: [path])
        #expect(result.ticks == 21_313)
        #expect(result.modeChanges.count == 1)
        #expect(result.finalMode == .range)
    }

    @Test("A file of another symbol is refused")
    func wrongSymbol() throws {
        let runner = BacktestRunner(
            configuration: BacktestConfiguration(engine: EngineConfiguration(strategy: try Self.strategy(.trend))))
        #expect(throws: TickFileError.self) {
            try runner.run(files: [TestFiles.fixture("XRPETH-aggTrades-2019-10-11.csv")])
        }
    }

    @Test("--from/--to select a window of the tape")
    func window() throws {
        var configuration = BacktestConfiguration(engine: EngineConfiguration(strategy: try Self.strategy(.trend)))
        configuration.from = .milliseconds(1_723_161_300_000)
        configuration.to = .milliseconds(1_723_161_360_000)
        let result = try BacktestRunner(configuration: configuration).run(files: [TestFiles.sampleTrades])
        #expect(result.ticks > 0 && result.ticks < 21_313)
        #expect(result.firstTickTime! >= .milliseconds(1_723_161_300_000))
        #expect(result.lastTickTime! < .milliseconds(1_723_161_360_000))
    }

    @Test("Indicator table: exact header, exact OHLC strings, empty cells until warm")
    func indicatorTable() throws {
        var table = IndicatorTable(interval: .seconds(5), donchian: 20, atr: 14, volatility: 20)
        let reader = try TickFileReader(path: TestFiles.sampleTrades)
        var rows: [String] = []
        while let tick = try reader.nextTick() { if let row = table.add(tick) { rows.append(row) } }
        if let row = table.finish() { rows.append(row) }
        #expect(
            IndicatorTable.header
                == "open_time_ms,open,high,low,close,volume,trades,donchian_upper,donchian_lower,donchian_middle,atr,volatility"
        )
        #expect(rows.count == 69)
        let first = rows[0].dropLast().split(separator: ",", omittingEmptySubsequences: false)
        #expect(first.count == 12)
        #expect(first[0] == "1723161255000" && first[1] == "61800.30")
        #expect(first[7...].allSatisfy { $0.isEmpty })
        let warm = rows[19].dropLast().split(separator: ",", omittingEmptySubsequences: false)
        #expect(!warm[7].isEmpty && !warm[10].isEmpty)
        #expect(warm[11].isEmpty, "volatility(20) needs 20 returns, i.e. 21 bars")
        #expect(!rows[20].dropLast().split(separator: ",", omittingEmptySubsequences: false)[11].isEmpty)
        #expect(rows[18].dropLast().split(separator: ",", omittingEmptySubsequences: false)[7].isEmpty)
    }
}
