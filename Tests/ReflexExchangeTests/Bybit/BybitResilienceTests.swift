import Foundation
import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import Synchronization
import Testing

@testable import ReflexExchange

/// Reconnects, clock skew, rate-limit windows and margin warnings against `BybitStandIn`.
struct BybitResilienceTests {
    func withVenue(
        configuration: BybitRESTConfiguration = BybitEndToEndTests.rest,
        _ body: @escaping @Sendable (BybitStandIn, BybitExchange) async throws -> Void
    ) async throws {
        let venue = BybitStandIn()
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        try await withLoopbackServer(router) { port in
            let exchange = BybitExchange(
                urls: .local(port: port), credentials: BybitEndToEndTests.credentials, configuration: configuration,
                logger: testLogger("bybit"))
            try await withTimeout(.seconds(60)) { try await body(venue, exchange) }
        }
    }

    func marketOrder(_ id: ClientOrderID) -> OrderIntent {
        OrderIntent(
            clientOrderID: id, symbol: "BTCUSDT", side: .buy, type: .market, quantity: Quantity("0.010")!,
            reduceOnly: false, purpose: .entry, time: .milliseconds(1))
    }

    @Test func privateStreamAuthenticatesAgainAfterAReconnect() async throws {
        try await withVenue { venue, exchange in
            let account = try exchange.makeAccountStream(configuration: BybitEndToEndTests.stream)
            try await whileRunning(account) {
                try await venue.privateHub.waitFor("execution")
                venue.privateHub.dropAll()
                try await venue.privateHub.waitFor("execution", connection: 2)
                #expect(account.statistics.authentications == 2)
                #expect(account.statistics.reconnects == 1)
                _ = try await exchange.place(marketOrder("e-after"))
                var events = account.events.makeAsyncIterator()
                // The reconnect asks the engine to read the venue (executions may have been missed), then the fill.
                guard case .control(let reconcile)? = await events.next() else {
                    Issue.record("expected a reconcile request after the reconnect")
                    return
                }
                #expect(reconcile.action == .reconcile && reconcile.source == "account stream reconnect")
                let fill = await events.next()
                #expect(fill?.kind == "orderFilled")
            }
        }
    }

    @Test func skewedLocalClockIsCorrectedByTheServerTime() async throws {
        let skewed = BybitRESTConfiguration(
            requestTimeout: .seconds(30), wallClock: { VenueFixture.now - 30_000 })
        try await withVenue(configuration: skewed) { _, exchange in
            // Signed with the raw clock this would be 30 s old and refused with 10002.
            let started = ContinuousClock.now
            let open = try await exchange.openOrders(symbol: "BTCUSDT")
            let elapsed = ContinuousClock.now - started
            #expect(open.isEmpty)
            // The offset comes from one round trip (inside `elapsed`) and is off by at most its length.
            let error = exchange.rest.serverTimeOffset - 30_000
            #expect(abs(error) <= 1_000 + elapsed.wholeMilliseconds, "offset off by \(error) ms after \(elapsed)")
        }
    }

    @Test func anExhaustedLimitWindowIsWaitedOutBeforeTheNextRequest() async throws {
        try await withVenue { venue, exchange in
            venue.state.withLock { state in
                state.limitStatus = 0
                state.limitResetDelay = 1_000
            }
            // Timed from before e-1, whose answer announces the reset 1 s after the venue wrote it: e-2 cannot go
            // out before then, however long e-1's answer took to arrive (a load-independent lower bound).
            let started = ContinuousClock.now
            _ = try await exchange.place(marketOrder("e-1"))
            venue.state.withLock { $0.limitStatus = 9 }
            _ = try await exchange.place(marketOrder("e-2"))
            let elapsed = ContinuousClock.now - started
            // The client reads the reset time with its server-time offset; an error in that moves the wait as much.
            let offsetError = abs(exchange.rest.serverTimeOffset)
            #expect(elapsed >= .milliseconds(1_000 - offsetError - 5), "e-2 left \(elapsed) after e-1 was sent")
            #expect(exchange.rest.rateLimitRemaining(path: "/v5/order/create") == 9)
        }
    }

    @Test func highAccountMarginRateBecomesAMarginWarningForOpenPositions() async throws {
        try await withVenue { venue, exchange in
            let account = try exchange.makeAccountStream(configuration: BybitEndToEndTests.stream)
            try await whileRunning(account) {
                try await venue.privateHub.waitFor("wallet")
                _ = try await exchange.place(marketOrder("e-1"))
                var events = account.events.makeAsyncIterator()
                var kinds: [String] = []
                while kinds.count < 2, let event = await events.next() { kinds.append(event.kind) }
                #expect(kinds == ["orderFilled", "positionChanged"])
                venue.pushWallet(rate: "0.5")  // below the threshold: nothing
                venue.pushWallet(rate: "0.85")
                guard case .marginWarning(let warning)? = await events.next() else {
                    Issue.record("expected a margin warning")
                    return
                }
                #expect(warning.symbol == "BTCUSDT")
                #expect(warning.marginRatio == 0.85)
                #expect(warning.maintenanceMargin == Money("85"))
            }
        }
    }

    @Test func privateStreamWithoutCredentialsIsATypedError() {
        let exchange = BybitExchange(urls: .local(port: 9), credentials: nil, logger: testLogger("bybit"))
        #expect(throws: ExchangeError.self) { try exchange.makeAccountStream() }
    }

    @Test func unknownOutcomeIsResolvedByLookingTheOrderUpNotByResending() async throws {
        try await withVenue { venue, exchange in
            venue.state.withLock { $0.bookThenFail503 = true }
            let limit = OrderIntent(
                clientOrderID: "e-503", symbol: "BTCUSDT", side: .buy, type: .limit(price: Price("60000.0")!),
                quantity: Quantity("0.010")!, reduceOnly: false, purpose: .entry, time: .milliseconds(1))
            guard case .accepted(let accepted) = try await exchange.place(limit) else {
                Issue.record("the booked order was not found")
                return
            }
            #expect(accepted.venueOrderID == "order-1")
            #expect(venue.state.withLock { $0.createBodies.count } == 1)
        }
    }
}
