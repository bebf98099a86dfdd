import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import Synchronization
import Testing

@testable import ReflexExchange

/// The Bybit adapter against `BybitStandIn` on 127.0.0.1: real sockets, real HTTP, signatures checked by the server.
struct BybitEndToEndTests {
    static let socket = ResilientWebSocketConfiguration(
        backoff: ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(100), healthyAfter: .seconds(5)),
        silenceTimeout: nil, maximumConnectionAge: nil, watchdogInterval: .milliseconds(10),
        closeTimeout: .milliseconds(100))
    static let stream = BybitStreamConfiguration(socket: socket, pingInterval: .milliseconds(50))
    /// Short waits; a 60 s recvWindow and a 30 s timeout, as a loaded CI machine can hold a request for seconds.
    static let rest = BybitRESTConfiguration(
        recvWindow: 60_000, requestTimeout: .seconds(30), defaultRateLimitWait: .milliseconds(20))
    static let credentials = BybitCredentials(apiKey: BybitStandIn.apiKey, secret: BybitStandIn.secret)

    /// Runs `body` with a stand-in venue and an exchange client pointed at it.
    func withVenue(
        credentials: BybitCredentials = Self.credentials,
        _ body: @escaping @Sendable (BybitStandIn, BybitExchange) async throws -> Void
    ) async throws {
        let venue = BybitStandIn()
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        try await withLoopbackServer(router) { port in
            let exchange = BybitExchange(
                urls: .local(port: port), credentials: credentials, configuration: Self.rest,
                logger: testLogger("bybit"))
            try await withTimeout(.seconds(60)) { try await body(venue, exchange) }
        }
    }

    @Test func streamsTradesAsTicksAndPings() async throws {
        try await withVenue { venue, exchange in
            let stream = exchange.makeMarketStream(symbol: "btcusdt", configuration: Self.stream)
            try await whileRunning(stream) {
                try await venue.publicHub.waitFor("publicTrade.BTCUSDT")
                let now = VenueFixture.now
                venue.publish([("t-1", now, "Buy", "0.001", "61800.30"), ("t-2", now + 1, "Sell", "0.250", "61799.9")])
                var ticks = stream.ticks.makeAsyncIterator()
                let first = try #require(await ticks.next())
                let second = try #require(await ticks.next())
                #expect(
                    first
                        == Tick(
                            time: .milliseconds(now), price: Price("61800.30")!, quantity: Quantity("0.001")!,
                            aggressor: .buy, tradeID: TradeIDHash.fnv1a("t-1")))
                #expect(second.aggressor == .sell && second.quantity.description == "0.250")
                while stream.statistics.pongs == 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(venue.state.withLock { $0.pings } >= 1)
            }
        }
    }

    @Test func reconnectGapIsBackfilledFromRecentTradesWithoutDuplicates() async throws {
        try await withVenue { venue, exchange in
            let stream = exchange.makeMarketStream(symbol: "BTCUSDT", configuration: Self.stream)
            try await whileRunning(stream) {
                try await venue.publicHub.waitFor("publicTrade.BTCUSDT")
                let base = VenueFixture.now
                venue.publish([("t-1", base, "Buy", "1", "100"), ("t-2", base + 10, "Buy", "1", "101")])
                var ticks = stream.ticks.makeAsyncIterator()
                _ = await ticks.next()
                _ = await ticks.next()
                // Trades happen while the client is cut off: only REST will know them.
                venue.record([("t-3", base + 20, "Sell", "2", "102"), ("t-4", base + 30, "Buy", "3", "103")])
                venue.publicHub.dropAll()
                try await venue.publicHub.waitFor("publicTrade.BTCUSDT", connection: 2)
                venue.pushOnly([("t-4", base + 30, "Buy", "3", "103")])
                venue.publish([("t-5", base + 40, "Buy", "1", "104")])
                var rest: [Tick] = []
                for _ in 0..<3 { rest.append(try #require(await ticks.next())) }
                #expect(rest.map(\.tradeID) == ["t-3", "t-4", "t-5"].map(TradeIDHash.fnv1a))
                #expect(rest.map(\.price.description) == ["102", "103", "104"])
                let statistics = stream.statistics
                #expect(statistics.gaps == 1)
                #expect(statistics.backfilled == 2)
                #expect(statistics.duplicates >= 1)
                #expect(statistics.reconnects == 1)
                #expect(statistics.delivered == 5)
            }
        }
    }

    @Test func severalSymbolsShareOneSocketAndEachGapIsBackfilledOnItsOwn() async throws {
        try await withVenue { venue, exchange in
            let stream = exchange.makeMarketStream(symbols: ["BTCUSDT", "ethusdt"], configuration: Self.stream)
            #expect(stream.subscribeMessages.count == 1 && stream.subscribeMessages[0].contains("publicTrade.ETHUSDT"))
            let (delivered, into) = AsyncStream.makeStream(of: (market: Int, tick: Tick).self)
            let running = Task { try await stream.run { market, tick, _ in into.yield((market, tick)) } }
            defer { running.cancel() }
            try await venue.publicHub.waitFor("publicTrade.BTCUSDT")
            try await venue.publicHub.waitFor("publicTrade.ETHUSDT")
            #expect(venue.publicHub.connectionCount == 1, "one socket carries both topics")
            let base = VenueFixture.now
            venue.publish([("b-1", base, "Buy", "1", "100")])
            venue.publish([("e-1", base + 1, "Sell", "2", "10")], symbol: "ETHUSDT")
            var ticks = delivered.makeAsyncIterator()
            var first: [(Int, String)] = []
            for _ in 0..<2 {
                let next = try #require(await ticks.next())
                first.append((next.market, next.tick.price.description))
            }
            #expect(first.map(\.0) == [0, 1] && first.map(\.1) == ["100", "10"])
            // Both symbols trade while the client is cut off; each gap is filled from that symbol's own trades.
            venue.record([("b-2", base + 20, "Buy", "1", "101")])
            venue.record(
                [("e-2", base + 21, "Buy", "1", "11"), ("e-3", base + 22, "Buy", "1", "12")], symbol: "ETHUSDT")
            venue.publicHub.dropAll()
            try await venue.publicHub.waitFor("publicTrade.ETHUSDT", connection: 2)
            venue.publish([("e-4", base + 40, "Buy", "1", "13")], symbol: "ETHUSDT")
            venue.publish([("b-3", base + 41, "Buy", "1", "102")])
            var after: [Int: [String]] = [:]
            for _ in 0..<5 {
                let next = try #require(await ticks.next())
                after[next.market, default: []].append(next.tick.price.description)
            }
            #expect(after[0] == ["101", "102"], "BTCUSDT's gap, then its live trade: \(after)")
            #expect(after[1] == ["11", "12", "13"], "ETHUSDT's gap, then its live trade: \(after)")
            let statistics = stream.statistics
            #expect(statistics.gaps == 2, "\(statistics)")
            // Each symbol's first live trade is also in its recent-trade page (published = recorded and pushed): it
            // comes with the backfill, and its push is then a duplicate.
            #expect(statistics.backfilled == 5 && statistics.duplicates == 2, "\(statistics)")
            #expect(statistics.delivered == 7 && statistics.reconnects == 1)
        }
    }

    @Test func malformedMarketMessageIsCountedAndTheStreamGoesOn() async throws {
        try await withVenue { venue, exchange in
            let stream = exchange.makeMarketStream(symbol: "BTCUSDT", configuration: Self.stream)
            try await whileRunning(stream) {
                try await venue.publicHub.waitFor("publicTrade.BTCUSDT")
                venue.publicHub.push(
                    #"{"topic":"publicTrade.BTCUSDT","data":[{"p":"oops"}]}"#, to: "publicTrade.BTCUSDT")
                venue.publicHub.push("not json at all", to: "publicTrade.BTCUSDT")
                venue.publish([("t-9", VenueFixture.now, "Buy", "0.5", "200")])
                var ticks = stream.ticks.makeAsyncIterator()
                let tick = try #require(await ticks.next())
                #expect(tick.price == Price("200"))
                #expect(stream.statistics.malformed == 2)
            }
        }
    }

    @Test func placesCancelsAndReceivesFillsThroughThePrivateStream() async throws {
        try await withVenue { venue, exchange in
            let account = try exchange.makeAccountStream(configuration: Self.stream)
            try await whileRunning(account) {
                try await venue.privateHub.waitFor("execution")
                let limit = OrderIntent(
                    clientOrderID: "e-1", symbol: "BTCUSDT", side: .buy, type: .limit(price: Price("60000.0")!),
                    quantity: Quantity("0.010")!, reduceOnly: false, purpose: .entry, time: .milliseconds(1))
                guard case .accepted(let accepted) = try await exchange.place(limit) else {
                    Issue.record("limit order not accepted")
                    return
                }
                #expect(accepted.venueOrderID == "order-1")
                #expect(exchange.rest.rateLimitRemaining(path: "/v5/order/create") == 9)
                let open = try await exchange.openOrders(symbol: "BTCUSDT")
                #expect(open.map(\.clientOrderID) == ["e-1"])
                #expect(open.first?.type == .limit(price: Price("60000.0")!))
                let canceled = try await exchange.cancel(symbol: "BTCUSDT", clientOrderID: "e-1", conditional: false)
                #expect(canceled.clientOrderID == "e-1")
                #expect(try await exchange.openOrders(symbol: "BTCUSDT").isEmpty)

                let market = OrderIntent(
                    clientOrderID: "e-2", symbol: "BTCUSDT", side: .buy, type: .market, quantity: Quantity("0.010")!,
                    reduceOnly: false, purpose: .entry, time: .milliseconds(2))
                guard case .accepted = try await exchange.place(market) else {
                    Issue.record("market order not accepted")
                    return
                }
                var events = account.events.makeAsyncIterator()
                var received: [EngineEvent] = []
                while received.count < 4, let event = await events.next() { received.append(event) }
                #expect(received.map(\.kind) == ["orderAccepted", "orderCanceled", "orderFilled", "positionChanged"])
                if case .orderFilled(let fill) = received[2] {
                    #expect(fill.clientOrderID == "e-2")
                    #expect(fill.tradeID == "exec-order-2")
                    #expect(fill.quantity == Quantity("0.010"))
                    #expect(fill.price == Price("61800.30"))
                    #expect(fill.isFinal)
                }
                if case .positionChanged(let position) = received[3] {
                    #expect(position.quantity == Quantity("0.01"))
                }
                #expect(try await exchange.positions(symbol: "BTCUSDT").map(\.quantity) == [Quantity("0.01")!])
                let snapshot = try await exchange.account()
                #expect(snapshot.walletBalance == Money("10000.25"))
                #expect(snapshot.unrealizedPnL == Money("120.25"))

                venue.pushLiquidation()
                let liquidation = await events.next()
                #expect(liquidation?.kind == "liquidation")
                #expect(account.statistics.authentications == 1)
            }
        }
    }

    @Test func conditionalOrdersRestUntriggeredAndAreListedAsStops() async throws {
        try await withVenue { venue, exchange in
            let stop = OrderIntent(
                clientOrderID: "sl-1", symbol: "BTCUSDT", side: .sell, type: .stopMarket(trigger: Price("59000.0")!),
                quantity: Quantity("0.010")!, reduceOnly: true, purpose: .stopLoss, time: .milliseconds(1))
            let take = OrderIntent(
                clientOrderID: "tp-1", symbol: "BTCUSDT", side: .sell,
                type: .takeProfitMarket(trigger: Price("65000.0")!), quantity: Quantity("0.010")!, reduceOnly: true,
                purpose: .takeProfit, time: .milliseconds(1))
            #expect(try await exchange.place(stop).engineEvent.kind == "orderAccepted")
            #expect(try await exchange.place(take).engineEvent.kind == "orderAccepted")
            let open = try await exchange.openOrders(symbol: "BTCUSDT")
            #expect(
                open.map(\.type) == [
                    .stopMarket(trigger: Price("59000.0")!), .takeProfitMarket(trigger: Price("65000.0")!),
                ])
            #expect(open.allSatisfy { $0.reduceOnly })
            _ = try await exchange.cancel(symbol: "BTCUSDT", clientOrderID: "sl-1", conditional: true)
            #expect(try await exchange.openOrders(symbol: "BTCUSDT").map(\.clientOrderID) == ["tp-1"])
        }
    }

    @Test func refusalsBecomeRejectionsOrTypedErrors() async throws {
        try await withVenue { venue, exchange in
            func intent(_ id: ClientOrderID, _ type: OrderType, _ quantity: String) -> OrderIntent {
                OrderIntent(
                    clientOrderID: id, symbol: "BTCUSDT", side: .buy, type: type, quantity: Quantity(quantity)!,
                    reduceOnly: false, purpose: .entry, time: .milliseconds(5))
            }
            // The venue refuses (insufficient balance): a rejection naming Bybit's code.
            guard case .rejected(let refused) = try await exchange.place(intent("e-big", .market, "200")) else {
                Issue.record("expected a rejection")
                return
            }
            #expect(refused.reason.contains("110007"))
            // Local filters: off-tick price, an id Bybit would refuse.
            guard
                case .rejected(let offTick) = try await exchange.place(
                    intent("e-tick", .limit(price: Price("60000.05")!), "0.010"))
            else {
                Issue.record("expected a local rejection")
                return
            }
            #expect(offTick.reason.hasPrefix("filter:"))
            guard case .rejected = try await exchange.place(intent("e.dot", .market, "0.010")) else {
                Issue.record("expected the id to be refused")
                return
            }
            // A rate-limited attempt is retried after the wait; the order goes in once.
            venue.state.withLock { $0.scriptedCreateCodes = [10006] }
            let before = venue.state.withLock { $0.createBodies.count }
            #expect(try await exchange.place(intent("e-retry", .market, "0.010")).engineEvent.kind == "orderAccepted")
            #expect(venue.state.withLock { $0.createBodies.count } == before + 2)
            // Canceling an order the venue does not have is a typed error.
            await #expect(throws: ExchangeError.self) {
                try await exchange.cancel(symbol: "BTCUSDT", clientOrderID: "nope", conditional: false)
            }
            do {
                _ = try await exchange.cancel(symbol: "BTCUSDT", clientOrderID: "nope", conditional: false)
            } catch let error as ExchangeError {
                #expect(error.code == ExchangeError.bybitNoSuchOrder)
            }
        }
    }

    @Test func wrongSecretIsRefusedOnRESTAndOnThePrivateStream() async throws {
        let wrong = BybitCredentials(apiKey: BybitStandIn.apiKey, secret: "not-the-secret")
        try await withVenue(credentials: wrong) { venue, exchange in
            do {
                _ = try await exchange.openOrders(symbol: "BTCUSDT")
                Issue.record("a request signed with the wrong secret was accepted")
            } catch let error as ExchangeError {
                #expect(error.code == ExchangeError.bybitInvalidSignature)
                #expect(!error.isBybitRetryable)
            }
            let account = try exchange.makeAccountStream(configuration: Self.stream)
            try await whileRunning(account) {
                while account.statistics.authenticationFailures == 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(account.statistics.authentications == 0)
                #expect(!venue.privateHub.has(1, "execution"))
            }
        }
    }
}
