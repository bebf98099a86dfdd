import Foundation
import Logging
import ReflexBacktest
import ReflexCore
import ReflexExchange
import Testing

@testable import ReflexLive

/// A venue that accepts every order and cancel at once (the journal's recovery is what is tested here; the real
/// paper venue drives the same runtime end to end in ReflexCLITests).
struct AcceptingGateway: OrderGateway {
    func place(_ intent: OrderIntent, referencePrice: Price?) async -> [EngineEvent] {
        [.orderAccepted(OrderAccepted(clientOrderID: intent.clientOrderID, time: intent.time))]
    }
    func cancel(_ request: CancelRequest) async -> [EngineEvent] {
        [.orderCanceled(OrderCanceled(clientOrderID: request.clientOrderID, time: .milliseconds(0)))]
    }
    func addMargin(symbol: String, amount: Money) async -> [EngineEvent] { [] }
    func openOrders(symbol: String) async throws -> [OpenOrder] { [] }
    func position(symbol: String) async throws -> PositionUpdate {
        PositionUpdate(symbol: symbol, quantity: .zero, entryPrice: .zero, time: .milliseconds(0))
    }
    func instrumentRules(symbol: String) async throws -> Instrument {
        throw ExchangeError(code: 1, message: "not used by this test")
    }
}

@Suite("Journal of several markets")
struct PortfolioJournalTests {
    static func engines() throws -> [EngineConfiguration] {
        try [("donchian-trend.json", "donBTCUSDT"), ("donchian-range-eth.json", "donETHUSDT")].map { file, prefix in
            let text = try String(
                contentsOf: JournalTests.root.appendingPathComponent("Strategies/\(file)"), encoding: .utf8)
            return EngineConfiguration(strategy: try StrategyFile.decode(text), orderIDPrefix: prefix)
        }
    }

    @Test("Every record names its market, and a restart recovers both markets exactly")
    func recoversTwoMarkets() async throws {
        let path = JournalTests.scratch()
        let configuration = TradingRuntime.Configuration(
            engines: try Self.engines(), portfolio: PortfolioLimits(maxOpenPositions: 2), journalPath: path)
        let logger = Logger(label: "test")
        let runtime = try TradingRuntime(configuration: configuration, gateway: AcceptingGateway(), logger: logger)
        let files = ["Data/BTCUSDT-trades-2024-08-08-2354.csv", "Data/ETHUSDT-trades-2024-08-08-spot.csv"]
        for (market, file) in files.enumerated() {
            let reader = try TickFileReader(path: JournalTests.root.appendingPathComponent(file).path)
            while let tick = try reader.nextTick() {
                runtime.deliver(tick: tick, market: market, arrived: .now)
            }
        }
        runtime.deliver(.control(ControlCommand(action: .setMode(.trend), time: .milliseconds(1), symbol: "ETHUSDT")))
        runtime.deliver(.control(ControlCommand(action: .pause, time: .milliseconds(2))))
        // Let the accepted answers of sent orders come back.
        try await Task.sleep(for: .milliseconds(300))
        let live = runtime.portfolio
        #expect(live.markets.map(\.ticks) == [21_313, 6_106])
        #expect(
            live.markets.allSatisfy { $0.ordersPlaced > 0 }, "both markets must trade for the test to mean something")
        #expect(live.markets.map(\.mode) == [.trend, .trend] && live.markets.allSatisfy(\.paused))

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let records = text.split(separator: "\n")
        #expect(records.first?.hasPrefix("P\t") == true)
        #expect(records.contains { $0.hasPrefix("T\tBTCUSDT,") } && records.contains { $0.hasPrefix("T\tETHUSDT,") })
        #expect(records.contains { $0.hasPrefix("E\tETHUSDT\t{\"control\"") }, "a control for one market")
        #expect(records.contains { $0.hasPrefix("E\t*\t{\"control\"") }, "a control for every market")
        #expect(records.contains { $0.hasPrefix("E\tBTCUSDT\t{\"orderAccepted\"") })

        // kill -9: nothing more is written; a new runtime on the same journal.
        let replay = try JournalReplay(
            path: path,
            fresh: Portfolio(markets: try Self.engines().map { Engine(configuration: $0) }))
        #expect(replay.commandMismatches == 0)
        let restarted = try TradingRuntime(configuration: configuration, gateway: AcceptingGateway(), logger: logger)
        let recovered = restarted.portfolio
        for index in 0..<2 {
            #expect(recovered.markets[index].ticks == live.markets[index].ticks)
            #expect(recovered.markets[index].position == live.markets[index].position)
            #expect(recovered.markets[index].ordersPlaced == live.markets[index].ordersPlaced)
            #expect(recovered.markets[index].mode == live.markets[index].mode)
            #expect(recovered.markets[index].fillCount == live.markets[index].fillCount)
        }
        #expect(recovered.risk.limits.maxOpenPositions == 2)
    }

    @Test("A one-market journal recovers into its market of a two-market deployment")
    func oneMarketJournalJoinsAPortfolio() throws {
        let path = JournalTests.scratch()
        let (live, _) = try JournalTests.journaledSession(path: path, ticks: 8_000)
        let engines = try Self.engines().map { Engine(configuration: $0) }
        let replay = try JournalReplay(path: path, fresh: Portfolio(markets: engines))
        #expect(replay.portfolio.markets[0].ticks == live.ticks)
        #expect(replay.portfolio.markets[0].position == live.position)
        #expect(replay.portfolio.markets[1].ticks == 0, "the new market starts fresh")
        #expect(replay.droppedMarkets.isEmpty)
    }
}
