import Logging
import ReflexCore
import ReflexExchange
import ReflexLive
import Synchronization
import Testing

/// A venue adapter that answers from a script: what a submission throws, what each look-up finds. (The same policy
/// is driven against real loopback stand-ins in ReflexExchangeTests; this pins down each branch of it.)
final class ScriptedVenue: ExchangeClient {
    let venue = "scripted"
    struct Script {
        var submitError: (any Error)?
        var lookUps: [Result<OrderLookup, ExchangeError>] = []
        var submitted: [ClientOrderID] = []
        var lookedUp = 0
    }
    let script: Mutex<Script>
    let rules = Instrument(
        symbol: "BTCUSDT", tickSize: Price("0.10")!, stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!,
        minNotional: Money("100")!)

    init(_ script: Script = Script()) { self.script = Mutex(script) }

    var outcomeLookups: [Duration] { [.milliseconds(1), .milliseconds(1), .milliseconds(1)] }

    func submit(_ intent: OrderIntent, referencePrice: Price?) async throws -> OrderPlacement {
        let error = script.withLock { script -> (any Error)? in
            script.submitted.append(intent.clientOrderID)
            return script.submitError
        }
        if let error { throw error }
        return .accepted(OrderAccepted(clientOrderID: intent.clientOrderID, venueOrderID: "v1", time: intent.time))
    }

    func lookUp(_ intent: OrderIntent) async throws -> OrderLookup {
        let answer = script.withLock { script -> Result<OrderLookup, ExchangeError> in
            defer { script.lookedUp += 1 }
            return script.lookUps.isEmpty ? .success(.notOpen) : script.lookUps.removeFirst()
        }
        return try answer.get()
    }

    func refusal(_ error: ExchangeError, of intent: OrderIntent) -> OrderRejected.Kind? {
        guard error.code < 0, !error.isRetryable else { return nil }
        return error.code == ExchangeError.binanceReduceOnlyRejected ? .contradictsPosition : .refused
    }

    func clientOrderIDProblem(_ id: ClientOrderID) -> String? {
        id.rawValue.contains(" ") ? "client order id has a space" : nil
    }

    func cancel(symbol: String, clientOrderID: ClientOrderID, conditional: Bool) async throws -> OrderCanceled {
        OrderCanceled(clientOrderID: clientOrderID, time: .milliseconds(0))
    }
    func openOrders(symbol: String) async throws -> [OpenOrder] { [] }
    func positions(symbol: String?) async throws -> [PositionUpdate] { [] }
    func account() async throws -> AccountSnapshot {
        throw ExchangeError(code: ExchangeError.unsupported, message: "not scripted")
    }
    func instrumentRules(symbol: String) async throws -> Instrument { rules }
}

@Suite("Order execution: checks, one submission, the unknown-outcome policy")
struct OrderExecutionTests {
    static func order(_ id: String, _ type: OrderType = .market, quantity: String = "0.010") -> OrderIntent {
        OrderIntent(
            clientOrderID: ClientOrderID(id), symbol: "BTCUSDT", side: .buy, type: type,
            quantity: Quantity(quantity)!, reduceOnly: false, purpose: .entry, time: .milliseconds(5))
    }

    static func execute(_ venue: ScriptedVenue, _ intent: OrderIntent, at price: String? = "60000")
        async -> (EngineEvent, OrderExecution.Counters)
    {
        let execution = OrderExecution(client: venue, logger: Logger(label: "test"), now: { .milliseconds(9) })
        let event = await execution.execute(intent, referencePrice: price.flatMap { Price($0) })
        return (event, execution.statistics)
    }

    @Test("A filter violation or a bad client id is refused before it leaves; nothing is submitted")
    func localChecks() async {
        let venue = ScriptedVenue()
        // 0.001 BTC at 60 000 is 60 USDT, under the 100 minimum.
        let (small, counters) = await Self.execute(venue, Self.order("e-1", quantity: "0.001"))
        guard case .orderRejected(let rejected) = small else {
            Issue.record("expected a local refusal, got \(small)")
            return
        }
        #expect(rejected.kind == .refused && rejected.reason.contains("notional"), "\(rejected.reason)")
        #expect(counters.rejectedLocally == 1)
        // Without a last trade a market order's notional cannot be judged, and goes.
        let (unpriced, _) = await Self.execute(venue, Self.order("e-2", quantity: "0.001"), at: nil)
        #expect(unpriced.kind == "orderAccepted")
        let (offTick, _) = await Self.execute(venue, Self.order("e-3", .limit(price: Price("60000.05")!)))
        #expect(offTick.kind == "orderRejected")
        let (spaced, _) = await Self.execute(venue, Self.order("e 4"))
        guard case .orderRejected(let badID) = spaced else {
            Issue.record("expected a refusal of the client id, got \(spaced)")
            return
        }
        #expect(badID.reason.contains("space"))
        #expect(venue.script.withLock { $0.submitted } == ["e-2"])
    }

    @Test("A venue's refusal keeps the kind the adapter reads from its code")
    func refusal() async {
        let venue = ScriptedVenue(
            .init(submitError: ExchangeError(code: ExchangeError.binanceReduceOnlyRejected, message: "reduce only")))
        let (event, counters) = await Self.execute(venue, Self.order("x-1"))
        guard case .orderRejected(let rejected) = event else {
            Issue.record("expected a refusal, got \(event)")
            return
        }
        #expect(rejected.kind == .contradictsPosition)
        #expect(rejected.reason == "scripted -2022: reduce only")
        #expect(counters.lookedUp == 0, "a refusal is an answer: nothing to look up")
    }

    @Test("No answer: the order is looked up, not resent, and accepted when found")
    func unknownThenFound() async {
        let venue = ScriptedVenue(
            .init(
                submitError: ExchangeError(code: ExchangeError.binanceTimeout, message: "timeout"),
                lookUps: [
                    .failure(ExchangeError(code: ExchangeError.transport, message: "reset")), .success(.notOpen),
                    .success(.found(venueOrderID: "v9")),
                ]))
        let (event, counters) = await Self.execute(venue, Self.order("u-1"))
        guard case .orderAccepted(let accepted) = event else {
            Issue.record("expected the looked-up order, got \(event)")
            return
        }
        #expect(accepted.venueOrderID == "v9")
        #expect(venue.script.withLock { ($0.submitted, $0.lookedUp) } == (["u-1"], 3))
        #expect(counters.lookedUp == 1 && counters.foundAfterLookUp == 1 && counters.unknownOutcomes == 0)
    }

    @Test("A venue that says it never had the order: refused, not resent")
    func unknownThenAbsent() async {
        let venue = ScriptedVenue(
            .init(
                submitError: ExchangeError(code: ExchangeError.binanceUnknown, message: "503", httpStatus: 503),
                lookUps: Array(repeating: .success(.absent), count: 3)))
        let (event, _) = await Self.execute(venue, Self.order("u-2"))
        guard case .orderRejected(let rejected) = event else {
            Issue.record("expected a refusal, got \(event)")
            return
        }
        #expect(rejected.kind == .refused && rejected.reason.contains("not resent"))
        #expect(venue.script.withLock { $0.submitted } == ["u-2"])
    }

    @Test("Still unknown after every look-up, or any other failure: the engine is told, never a silent refusal")
    func stillUnknown() async {
        struct Dropped: Error {}
        for error: any Error in [ExchangeError(code: ExchangeError.transport, message: "reset"), Dropped()] {
            let venue = ScriptedVenue(.init(submitError: error))
            let (event, counters) = await Self.execute(venue, Self.order("u-3"))
            guard case .orderRejected(let rejected) = event else {
                Issue.record("expected an unknown outcome, got \(event)")
                continue
            }
            #expect(rejected.kind == .outcomeUnknown, "\(error)")
            #expect(rejected.reason.contains("3 look-ups") && rejected.reason.contains("not resent"))
            #expect(counters.unknownOutcomes == 1)
            #expect(venue.script.withLock { ($0.submitted.count, $0.lookedUp) } == (1, 3))
        }
    }

    @Test("/metrics shows what the layer decided")
    func metrics() async {
        let venue = ScriptedVenue(
            .init(
                submitError: ExchangeError(code: ExchangeError.binanceTimeout, message: "timeout"),
                lookUps: [.success(.found(venueOrderID: "v2"))]))
        let execution = OrderExecution(client: venue, logger: Logger(label: "test"), now: { .milliseconds(9) })
        _ = await execution.execute(Self.order("m-1"), referencePrice: Price("60000"))
        _ = await execution.execute(Self.order("m 2"), referencePrice: Price("60000"))
        let metrics = RuntimeMetrics(execution: { execution.statistics })
        let strategy = StrategyParameters(name: "t", symbol: "BTCUSDT", barInterval: .seconds(1))
        let status = RuntimeStatus(
            portfolio: Portfolio(engine: Engine(configuration: EngineConfiguration(strategy: strategy))),
            uptimeSeconds: 1, lastEvents: [])
        let text = metrics.prometheusText(status: status, reconnects: 0)
        for line in [
            "reflex_orders_rejected_locally_total 1", "reflex_order_lookups_total 1",
            "reflex_order_lookups_found_total 1", "reflex_order_outcomes_unknown_total 0",
        ] {
            #expect(text.contains("\n\(line)\n"), "\(line) in \(text.prefix(400))")
        }
    }
}
