import Foundation
import Testing

@testable import ReflexCore

/// The engine's position against the venue's under reordered, repeated and late reports: snapshots ordered by
/// venue time and never adopted from a stream, fills applied once, reconciliation reads fenced so that a fill they
/// already contain is not applied on top.
@Suite("Position sync")
struct PositionSyncTests {
    /// One change of the position, as the venue reports it through its three channels.
    struct Change {
        var fill: OrderFilled
        /// The same execution as the account stream reports it (same trade id).
        var streamFill: OrderFilled { fill }
        var snapshot: PositionUpdate
        var expected: Quantity
    }

    enum Delivery: CaseIterable, CustomStringConvertible {
        case webhookFill, streamFill, snapshot
        var description: String { "\(self)" }
    }

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i -> [[T]] in
            var rest = items
            let head = rest.remove(at: i)
            return permutations(rest).map { [head] + $0 }
        }
    }

    static func filled(
        _ intent: OrderIntent, _ quantity: Quantity? = nil, price: String, trade: String, ms: Int64,
        cumulative: Quantity? = nil
    ) -> OrderFilled {
        OrderFilled(
            symbol: "BTCUSDT", clientOrderID: intent.clientOrderID, tradeID: trade, side: intent.side,
            price: Price(price)!, quantity: quantity ?? intent.quantity, cumulativeQuantity: cumulative,
            isFinal: (cumulative ?? quantity ?? intent.quantity) == intent.quantity, fee: Money("0.01")!,
            time: .milliseconds(ms))
    }

    static func snapshot(_ quantity: Quantity, ms: Int64) -> PositionUpdate {
        PositionUpdate(symbol: "BTCUSDT", quantity: quantity, entryPrice: Price("60050")!, time: .milliseconds(ms))
    }

    /// An engine long from a breakout entry, protected; and the entry itself.
    static func longEngine() throws -> (EngineFixture, OrderIntent, [OrderIntent]) {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let protection = f.engine.handle(.orderFilled(filled(entry, price: "60050", trade: "e1", ms: 3210))).placed
        return (f, entry, protection)
    }

    /// Delivers `change` in `order`, lets 5 s of timers pass, and returns every command given.
    static func deliver(_ change: Change, in order: [Delivery], to f: inout EngineFixture, from ms: Int64)
        -> [EngineCommand]
    {
        var out: [EngineCommand] = []
        for delivery in order {
            switch delivery {
            case .webhookFill: out += f.engine.handle(.orderFilled(change.fill))
            case .streamFill: out += f.engine.handle(.orderFilled(change.streamFill))
            case .snapshot: out += f.engine.handle(.positionChanged(change.snapshot))
            }
        }
        for second in 1...5 { out += f.engine.handle(.timer(.milliseconds(ms + Int64(second) * 1000))) }
        return out
    }

    static func hasReconcile(_ commands: [EngineCommand]) -> Bool {
        commands.contains { if case .reconcile = $0 { return true } else { return false } }
    }

    @Test("A fill that opens, reduces or closes is applied once in every order of webhook, stream and snapshot")
    func everyPermutationOfStreams() throws {
        for order in Self.permutations(Delivery.allCases) {
            // Opens.
            var f = EngineFixture()
            let entry = try #require(f.tick(3200, "60050").placed.first)
            let open = Change(
                fill: Self.filled(entry, price: "60050", trade: "e1", ms: 3210),
                snapshot: Self.snapshot(entry.quantity, ms: 3210), expected: entry.quantity)
            var out = Self.deliver(open, in: order, to: &f, from: 3210)
            #expect(f.engine.position.quantity == open.expected, "open, \(order)")
            #expect(f.engine.fillCount == 1, "open, \(order)")
            #expect(!Self.hasReconcile(out), "open, \(order): \(out.notices.map(\.message))")
            #expect(out.placed.filter { $0.purpose.isProtective }.count == 2, "open, \(order): protected once")

            // Reduces: the margin defence closes half.
            out = f.engine.handle(
                .marginWarning(
                    MarginWarning(
                        symbol: "BTCUSDT", marginRatio: 0.95, markPrice: Price("60000")!,
                        maintenanceMargin: Money("10")!, time: .milliseconds(9000))))
            let reduce = try #require(out.placed.first { $0.purpose == .reduce })
            let half = entry.quantity - reduce.quantity
            let reduced = Change(
                fill: Self.filled(reduce, price: "60000", trade: "r1", ms: 9010),
                snapshot: Self.snapshot(half, ms: 9010),
                expected: half)
            out = Self.deliver(reduced, in: order, to: &f, from: 9010)
            #expect(f.engine.position.quantity == half, "reduce, \(order)")
            #expect(!Self.hasReconcile(out), "reduce, \(order): \(out.notices.map(\.message))")

            // Closes: the stop-loss fills what is left (reduce-only: the venue caps it at the position).
            let stop = try #require(
                f.engine.workingOrders.first { $0.intent.purpose == .stopLoss && !$0.cancelRequested }?.intent)
            let closed = Change(
                fill: Self.filled(stop, half, price: "59900", trade: "s1", ms: 20_000),
                snapshot: Self.snapshot(.zero, ms: 20_000), expected: .zero)
            out = Self.deliver(closed, in: order, to: &f, from: 20_000)
            #expect(f.engine.position.isFlat, "close, \(order)")
            #expect(f.engine.fillCount == 3, "close, \(order)")
            #expect(!Self.hasReconcile(out), "close, \(order)")
            #expect(out.placed.isEmpty, "close, \(order): nothing placed on a flat position")
            #expect(f.engine.venueSync.staleSnapshots == 0)
        }
    }

    @Test("Snapshots delivered out of order: the older one is ignored and counted, the position never flips")
    func reorderedSnapshots() throws {
        var (f, entry, _) = try Self.longEngine()
        let stop = try #require(f.engine.workingOrders.first { $0.intent.purpose == .stopLoss }?.intent)
        // The venue: long at 3210, flat at 5000. Deliveries: flat snapshot, stop fill, then the long snapshot.
        var out = f.engine.handle(.positionChanged(Self.snapshot(.zero, ms: 5000)))
        out += f.engine.handle(.orderFilled(Self.filled(stop, price: "59900", trade: "s1", ms: 5000)))
        out += f.engine.handle(.positionChanged(Self.snapshot(entry.quantity, ms: 3210)))
        for second in 1...5 { out += f.engine.handle(.timer(.milliseconds(5000 + Int64(second) * 1000))) }
        #expect(f.engine.position.isFlat)
        #expect(f.engine.venueSync.staleSnapshots == 1)
        #expect(!Self.hasReconcile(out))
        #expect(!out.notices.contains { $0.level == .critical })
    }

    @Test("A snapshot that keeps disagreeing (a fill never came) reads the venue after the grace period")
    func lostFillReadsTheVenue() throws {
        var (f, entry, _) = try Self.longEngine()
        var out = f.engine.handle(.positionChanged(Self.snapshot(.zero, ms: 5000)))
        out += f.engine.handle(.timer(.milliseconds(6000)))
        out += f.engine.handle(.timer(.milliseconds(7000)))
        #expect(!Self.hasReconcile(out), "within the grace period a late fill may still come")
        out = f.engine.handle(.timer(.milliseconds(8100)))
        let request = try #require(
            out.compactMap { if case .reconcile(let r) = $0 { return r } else { return nil } }.first)
        #expect(f.engine.reconciling)
        // While the read is on its way nothing leaves: not even a trend exit.
        #expect(f.tick(8200, "59000").placed.isEmpty)
        // The venue is flat, its stop-loss gone (filled), the take-profit still listed.
        let takeProfit = try #require(f.engine.workingOrders.first { $0.intent.purpose == .takeProfit }?.intent)
        out = f.engine.handle(
            .venueState(
                VenueState(
                    symbol: "BTCUSDT", quantity: .zero, entryPrice: .zero,
                    openOrders: [
                        .init(clientOrderID: takeProfit.clientOrderID, filledQuantity: .zero, conditional: true)
                    ],
                    fenceSequence: request.fenceSequence, reason: request.reason, time: .milliseconds(8300))))
        #expect(f.engine.position.isFlat)
        #expect(out.canceled == [takeProfit.clientOrderID])
        #expect(out.notices.contains { $0.kind == "reconciliationDifference" && $0.level == .warning })
        #expect(f.engine.venueSync.differences == 1)
        #expect(!f.engine.reconciling)
        _ = entry
    }

    @Test("A fill contained in a reconciliation read is not applied again when it arrives after it")
    func fillAfterReadIsContained() throws {
        for kind in ["open", "close"] {
            var f = EngineFixture()
            let entry = try #require(f.tick(3200, "60050").placed.first)
            var out: [EngineCommand]
            var venueQuantity = entry.quantity
            var late: OrderFilled
            var listed: [VenueState.OpenOrder] = []
            if kind == "open" {
                // The entry filled at the venue; its fill is late. The read shows the position.
                late = Self.filled(entry, price: "60050", trade: "e1", ms: 3210)
            } else {
                _ = f.engine.handle(.orderFilled(Self.filled(entry, price: "60050", trade: "e1", ms: 3210)))
                let stop = try #require(f.engine.workingOrders.first { $0.intent.purpose == .stopLoss }?.intent)
                let target = try #require(f.engine.workingOrders.first { $0.intent.purpose == .takeProfit }?.intent)
                late = Self.filled(stop, price: "59900", trade: "s1", ms: 5000)
                venueQuantity = .zero
                listed = [.init(clientOrderID: target.clientOrderID, filledQuantity: .zero, conditional: true)]
            }
            out = f.engine.handle(
                .control(ControlCommand(action: .reconcile, source: "periodic", time: .milliseconds(5500))))
            let request = try #require(
                out.compactMap { if case .reconcile(let r) = $0 { return r } else { return nil } }.first)
            out = f.engine.handle(
                .venueState(
                    VenueState(
                        symbol: "BTCUSDT", quantity: venueQuantity, entryPrice: Price("60050")!, openOrders: listed,
                        fenceSequence: request.fenceSequence, reason: "periodic", time: .milliseconds(5600))))
            #expect(f.engine.position.quantity == venueQuantity, "\(kind)")
            // The webhook's late copy and the stream's: neither moves the position.
            out += f.engine.handle(.orderFilled(late))
            out += f.engine.handle(.orderFilled(late))
            #expect(f.engine.position.quantity == venueQuantity, "\(kind)")
            #expect(f.engine.venueSync.containedFills == 1, "\(kind)")
            if kind == "open" {
                #expect(out.placed.filter { $0.purpose.isProtective }.count == 2, "the adopted position is protected")
            }
        }
    }

    @Test("A partly filled order open at the read: only its fills beyond the read's filled quantity move the position")
    func partialFillsAroundTheRead() throws {
        var (f, entry, _) = try Self.longEngine()
        let stop = try #require(f.engine.workingOrders.first { $0.intent.purpose == .stopLoss }?.intent)
        let target = try #require(f.engine.workingOrders.first { $0.intent.purpose == .takeProfit }?.intent)
        let step = Quantity("0.001")!
        let part = Quantity(raw: (entry.quantity.raw / step.raw / 2) * step.raw, precision: entry.quantity.precision)
        var out = f.engine.handle(
            .control(ControlCommand(action: .reconcile, source: "periodic", time: .milliseconds(5000))))
        let request = try #require(
            out.compactMap { if case .reconcile(let r) = $0 { return r } else { return nil } }.first)
        // The venue read: the stop had filled `part` when it was read.
        out = f.engine.handle(
            .venueState(
                VenueState(
                    symbol: "BTCUSDT", quantity: entry.quantity - part, entryPrice: Price("60050")!,
                    openOrders: [
                        .init(clientOrderID: stop.clientOrderID, filledQuantity: part, conditional: true),
                        .init(clientOrderID: target.clientOrderID, filledQuantity: .zero, conditional: true),
                    ], fenceSequence: request.fenceSequence, reason: "periodic", time: .milliseconds(5100))))
        #expect(f.engine.position.quantity == entry.quantity - part)
        // That first part's fill arrives late (contained), then the rest (new).
        _ = f.engine.handle(
            .orderFilled(Self.filled(stop, part, price: "59900", trade: "s1", ms: 5050, cumulative: part)))
        #expect(f.engine.position.quantity == entry.quantity - part)
        _ = f.engine.handle(
            .orderFilled(
                Self.filled(
                    stop, entry.quantity - part, price: "59890", trade: "s2", ms: 6000, cumulative: entry.quantity)))
        #expect(f.engine.position.isFlat)
    }

    @Test("A reduce-only exit the venue contradicts reads the venue once, warns once, and sends nothing meanwhile")
    func contradictionReconciles() throws {
        var (f, entry, protection) = try Self.longEngine()
        // Trend exit: below the trailing stop.
        var out = f.tick(3300, "59000")
        let exit = try #require(out.placed.first { $0.purpose == .exit })
        out = f.engine.handle(
            .orderRejected(
                OrderRejected(
                    clientOrderID: exit.clientOrderID, reason: "binance -2022: ReduceOnly Order is rejected.",
                    kind: .contradictsPosition, time: .milliseconds(3310))))
        let requests = out.compactMap { if case .reconcile(let r) = $0 { return r } else { return nil } }
        #expect(requests.count == 1)
        #expect(out.notices.count == 1 && out.notices[0].level == .warning, "\(out.notices)")
        // Hundreds of trades while the read is on its way: no exit storm.
        var sent: [OrderIntent] = []
        for i in 0..<300 { sent += f.tick(3400 + Int64(i) * 10, "58900").placed }
        #expect(sent.isEmpty)
        // The venue is flat (the stop filled, its fill is still on its way) and lists no order.
        out = f.engine.handle(
            .venueState(
                VenueState(
                    symbol: "BTCUSDT", quantity: .zero, entryPrice: .zero, openOrders: [],
                    fenceSequence: requests[0].fenceSequence, reason: requests[0].reason, time: .milliseconds(6500))))
        #expect(f.engine.position.isFlat)
        #expect(f.engine.workingOrders.isEmpty)
        let stop = try #require(protection.first { $0.purpose == .stopLoss })
        _ = f.engine.handle(.orderFilled(Self.filled(stop, price: "59000", trade: "s1", ms: 3300)))
        #expect(f.engine.position.isFlat, "the stop's late fill is contained in the read")
        for i in 0..<100 { sent += f.tick(6600 + Int64(i) * 10, "58900").placed }
        #expect(sent.allSatisfy { $0.purpose == .entry }, "no exit for a position that is not there")
        _ = entry
    }

    @Test("An order whose outcome is unknown reads the venue instead of being taken as not placed")
    func unknownOutcomeReconciles() throws {
        var f = EngineFixture()
        let entry = try #require(f.tick(3200, "60050").placed.first)
        let out = f.engine.handle(
            .orderRejected(
                OrderRejected(
                    clientOrderID: entry.clientOrderID, reason: "outcome unknown: 503", kind: .outcomeUnknown,
                    time: .milliseconds(3300))))
        #expect(out.contains { if case .reconcile = $0 { return true } else { return false } })
        #expect(!out.notices.contains { $0.level == .critical })
        #expect(f.tick(5000, "60100").placed.isEmpty, "no new entry until the venue has been read")
    }

    @Test("Five refused exits in a row halt the exit path with one critical line; protection stays")
    func runawayExitsHalt() throws {
        var (f, _, protection) = try Self.longEngine()
        var exits = 0
        var critical: [Notice] = []
        var canceled: [ClientOrderID] = []
        for i in 0..<12 {
            // A new bar every second, each below the trailing stop.
            let out = f.tick(4000 + Int64(i) * 1000, "59000")
            canceled += out.canceled
            for exit in out.placed where exit.purpose == .exit {
                exits += 1
                let answer = f.engine.handle(
                    .orderRejected(
                        OrderRejected(
                            clientOrderID: exit.clientOrderID, reason: "binance -1111: precision",
                            time: .milliseconds(4001 + Int64(i) * 1000))))
                critical += answer.notices.filter { $0.kind == "orderPathHalted" }
                canceled += answer.canceled
            }
        }
        #expect(exits == 5)
        #expect(critical.count == 1 && critical[0].level == .critical)
        #expect(f.engine.haltedOrderPaths == [.exit])
        #expect(canceled.isEmpty, "the stop-loss and take-profit stay")
        #expect(Set(f.engine.workingOrders.map(\.intent.clientOrderID)) == Set(protection.map(\.clientOrderID)))
        _ = f.engine.handle(.control(ControlCommand(action: .resume, time: .milliseconds(20_000))))
        #expect(f.engine.haltedOrderPaths.isEmpty)
    }

    @Test("Exits, protection and cancels spend the order budget; spent, the engine waits on the timer's clock")
    func budgetCoversEveryPath() throws {
        var f = EngineFixture(risk: RiskLimits(maxOrdersPerMinute: 3))
        // The budget clock is the timer's once timers come (wall time live; tick times here are market time).
        _ = f.engine.handle(.timer(.milliseconds(100_000)))
        var sent: [(ms: Int64, command: EngineCommand)] = []
        var wall: Int64 = 100_000
        func record(_ commands: [EngineCommand]) {
            for c in commands {
                switch c {
                case .place, .cancel: sent.append((wall, c))
                default: break
                }
            }
        }
        var notices: [Notice] = []
        let entryCommands = f.tick(3200, "60050")
        record(entryCommands)
        let entry = try #require(entryCommands.placed.first)
        let protect = f.engine.handle(.orderFilled(Self.filled(entry, price: "60050", trade: "e1", ms: 3210)))
        record(protect)
        #expect(protect.placed.count == 2, "entry + stop + target = the whole budget of 3")
        // The operator flattens: two cancels and a market close, none of which fits this minute.
        let flatten = f.engine.handle(.control(ControlCommand(action: .flatten, time: .milliseconds(3300))))
        record(flatten)
        notices += flatten.notices
        #expect(flatten.canceled.isEmpty && flatten.placed.isEmpty)
        for _ in 0..<20 {
            wall += 5_000
            let out = f.engine.handle(.timer(.milliseconds(wall)))
            record(out)
            notices += out.notices
        }
        #expect(notices.filter { $0.kind == "orderBudgetSpent" }.count == 1, "said once")
        let afterMinute = sent.filter { $0.ms >= 160_000 }
        #expect(afterMinute.count == 3, "two cancels and the close, once the minute has passed")
        #expect(afterMinute.contains { if case .place(let i) = $0.command { i.purpose == .flatten } else { false } })
        // No 60 s window holds more than 3.
        for (i, first) in sent.enumerated() {
            #expect(sent[i...].filter { $0.ms - first.ms < 60_000 }.count <= 3)
        }
    }

    @Test("An answer overtaken by a newer request is ignored; the newer one is adopted")
    func overtakenAnswerIgnored() throws {
        var (f, entry, _) = try Self.longEngine()
        _ = f.engine.handle(.timer(.milliseconds(100_000)))
        var out = f.engine.handle(
            .control(ControlCommand(action: .reconcile, source: "periodic", time: .milliseconds(100_000))))
        let first = try #require(out.compactMap { if case .reconcile(let r) = $0 { r } else { nil } }.first)
        // No answer within 30 s: asked again.
        out = []
        for second in 1...31 { out += f.engine.handle(.timer(.milliseconds(100_000 + Int64(second) * 1000))) }
        let second = try #require(out.compactMap { if case .reconcile(let r) = $0 { r } else { nil } }.first)
        #expect(second.id != first.id && second.reason == first.reason)
        // The slow first answer (an old read: flat) comes after all; then the second (long).
        func answer(_ request: ReconcileRequest, _ quantity: Quantity) -> EngineEvent {
            .venueState(
                VenueState(
                    symbol: "BTCUSDT", quantity: quantity, entryPrice: Price("60050")!,
                    openOrders: f.engine.workingOrders.map {
                        .init(clientOrderID: $0.intent.clientOrderID, filledQuantity: .zero, conditional: true)
                    }, fenceSequence: request.fenceSequence, reason: request.reason, requestID: request.id,
                    time: .milliseconds(132_000)))
        }
        _ = f.engine.handle(answer(first, .zero))
        #expect(f.engine.position.quantity == entry.quantity, "the overtaken answer is not adopted")
        #expect(f.engine.venueSync.overtakenAnswers == 1)
        #expect(f.engine.reconciling)
        out = f.engine.handle(answer(second, entry.quantity))
        #expect(!f.engine.reconciling)
        #expect(f.engine.venueSync.differences == 0)
        #expect(out.placed.isEmpty && out.canceled.isEmpty, "protection in place, nothing to do")
    }

    @Test("A contradiction the venue's read does not explain counts towards the halt: no loop of exits and reads")
    func unexplainedContradictionHalts() throws {
        var (f, entry, protection) = try Self.longEngine()
        var exits = 0
        var reads = 0
        var critical: [Notice] = []
        for i in 0..<12 {
            let out = f.tick(4000 + Int64(i) * 1000, "59000")
            for exit in out.placed where exit.purpose == .exit {
                exits += 1
                var answer = f.engine.handle(
                    .orderRejected(
                        OrderRejected(
                            clientOrderID: exit.clientOrderID, reason: "bybit 110017: qty truncated to zero",
                            kind: .contradictsPosition, time: .milliseconds(4001 + Int64(i) * 1000))))
                critical += answer.notices.filter { $0.level == .critical }
                for case .reconcile(let request) in answer {
                    reads += 1
                    // The venue agrees with the engine: still long, protection listed.
                    answer = f.engine.handle(
                        .venueState(
                            VenueState(
                                symbol: "BTCUSDT", quantity: entry.quantity, entryPrice: Price("60050")!,
                                openOrders: protection.map {
                                    .init(clientOrderID: $0.clientOrderID, filledQuantity: .zero, conditional: true)
                                }, fenceSequence: request.fenceSequence, reason: request.reason,
                                requestID: request.id, time: .milliseconds(4002 + Int64(i) * 1000))))
                    #expect(answer.placed.isEmpty && answer.canceled.isEmpty)
                }
            }
        }
        #expect(exits == 5 && reads == 5)
        #expect(critical.count == 1 && critical.first?.kind == "orderPathHalted")
        #expect(f.engine.haltedOrderPaths == [.exit])
    }

    @Test("The sync state survives the journal's snapshot (Codable round trip)")
    func codableRoundTrip() throws {
        var (f, _, _) = try Self.longEngine()
        _ = f.engine.handle(.positionChanged(Self.snapshot(.zero, ms: 5000)))
        _ = f.engine.handle(.control(ControlCommand(action: .reconcile, source: "test", time: .milliseconds(5100))))
        let data = try JSONEncoder().encode(f.engine)
        let decoded = try JSONDecoder().decode(Engine.self, from: data)
        #expect(decoded.venueSync == f.engine.venueSync)
        #expect(decoded.reconciling)
    }
}
