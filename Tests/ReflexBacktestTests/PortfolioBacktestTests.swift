import Foundation
import ReflexCore
import Testing

@testable import ReflexBacktest

@Suite("Portfolio backtest")
struct PortfolioBacktestTests {
    static let ethTrades = TestFiles.repoRoot.appendingPathComponent("Data/ETHUSDT-trades-2024-08-08-spot.csv").path

    static func market(_ file: String) throws -> BacktestConfiguration {
        let text = try String(
            contentsOf: TestFiles.repoRoot.appendingPathComponent("Strategies/\(file)"), encoding: .utf8)
        return BacktestConfiguration(engine: EngineConfiguration(strategy: try StrategyFile.decode(text)))
    }

    static func markets() throws -> [BacktestConfiguration] {
        [try market("donchian-trend.json"), try market("donchian-range-eth.json")]
    }

    @Test("Without binding limits each market trades exactly as its own one-market backtest")
    func equalsOneMarketRuns() throws {
        let markets = try Self.markets()
        let portfolio = try PortfolioBacktestRunner(configuration: .init(markets: markets))
            .run(files: [TestFiles.sampleTrades, Self.ethTrades])
        let bitcoin = try BacktestRunner(configuration: markets[0]).run(files: [TestFiles.sampleTrades])
        let ether = try BacktestRunner(configuration: markets[1]).run(files: [Self.ethTrades])
        #expect(bitcoin.trades.count > 0 && ether.trades.count > 0, "both markets trade on their own")
        #expect(portfolio.markets[0].trades == bitcoin.trades)
        #expect(portfolio.markets[1].trades == ether.trades)
        #expect(portfolio.markets[0].netPnl == bitcoin.netPnl && portfolio.markets[1].netPnl == ether.netPnl)
        #expect(portfolio.ticks == 21_313 + 6_106)
        // The account's result is the sum of the markets'.
        #expect(portfolio.netPnl == bitcoin.netPnl + ether.netPnl)
        #expect(portfolio.finalEquity == portfolio.initialEquity + portfolio.netPnl)
        #expect(portfolio.heldEntries.isEmpty)
        #expect(portfolio.chart.count > 60 && portfolio.maxDrawdown >= 0)
        // Files in either order give the same run: the tape is merged by time.
        let swapped = try PortfolioBacktestRunner(configuration: .init(markets: markets))
            .run(files: [Self.ethTrades, TestFiles.sampleTrades])
        #expect(swapped.markets.map(\.trades) == portfolio.markets.map(\.trades))
    }

    @Test("A binding portfolio limit holds entries back, as live")
    func bindingLimit() throws {
        let markets = try Self.markets()
        let free = try PortfolioBacktestRunner(configuration: .init(markets: markets))
            .run(files: [TestFiles.sampleTrades, Self.ethTrades])
        let capped = try PortfolioBacktestRunner(
            configuration: .init(markets: markets, limits: PortfolioLimits(maxOpenPositions: 1))
        ).run(files: [TestFiles.sampleTrades, Self.ethTrades])
        let held = capped.heldEntries["maxOpenPositions"] ?? 0
        #expect(held > 0)
        #expect(capped.markets.map(\.notices).allSatisfy { $0["entriesPaused"] == nil })
        // Never two positions at once: no two round trips of different markets overlap in time.
        let trips = capped.markets.enumerated().flatMap { m in m.element.trades.map { (m.offset, $0) } }
        for (a, x) in trips {
            for (b, y) in trips where a < b {
                #expect(x.exitTime < y.entryTime || y.exitTime < x.entryTime, "overlap \(x) \(y)")
            }
        }
        #expect(capped.trades < free.trades)
    }

    @Test("A file for a market not traded, or a market without a file, is an error naming it")
    func badFiles() throws {
        let markets = try Self.markets()
        let runner = PortfolioBacktestRunner(configuration: .init(markets: [markets[0]]))
        #expect {
            try runner.run(files: [TestFiles.sampleTrades, Self.ethTrades])
        } throws: { "\($0)".contains("ETHUSDT") && "\($0)".contains("no --market") }
        #expect {
            try PortfolioBacktestRunner(configuration: .init(markets: markets)).run(files: [TestFiles.sampleTrades])
        } throws: { "\($0)".contains("no --ticks file for market ETHUSDT") }
    }
}
