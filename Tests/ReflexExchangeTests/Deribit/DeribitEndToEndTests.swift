import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import Synchronization
import Testing

@testable import ReflexExchange

/// The Deribit adapter against `DeribitStandIn` on 127.0.0.1, over one real JSON-RPC WebSocket.
struct DeribitEndToEndTests {
    /// Short back-off; a request timeout long enough for a loaded CI machine (an answer took over 2 s there).
    static let configuration = DeribitSessionConfiguration(
        socket: ResilientWebSocketConfiguration(
            backoff: ReconnectBackoff(
                initial: .milliseconds(20), maximum: .milliseconds(100), healthyAfter: .seconds(5)),
            silenceTimeout: nil, maximumConnectionAge: nil, watchdogInterval: .milliseconds(10),
            closeTimeout: .milliseconds(100)),
        requestTimeout: .seconds(30))
    static let credentials = DeribitCredentials(
        clientID: DeribitStandIn.clientID, clientSecret: DeribitStandIn.clientSecret)

    func withVenue(
        credentials: DeribitCredentials = Self.credentials,
        configuration: DeribitSessionConfiguration = Self.configuration,
        _ body: @escaping @Sendable (DeribitStandIn, DeribitExchange) async throws -> Void
    ) async throws {
        let venue = DeribitStandIn()
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        try await withLoopbackServer(router) { port in
            let exchange = DeribitExchange(
                urls: .local(port: port), credentials: credentials, configuration: configuration,
                logger: testLogger("deribit"))
            try await withTimeout(.seconds(60)) { try await body(venue, exchange) }
        }
    }

    @Test func authenticatesSubscribesRawAnswersTestRequestsAndStreamsTicksInBaseUnits() async throws {
        try await withVenue { venue, exchange in
            let market = exchange.makeMarketStream(instrument: "BTC-PERPETUAL")
            try await whileRunning(market) {
                try await venue.hub.waitFor("trades.BTC-PERPETUAL.raw")
                venue.publish([(1, "60000", 600, "buy"), (2, "60000.5", 10, "sell")])
                var ticks = market.ticks.makeAsyncIterator()
                let first = try #require(await ticks.next())
                let second = try #require(await ticks.next())
                #expect(first.quantity == Quantity("0.01"))
                #expect(first.price == Price("60000") && first.aggressor == .buy && first.tradeID == 100_001)
                #expect(second.aggressor == .sell && second.price.description == "60000.5")
                while venue.state.withLock({ $0.testAnswers }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
                let methods = venue.state.withLock { $0.methods }
                #expect(Array(methods.prefix(3)) == ["public/auth", "public/get_instrument", "public/set_heartbeat"])
                #expect(exchange.session.statistics.authentications == 1)
            }
        }
    }

    @Test func sequenceGapIsBackfilledOverTheSameSocket() async throws {
        try await withVenue { venue, exchange in
            let market = exchange.makeMarketStream(instrument: "BTC-PERPETUAL")
            try await whileRunning(market) {
                try await venue.hub.waitFor("trades.BTC-PERPETUAL.raw")
                venue.publish([(1, "60000", 10, "buy"), (2, "60001", 10, "buy")])
                venue.publish([(3, "60002", 10, "sell"), (4, "60003", 10, "sell")], push: false)
                venue.publish([(2, "60001", 10, "buy"), (5, "60004", 10, "buy")])
                var ticks = market.ticks.makeAsyncIterator()
                var prices: [String] = []
                for _ in 0..<5 { prices.append(try #require(await ticks.next()).price.description) }
                #expect(prices == ["60000", "60001", "60002", "60003", "60004"])
                #expect(venue.state.withLock { $0.backfillRequests } == ["3-4"])
                #expect(market.statistics.gaps == 1 && market.statistics.backfilled == 2)
                #expect(market.statistics.duplicates == 1)
            }
        }
    }

    @Test func placesCancelsAndReceivesFillsThroughThePrivateChannels() async throws {
        try await withVenue { venue, exchange in
            let market = exchange.makeMarketStream(instrument: "BTC-PERPETUAL")
            let account = exchange.makeAccountStream(instruments: ["BTC-PERPETUAL"])
            try await whileRunning(market) {
                try await whileRunning(account) {
                    try await venue.hub.waitFor("user.changes.BTC-PERPETUAL.raw")
                    let limit = OrderIntent(
                        clientOrderID: "e-1", symbol: "BTC-PERPETUAL", side: .buy,
                        type: .limit(price: Price("59000.5")!),
                        quantity: Quantity("0.02")!, reduceOnly: false, purpose: .entry, time: .milliseconds(1))
                    guard case .accepted(let accepted) = try await exchange.place(limit) else {
                        Issue.record("limit order not accepted")
                        return
                    }
                    #expect(accepted.venueOrderID == "order-1")
                    let open = try await exchange.openOrders(symbol: "BTC-PERPETUAL")
                    #expect(open.map(\.clientOrderID) == ["e-1"])
                    #expect(open.first?.type == .limit(price: Price("59000.5")!))
                    // 0.02 BTC at 59000.5 = 1180.01 USD → 1180 USD (118 contracts) → 1180 / 59000.5 BTC.
                    #expect(open.first?.quantity == Quantity("0.01999983"))
                    _ = try await exchange.cancel(symbol: "BTC-PERPETUAL", clientOrderID: "e-1", conditional: false)
                    #expect(try await exchange.openOrders(symbol: "BTC-PERPETUAL").isEmpty)

                    venue.publish([(1, "60000", 10, "buy")])
                    let sell = OrderIntent(
                        clientOrderID: "e-2", symbol: "BTC-PERPETUAL", side: .sell, type: .market,
                        quantity: Quantity("0.02")!, reduceOnly: false, purpose: .entry, time: .milliseconds(2))
                    // A market order's USD amount comes from the engine's last trade, passed in with the order.
                    #expect(
                        try await exchange.place(sell, referencePrice: Price("60000")).engineEvent.kind
                            == "orderAccepted")

                    var events = account.events.makeAsyncIterator()
                    var received: [EngineEvent] = []
                    while received.count < 4, let event = await events.next() { received.append(event) }
                    #expect(
                        received.map(\.kind) == ["orderAccepted", "orderCanceled", "orderFilled", "positionChanged"])
                    if case .orderFilled(let fill) = received[2] {
                        #expect(fill.clientOrderID == "e-2" && fill.side == .sell)
                        #expect(fill.quantity == Quantity("0.02"))
                        #expect(fill.fee == Money("0.00000168") && fill.feeAsset == "BTC")
                    }
                    if case .positionChanged(let position) = received[3] {
                        #expect(position.quantity == Quantity("-0.02"))
                    }
                    #expect(
                        try await exchange.positions(symbol: "BTC-PERPETUAL").map(\.quantity) == [Quantity("-0.02")!])
                    #expect(try await exchange.account().walletBalance == Money("0.5"))
                    #expect(try await exchange.instrumentRules(symbol: "BTC-PERPETUAL").tickSize == Price("0.5"))

                    venue.pushLiquidation()
                    #expect(await events.next()?.kind == "liquidation")
                }
            }
        }
    }

    @Test func stopOrderCarriesItsTriggerAndTinyOrdersAreRefusedLocally() async throws {
        try await withVenue { venue, exchange in
            let account = exchange.makeAccountStream(instruments: ["BTC-PERPETUAL"])
            try await whileRunning(account) {
                try await venue.hub.waitFor("user.orders.BTC-PERPETUAL.raw")
                let stop = OrderIntent(
                    clientOrderID: "sl-1", symbol: "BTC-PERPETUAL", side: .sell,
                    type: .stopMarket(trigger: Price("55000")!),
                    quantity: Quantity("0.01")!, reduceOnly: true, purpose: .stopLoss, time: .milliseconds(1))
                #expect(try await exchange.place(stop).engineEvent.kind == "orderAccepted")
                let open = try await exchange.openOrders(symbol: "BTC-PERPETUAL")
                #expect(open.first?.type == .stopMarket(trigger: Price("55000")!))
                #expect(open.first?.reduceOnly == true)
                let tiny = OrderIntent(
                    clientOrderID: "e-tiny", symbol: "BTC-PERPETUAL", side: .buy, type: .limit(price: Price("60000")!),
                    quantity: Quantity("0.0001")!, reduceOnly: false, purpose: .entry, time: .milliseconds(1))
                guard case .rejected(let rejected) = try await exchange.place(tiny) else {
                    Issue.record("an order below one contract was sent")
                    return
                }
                #expect(rejected.reason.contains("below the minimum"))
                await #expect(throws: ExchangeError.self) {
                    try await exchange.cancel(
                        symbol: "BTC-PERPETUAL", clientOrderID: "never-placed", conditional: false)
                }
            }
        }
    }

    @Test func malformedNotificationIsCountedAndTheSessionGoesOn() async throws {
        try await withVenue { venue, exchange in
            let market = exchange.makeMarketStream(instrument: "BTC-PERPETUAL")
            try await whileRunning(market) {
                try await venue.hub.waitFor("trades.BTC-PERPETUAL.raw")
                venue.notify("trades.BTC-PERPETUAL.raw", #"[{"trade_seq":"x"}]"#)
                venue.hub.push("garbage", to: "trades.BTC-PERPETUAL.raw")
                venue.publish([(1, "60000", 10, "buy")])
                var ticks = market.ticks.makeAsyncIterator()
                #expect(try #require(await ticks.next()).price == Price("60000"))
                #expect(exchange.session.statistics.malformed == 2)
                #expect(market.statistics.malformed == 1)
            }
        }
    }

    @Test func wrongCredentialsAreRefusedAndPrivateCallsFailTyped() async throws {
        let wrong = DeribitCredentials(clientID: DeribitStandIn.clientID, clientSecret: "wrong")
        // The private call below can only time out waiting for an authentication that never comes: keep it short.
        var configuration = Self.configuration
        configuration.requestTimeout = .seconds(2)
        try await withVenue(credentials: wrong, configuration: configuration) { _, exchange in
            let account = exchange.makeAccountStream(instruments: ["BTC-PERPETUAL"])
            try await whileRunning(account) {
                while exchange.session.statistics.authenticationFailures == 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                do {
                    _ = try await exchange.account()
                    Issue.record("a private call succeeded without authentication")
                } catch let error as ExchangeError {
                    #expect(error.code == ExchangeError.transport)
                }
            }
        }
    }
}
