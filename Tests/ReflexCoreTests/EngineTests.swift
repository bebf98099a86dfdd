import Testing

@testable import ReflexCore

/// Builds an engine and a warm-up tape: three 1 s bars between 59 990 and 60 010, so the channel of the previous
/// three bars is [59 990, 60 010] and ATR(2) is warm.
struct EngineFixture {
    var engine: Engine
    var time: Int64 = 0

    init(mode: TradingMode = .trend, risk: RiskLimits = .init()) {
        var strategy = StrategyParameters(
            name: "test", symbol: "BTCUSDT", barInterval: .seconds(1), channelLength: 3, exitChannelLength: 2,
            atrLength: 2, volatilityLength: 2, stopATR: 2, takeProfitATR: 4, trailingATR: 3, riskFraction: 0.01,
            maxLeverage: 3, initialMode: mode)
        strategy.instrument = .binanceDefaults(for: "BTCUSDT")
        engine = Engine(
            configuration: EngineConfiguration(strategy: strategy, risk: risk, initialEquity: Money("10000")!))
        for second in 0..<3 {
            _ = tick(Int64(second) * 1000, "60000")
            _ = tick(Int64(second) * 1000 + 300, "60010")
            _ = tick(Int64(second) * 1000 + 600, "59990")
        }
        _ = tick(3000, "60000")  // closes the third bar
    }

    mutating func tick(_ ms: Int64, _ price: String) -> [EngineCommand] {
        time = ms
        return engine.handle(
            .tick(
                Tick(
                    time: .milliseconds(ms), price: Price(price)!, quantity: Quantity("0.01")!,
                    aggressor: .buy, tradeID: ms)))
    }

    mutating func fill(
        _ intent: OrderIntent, _ quantity: Quantity? = nil, price: String, trade: String, final: Bool = true
    )
        -> [EngineCommand]
    {
        engine.handle(
            .orderFilled(
                OrderFilled(
                    symbol: "BTCUSDT", clientOrderID: intent.clientOrderID, tradeID: trade, side: intent.side,
                    price: Price(price)!, quantity: quantity ?? intent.quantity, isFinal: final, fee: Money("0.01")!,
                    time: .milliseconds(time))))
    }
}

extension [EngineCommand] {
    var placed: [OrderIntent] { compactMap { if case .place(let i) = $0 { return i } else { return nil } } }
    var canceled: [ClientOrderID] {
        compactMap { if case .cancel(let c) = $0 { return c.clientOrderID } else { return nil } }
    }
    var notices: [Notice] { compactMap { if case .notify(let n) = $0 { return n } else { return nil } } }
}

@Suite("Engine")
struct EngineTests {
    @Test("Warm-up gives the channel of the previous bars and no order")
    func warmUp() {
        let f = EngineFixture()
        #expect(f.engine.channel == DonchianChannel.Value(upper: 60010, lower: 59990))
        #expect(f.engine.atr != nil)
        #expect(f.engine.workingOrders.isEmpty)
    }

    @Test("Trend: a breakout enters; the fill brings a reduce-only stop and target; the stop fill cancels the target")
    func trendLifecycle() throws {
        var f = EngineFixture()
        #expect(f.tick(3100, "60005").placed.isEmpty)  // inside the channel
        let entry = try #require(f.tick(3200, "60050").placed.first)
        #expect(entry.side == .buy && entry.type == .market && entry.purpose == .entry && !entry.reduceOnly)
        #expect(entry.quantity.isMultiple(of: Quantity("0.001")!) && entry.quantity.raw > 0)
        // Risk 1% of 10 000 over 2·ATR, capped at 3× leverage.
        let atr = try #require(f.engine.atr)
        let expected = min(100 / (2 * atr), 30_000 / 60_050)
        #expect(abs(entry.quantity.doubleValue - expected) < 0.001)
        #expect(f.tick(3300, "60060").placed.isEmpty, "one entry at a time")

        let protection = f.fill(entry, price: "60050", trade: "t1").placed
        #expect(protection.count == 2)
        let stop = try #require(protection.first { $0.purpose == .stopLoss })
        let target = try #require(protection.first { $0.purpose == .takeProfit })
        guard case .stopMarket(let stopTrigger) = stop.type, case .takeProfitMarket(let targetTrigger) = target.type
        else {
            Issue.record("wrong order types")
            return
        }
        #expect(stop.side == .sell && stop.reduceOnly && stop.quantity == entry.quantity)
        #expect(target.side == .sell && target.reduceOnly && target.quantity == entry.quantity)
        #expect(stopTrigger < Price("60050")! && stopTrigger.isMultiple(of: Price("0.10")!))
        #expect(targetTrigger > Price("60050")! && targetTrigger.isMultiple(of: Price("0.10")!))
        #expect(abs(Price("60050")!.doubleValue - stopTrigger.doubleValue - 2 * atr) < 0.11)

        // The same fill again (webhook and stream both report it) changes nothing.
        #expect(f.fill(entry, price: "60050", trade: "t1").isEmpty)
        #expect(f.engine.position.quantity == entry.quantity)
        #expect(f.engine.fillCount == 1)

        let afterStop = f.fill(stop, price: stopTrigger.description, trade: "t2")
        #expect(afterStop.canceled == [target.clientOrderID])
        #expect(f.engine.position.isFlat)
        #expect(f.engine.realizedPnl.raw < 0)
        #expect(f.engine.fees == Money("0.02"))
    }

    @Test("Same events give the same commands and client order ids")
    func deterministic() {
        func run() -> [EngineCommand] {
            var f = EngineFixture()
            var all = f.tick(3200, "60050")
            if let entry = all.placed.first { all += f.fill(entry, price: "60050", trade: "x") }
            all += f.tick(4100, "60500")
            return all
        }
        let first = run()
        #expect(first.placed.count == 3)
        #expect(first == run())
        #expect(first.placed.map(\.clientOrderID.rawValue) == ["rx-1-e", "rx-2-sl", "rx-3-tp"])
        #expect(first.placed.allSatisfy { $0.clientOrderID.isValidForBinance })
    }

    @Test("Range: touching the upper edge fades it, targeting the middle, stop outside the channel")
    func rangeFade() throws {
        var f = EngineFixture(mode: .range)
        let entry = try #require(f.tick(3200, "60012").placed.first)
        #expect(entry.side == .sell)
        let protection = f.fill(entry, price: "60012", trade: "r1").placed
        let target = try #require(protection.first { $0.purpose == .takeProfit })
        let stop = try #require(protection.first { $0.purpose == .stopLoss })
        #expect(target.type == .takeProfitMarket(trigger: Price("60000")!))
        guard case .stopMarket(let trigger) = stop.type else { throw CancellationError() }
        #expect(trigger > Price("60012")!)
        #expect(stop.side == .buy)
    }

    @Test("A regime shift cancels working entries of the old mode and is logged with its source")
    func modeChange() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let commands = f.engine.handle(
            .regimeShift(RegimeShift(mode: .range, source: .webhook, reason: "test", time: .milliseconds(3300))))
        #expect(commands.canceled == [entry.clientOrderID])
        #expect(f.engine.mode == .range)
        let notice = try #require(commands.notices.first)
        #expect(notice.kind == "modeChanged" && notice.message.contains("webhook"))
    }

    @Test("A switch keeps an open position's protection")
    func modeChangeKeepsProtection() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        _ = f.fill(entry, price: "60050", trade: "t1")
        let commands = f.engine.handle(.control(ControlCommand(action: .setMode(.range), time: .milliseconds(3300))))
        #expect(commands.canceled.isEmpty)
        #expect(f.engine.workingOrders.filter { $0.intent.purpose.isProtective }.count == 2)
    }

    @Test("Partial entry fills resize the protection to the whole position")
    func partialFills() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let part = Quantity("0.100")!
        let first = f.fill(entry, part, price: "60050", trade: "p1", final: false).placed
        #expect(first.map(\.quantity) == [part, part])
        let second = f.fill(entry, entry.quantity - part, price: "60051", trade: "p2", final: true)
        #expect(second.canceled == first.map(\.clientOrderID))
        #expect(second.placed.map(\.quantity) == [entry.quantity, entry.quantity])
    }

    @Test("A margin warning reduces the position by the configured fraction")
    func marginWarning() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        _ = f.fill(entry, price: "60050", trade: "t1")
        let commands = f.engine.handle(
            .marginWarning(
                MarginWarning(
                    symbol: "BTCUSDT", marginRatio: 0.85, markPrice: Price("59000")!, maintenanceMargin: Money("50")!,
                    time: .milliseconds(3300))))
        let reduce = try #require(commands.placed.first)
        #expect(reduce.purpose == .reduce && reduce.reduceOnly && reduce.side == .sell && reduce.type == .market)
        let half = Quantity(approximating: entry.quantity.doubleValue / 2)!.rounded(
            toMultipleOf: Quantity("0.001")!, .up)
        #expect(reduce.quantity == half)
        #expect(commands.notices.first?.message.contains("0.85") == true)
        // A second warning within the cool-down does not reduce again.
        let again = f.engine.handle(
            .marginWarning(
                MarginWarning(
                    symbol: "BTCUSDT", marginRatio: 0.9, markPrice: Price("58900")!, maintenanceMargin: Money("50")!,
                    time: .milliseconds(4000))))
        #expect(again.placed.isEmpty)
    }

    @Test("addMargin defence emits the margin command")
    func addMargin() throws {
        var f = EngineFixture(risk: RiskLimits(marginDefence: MarginDefence(action: .addMargin(Money("250")!))))
        let entry = try #require(f.tick(3200, "60050").placed.first)
        _ = f.fill(entry, price: "60050", trade: "t1")
        let commands = f.engine.handle(
            .marginWarning(
                MarginWarning(
                    symbol: "BTCUSDT", marginRatio: 0.85, markPrice: Price("59000")!, maintenanceMargin: Money("50")!,
                    time: .milliseconds(3300))))
        #expect(commands.contains(.addMargin(symbol: "BTCUSDT", amount: Money("250")!)))
    }

    @Test("A liquidation flattens local state, cancels orders and pauses entries")
    func liquidation() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let protection = f.fill(entry, price: "60050", trade: "t1").placed
        let commands = f.engine.handle(
            .liquidation(
                Liquidation(
                    symbol: "BTCUSDT", side: .sell, price: Price("55000")!, quantity: entry.quantity,
                    time: .milliseconds(3300))))
        #expect(Set(commands.canceled) == Set(protection.map(\.clientOrderID)))
        #expect(f.engine.position.isFlat && f.engine.paused)
        #expect(f.tick(9000, "70000").placed.isEmpty)
    }

    @Test("Pause stops entries, resume allows them again")
    func pauseResume() {
        var f = EngineFixture()
        _ = f.engine.handle(.control(ControlCommand(action: .pause, time: .milliseconds(3100))))
        #expect(f.tick(3200, "60050").placed.isEmpty)
        _ = f.engine.handle(.control(ControlCommand(action: .resume, time: .milliseconds(3300))))
        #expect(f.tick(3400, "60050").placed.count == 1)
    }

    @Test("Flatten cancels everything and closes the position reduce-only")
    func flatten() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let protection = f.fill(entry, price: "60050", trade: "t1").placed
        let commands = f.engine.handle(.control(ControlCommand(action: .flatten, time: .milliseconds(3300))))
        #expect(Set(commands.canceled) == Set(protection.map(\.clientOrderID)))
        let close = try #require(commands.placed.first)
        #expect(
            close.purpose == .flatten && close.reduceOnly && close.quantity == entry.quantity && close.side == .sell)
    }

    @Test("A venue position the engine did not know is adopted and protected at once")
    func reconcile() throws {
        var f = EngineFixture()
        let commands = f.engine.handle(
            .venueState(
                VenueState(
                    symbol: "BTCUSDT", quantity: Quantity("-0.250")!, entryPrice: Price("60000")!, openOrders: [],
                    fenceSequence: f.engine.ordersPlaced, reason: "start-up", time: .milliseconds(3100))))
        #expect(f.engine.position.quantity == Quantity("-0.250")!)
        #expect(commands.placed.map(\.purpose) == [.stopLoss, .takeProfit])
        #expect(commands.placed.allSatisfy { $0.side == .buy && $0.reduceOnly && $0.quantity == Quantity("0.250")! })
    }

    @Test("A rejected stop-loss closes the position rather than leave it unprotected")
    func protectionRejected() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let protection = f.fill(entry, price: "60050", trade: "t1").placed
        let stop = try #require(protection.first { $0.purpose == .stopLoss })
        let commands = f.engine.handle(
            .orderRejected(
                OrderRejected(clientOrderID: stop.clientOrderID, reason: "would trigger", time: .milliseconds(3300))))
        #expect(commands.placed.first?.purpose == .flatten)
        #expect(commands.notices.contains { $0.level == .critical })
    }

    @Test("The fill de-dup memory keeps the latest trade ids only: bounded however long the bot runs")
    func fillMemoryIsBounded() {
        var engine = EngineFixture().engine
        let capacity = Engine.rememberedTradeIDs
        var inserted = 0
        for index in 0..<(capacity + 500) where engine.rememberTradeID("e-\(index)/t") { inserted += 1 }
        #expect(inserted == capacity + 500)
        #expect(engine.seenTradeIDs.count == capacity)
        #expect(engine.seenTradeOrder.count == capacity)
        let latest = engine.rememberTradeID("e-\(capacity + 499)/t")
        let oldestKept = engine.rememberTradeID("e-500/t")
        let evicted = engine.rememberTradeID("e-499/t")
        #expect(!latest)  // still known: a copy is dropped
        #expect(!oldestKept)
        #expect(evicted)  // forgotten: the first to go
    }

    @Test("Rejected entries back off 1, 2, 4, 8 s of market time; the fifth rejection in a row pauses entries")
    func entryRejectionsBackOffThenPause() throws {
        var f = EngineFixture()
        func reject(_ intent: OrderIntent, _ f: inout EngineFixture) -> [EngineCommand] {
            // The rejection's own time is wall clock (far from the tape's); the back-off counts market time.
            f.engine.handle(
                .orderRejected(
                    OrderRejected(
                        clientOrderID: intent.clientOrderID, reason: "binance -2019: Margin is insufficient.",
                        time: .seconds(1_800_000_000))))
        }
        // (breakout tick, a tick just before the back-off ends) for rejections 1…4: back-off 1, 2, 4, 8 s.
        let schedule: [(at: Int64, price: String, tooEarly: Int64)] = [
            (3200, "60050", 4100), (4300, "60200", 6200), (6400, "60300", 10_300), (10_500, "60400", 18_400),
        ]
        var entry = try #require(f.tick(3200, "60050").placed.first)
        for (index, step) in schedule.enumerated() {
            if index > 0 { entry = try #require(f.tick(step.at, step.price).placed.first, "retry \(index)") }
            #expect(reject(entry, &f).notices.map(\.kind) == ["entryRejected"])
            // The same breakout price again: an entry but for the back-off.
            #expect(f.tick(step.tooEarly, step.price).placed.isEmpty, "still backing off after rejection \(index + 1)")
        }
        let fifth = try #require(f.tick(18_600, "60500").placed.first)
        let paused = reject(fifth, &f).notices
        #expect(paused.contains { $0.kind == "entriesPaused" && $0.level == .critical })
        #expect(f.engine.paused)
        #expect(f.tick(40_000, "62000").placed.isEmpty)
        _ = f.engine.handle(.control(ControlCommand(action: .resume, source: "operator", time: .milliseconds(40_100))))
        #expect(f.tick(40_200, "63000").placed.first?.purpose == .entry, "a resume starts afresh")
    }

    @Test("Trend exit on the trailing stop or the shorter opposite channel")
    func trendExit() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        _ = f.fill(entry, price: "60050", trade: "t1")
        let exit = try #require(f.tick(3300, "59900").placed.first)  // below the 2-bar low 59 990
        #expect(exit.purpose == .exit && exit.reduceOnly && exit.quantity == entry.quantity)
        #expect(f.tick(3400, "59800").placed.isEmpty, "one exit at a time")
    }

    @Test("When the stop fills while a market exit is in flight, only resting orders are cancelled")
    func flatWithAnExitInFlight() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let protection = f.fill(entry, price: "60050", trade: "t1").placed
        let stop = try #require(protection.first { $0.purpose == .stopLoss })
        let target = try #require(protection.first { $0.purpose == .takeProfit })
        let exit = try #require(f.tick(3300, "59900").placed.first)
        #expect(exit.type == .market && exit.reduceOnly)
        // The venue triggers the stop before the exit reaches it: flat, the target goes, the exit is left to expire.
        let afterStop = f.fill(stop, price: "59890", trade: "t2")
        #expect(f.engine.position.isFlat)
        #expect(afterStop.canceled == [target.clientOrderID])
    }

    @Test("The daily loss limit halts entries and keeps protection")
    func dailyLoss() throws {
        var f = EngineFixture(risk: RiskLimits(maxDailyLoss: Money("10")!))
        let entry = try #require(f.tick(3200, "60050").placed.first)
        _ = f.fill(entry, price: "60050", trade: "t1")
        let commands = f.tick(3300, "60000")
        #expect(f.engine.riskHalt != nil)
        #expect(commands.notices.contains { $0.kind == "riskHalt" })
        #expect(commands.canceled.isEmpty, "protective orders stay")
    }

    @Test("The regime detector switches on channel width over ATR with confirmation")
    func detector() {
        var strategy = StrategyParameters(
            name: "d", symbol: "BTCUSDT", barInterval: .seconds(1), channelLength: 3, exitChannelLength: 2,
            atrLength: 2,
            volatilityLength: 2, initialMode: .trend,
            regimeDetector: RegimeDetectorRule(trendAbove: 100, rangeBelow: 5, confirmBars: 2))
        strategy.riskFraction = 0.0000001  // no trades
        var engine = Engine(configuration: EngineConfiguration(strategy: strategy))
        var switched: [Notice] = []
        for second in 0..<8 {
            for (offset, price) in [(0, "60000"), (300, "60010"), (600, "59990")] {
                let t = Tick(
                    time: .milliseconds(Int64(second * 1000 + offset)), price: Price(price)!, quantity: Quantity("1")!,
                    aggressor: .buy, tradeID: 0)
                switched += engine.handle(.tick(t)).notices.filter { $0.kind == "modeChanged" }
            }
        }
        // Width 20 over an ATR of 20: ratio 1 ≤ 5, so trend → range, once, from the detector.
        #expect(switched.count == 1)
        #expect(switched.first?.message.contains("detector") == true)
        #expect(engine.mode == .range)
    }
}
