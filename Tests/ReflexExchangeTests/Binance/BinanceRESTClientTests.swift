import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import ReflexExchange
import Testing

struct BinanceRESTClientTests {
    /// Short waits; Binance's longest recvWindow (60 s), because a request that a loaded CI machine takes more than
    /// 5 s to get from signing to the venue's check is refused as stale.
    static let fastREST = BinanceRESTConfiguration(
        recvWindow: 60_000, requestTimeout: .seconds(30), maximumRateLimitWait: .seconds(3),
        defaultRateLimitWait: .milliseconds(50),
        unknownOutcomeLookups: [.milliseconds(20), .milliseconds(20), .milliseconds(20)])

    func exchange(port: Int, secret: String = FakeBinanceVenue.secret) -> BinanceExchange {
        BinanceExchange(
            urls: .local(port: port),
            credentials: BinanceCredentials(apiKey: FakeBinanceVenue.apiKey, secretKey: secret),
            configuration: Self.fastREST, logger: testLogger("rest"))
    }

    func intent(_ id: ClientOrderID, _ type: OrderType = .market, quantity: String = "0.002") -> OrderIntent {
        OrderIntent(
            clientOrderID: id, symbol: "BTCUSDT", side: .buy, type: type, quantity: Quantity(quantity)!,
            reduceOnly: type.isConditional, purpose: type.isConditional ? .stopLoss : .entry, time: .milliseconds(1))
    }

    func withVenue(_ body: @Sendable (FakeBinanceVenue, Int) async throws -> Void) async throws {
        let venue = FakeBinanceVenue()
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        try await withLoopbackServer(router) { port in try await body(venue, port) }
    }

    @Test func signedOrderIsAcceptedByAVenueThatVerifiesTheSignature() async throws {
        try await withVenue { venue, port in
            let exchange = exchange(port: port)
            let outcome = try await exchange.place(intent("e-1"), referencePrice: Price("61800.30"))
            guard case .accepted(let accepted) = outcome else {
                Issue.record("expected acceptance, got \(outcome)")
                return
            }
            #expect(accepted.venueOrderID == "7000001")
            let post = try #require(venue.state.current.orderPosts.first)
            #expect(post.hasPrefix("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.002&"))
            #expect(post.contains("newClientOrderId=e-1"))
            #expect(post.contains("&recvWindow=60000&timestamp="))
        }
    }

    @Test func wrongSecretGetsInvalidSignature() async throws {
        try await withVenue { venue, port in
            let exchange = exchange(port: port, secret: "not-the-secret")
            let outcome = try await exchange.place(intent("e-2"), referencePrice: Price("61800.30"))
            guard case .rejected(let rejected) = outcome else {
                Issue.record("expected rejection, got \(outcome)")
                return
            }
            #expect(rejected.reason.contains("-1022"))
            #expect(venue.state.current.authenticationFailures == [-1022])
            #expect(venue.state.current.orders.isEmpty)
        }
    }

    @Test func clockDriftIsResynchronisedOnMinus1021() async throws {
        try await withVenue { venue, port in
            let exchange = exchange(port: port)
            // An offset comes from one round trip (inside the timed call) and is off by at most its length.
            var started = ContinuousClock.now
            try await exchange.rest.synchronizeTime()
            var slack = 1_000 + (ContinuousClock.now - started).wholeMilliseconds
            #expect(abs(exchange.rest.serverTimeOffset) < slack)
            venue.state.withLock { $0.clockSkew = 90_000 }  // the venue's clock jumps 90 s ahead, past recvWindow
            started = ContinuousClock.now
            let outcome = try await exchange.place(intent("e-3"), referencePrice: Price("61800.30"))
            slack = 1_000 + (ContinuousClock.now - started).wholeMilliseconds
            guard case .accepted = outcome else {
                Issue.record("expected acceptance after resync, got \(outcome)")
                return
            }
            let state = venue.state.current
            #expect(state.timeRequests == 2)
            #expect(state.authenticationFailures == [-1021])  // the first attempt, refused on time
            #expect(state.orderPosts.count == 1)  // the retry after the resync
            #expect(state.orders.count == 1)
            #expect(abs(exchange.rest.serverTimeOffset - 90_000) < slack)
        }
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        try await withVenue { venue, port in
            venue.state.withLock {
                $0.scriptedOrderResponses = [(429, "{\"code\":-1003,\"msg\":\"Too many requests.\"}", "1")]
            }
            let exchange = exchange(port: port)
            let started = ContinuousClock.now
            let outcome = try await exchange.place(intent("e-4"), referencePrice: Price("61800.30"))
            let elapsed = ContinuousClock.now - started
            guard case .accepted = outcome else {
                Issue.record("expected acceptance after waiting, got \(outcome)")
                return
            }
            #expect(venue.state.current.orderPosts.count == 2)
            #expect(elapsed >= .milliseconds(950))
        }
    }

    @Test func unknownOutcomeIsLookedUpNotResent() async throws {
        try await withVenue { venue, port in
            venue.state.withLock {
                $0.scriptedOrderResponses = [
                    (
                        503,
                        "{\"code\":-1000,\"msg\":\"Unknown error, please check your request or try again later.\"}", nil
                    )
                ]
                $0.bookScriptedOrders = true  // it did execute
            }
            let exchange = exchange(port: port)
            let outcome = try await exchange.place(intent("e-5"), referencePrice: Price("61800.30"))
            guard case .accepted(let accepted) = outcome else {
                Issue.record("expected the looked-up order, got \(outcome)")
                return
            }
            let state = venue.state.current
            #expect(accepted.venueOrderID == state.orders["e-5"].map(String.init))
            #expect(state.orderPosts.count == 1)  // never a second order for the same intent
            #expect(state.orderLookups >= 1)
        }
    }

    @Test func unknownOutcomeThatNeverExecutedIsRejectedWithoutResending() async throws {
        try await withVenue { venue, port in
            venue.state.withLock {
                $0.scriptedOrderResponses = [
                    (
                        503,
                        "{\"code\":-1000,\"msg\":\"Unknown error, please check your request or try again later.\"}", nil
                    )
                ]
            }
            let exchange = exchange(port: port)
            let outcome = try await exchange.place(intent("e-6"), referencePrice: Price("61800.30"))
            guard case .rejected(let rejected) = outcome else {
                Issue.record("expected rejection, got \(outcome)")
                return
            }
            #expect(rejected.reason.contains("not resent"))
            let state = venue.state.current
            #expect(state.orderPosts.count == 1)
            #expect(state.orderLookups == 3)
        }
    }

    @Test func filterViolationIsRejectedLocallyWithoutARequest() async throws {
        try await withVenue { venue, port in
            let exchange = exchange(port: port)
            let outcome = try await exchange.place(
                intent("e-7", .limit(price: Price("61800.35")!)), referencePrice: Price("61800.30"))
            guard case .rejected(let rejected) = outcome else {
                Issue.record("expected local rejection, got \(outcome)")
                return
            }
            #expect(rejected.reason.contains("tick size 0.10"))
            #expect(venue.state.current.orderPosts.isEmpty)
        }
    }

    @Test func protectiveStopGoesToTheAlgoEndpoint() async throws {
        try await withVenue { venue, port in
            let exchange = exchange(port: port)
            let outcome = try await exchange.place(
                intent("sl-1", .stopMarket(trigger: Price("58000.10")!)), referencePrice: Price("61800.30"))
            guard case .accepted(let accepted) = outcome else {
                Issue.record("expected acceptance, got \(outcome)")
                return
            }
            #expect(accepted.venueOrderID == "2146760")
            let state = venue.state.current
            #expect(state.orderPosts.isEmpty)
            let post = try #require(state.algoPosts.first)
            #expect(post.hasPrefix("algoType=CONDITIONAL&symbol=BTCUSDT&side=BUY&type=STOP_MARKET&quantity=0.002"))
            #expect(post.contains("&triggerPrice=58000.10&"))
            #expect(post.contains("&reduceOnly=true&clientAlgoId=sl-1&"))
        }
    }
}

struct BinanceAccountQueryTests {
    @Test func openOrdersPositionsAccountAndCancelDecodeFromTheVenue() async throws {
        let venue = FakeBinanceVenue()
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        venue.registerAccountQueries(on: router)
        try await withLoopbackServer(router) { port in
            let exchange = BinanceExchange(
                urls: .local(port: port),
                credentials: BinanceCredentials(apiKey: FakeBinanceVenue.apiKey, secretKey: FakeBinanceVenue.secret),
                configuration: BinanceRESTClientTests.fastREST, logger: testLogger("rest"))

            let orders = try await exchange.openOrders(symbol: "BTCUSDT")
            #expect(orders.map(\.clientOrderID) == ["e-9", "sl-9"])  // the trailing stop is not a Reflex type
            #expect(orders.first?.type == .limit(price: Price("61800.30")!))
            #expect(orders.first?.filledQuantity.description == "0.004")
            #expect(orders.last?.type == .stopMarket(trigger: Price("58000.10")!))
            #expect(orders.last?.reduceOnly == true)

            let positions = try await exchange.positions(symbol: nil)
            #expect(positions.count == 1)
            #expect(positions.first?.symbol == "ADAUSDT")
            #expect(positions.first?.quantity.description == "30")
            #expect(positions.first?.entryPrice.description == "0.385")
            #expect(positions.first?.markPrice?.description == "0.41047590")
            #expect(positions.first?.liquidationPrice == nil)  // "0" means none

            let account = try await exchange.account()
            #expect(account.walletBalance.description == "10000.00000000")
            #expect(account.availableBalance.description == "9999.38428615")
            #expect(account.maintenanceMargin.description == "0.08004280")

            let canceled = try await exchange.cancel(symbol: "BTCUSDT", clientOrderID: "e-9", conditional: false)
            #expect(canceled.clientOrderID == "e-9")
            #expect(canceled.reason == "CANCELED")
            #expect(venue.state.current.authenticationFailures.isEmpty)
        }
    }
}
