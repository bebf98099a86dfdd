import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import Synchronization
import Testing

@testable import ReflexExchange

/// Reconnects and the signature grant against `DeribitStandIn`.
struct DeribitResilienceTests {
    func withVenue(
        credentials: DeribitCredentials,
        _ body: @escaping @Sendable (DeribitStandIn, DeribitExchange) async throws -> Void
    ) async throws {
        let venue = DeribitStandIn()
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        try await withLoopbackServer(router) { port in
            let exchange = DeribitExchange(
                urls: .local(port: port), credentials: credentials, configuration: DeribitEndToEndTests.configuration,
                logger: testLogger("deribit"))
            try await withTimeout(.seconds(60)) { try await body(venue, exchange) }
        }
    }

    @Test func clientSignatureMatchesAnIndependentHMAC() {
        // Expected value computed with Python's hmac over "1700000000000\nabcd1234\n".
        let credentials = DeribitCredentials(clientID: "id", clientSecret: "stand-in-secret", grant: .clientSignature)
        #expect(
            credentials.signature(timestamp: 1_700_000_000_000, nonce: "abcd1234")
                == "29e7e666e9f3f27c18543cbd204c1fa5f8257abc723a51236f5bb0e861f2b104")
        #expect(!credentials.description.contains("stand-in-secret"))
    }

    @Test func signatureGrantAuthenticatesWithoutSendingTheSecret() async throws {
        let credentials = DeribitCredentials(
            clientID: DeribitStandIn.clientID, clientSecret: DeribitStandIn.clientSecret, grant: .clientSignature)
        try await withVenue(credentials: credentials) { venue, exchange in
            let account = exchange.makeAccountStream(instruments: ["BTC-PERPETUAL"])
            try await whileRunning(account) {
                try await venue.hub.waitFor("user.trades.BTC-PERPETUAL.raw")
                #expect(venue.state.withLock { $0.grants } == ["client_signature"])
                #expect(try await exchange.account().asset == "BTC")
            }
        }
    }

    @Test func reconnectAuthenticatesResubscribesAndBackfillsTheMissedSequence() async throws {
        try await withVenue(credentials: DeribitEndToEndTests.credentials) { venue, exchange in
            let market = exchange.makeMarketStream(instrument: "BTC-PERPETUAL")
            try await whileRunning(market) {
                try await venue.hub.waitFor("trades.BTC-PERPETUAL.raw")
                venue.publish([(1, "60000", 10, "buy")])
                var ticks = market.ticks.makeAsyncIterator()
                #expect(try #require(await ticks.next()).price == Price("60000"))
                venue.hub.dropAll()
                venue.publish([(2, "60001", 10, "buy"), (3, "60002", 10, "buy")], push: false)
                try await venue.hub.waitFor("trades.BTC-PERPETUAL.raw", connection: 2)
                venue.publish([(4, "60003", 10, "sell")])
                var prices: [String] = []
                for _ in 0..<3 { prices.append(try #require(await ticks.next()).price.description) }
                #expect(prices == ["60001", "60002", "60003"])
                #expect(exchange.session.statistics.connections == 2)
                #expect(exchange.session.statistics.authentications == 2)
                #expect(venue.state.withLock { $0.backfillRequests } == ["2-3"])
            }
        }
    }

    @Test func orderLostWithTheConnectionIsLookedUpAfterTheReconnectNotResent() async throws {
        try await withVenue(credentials: DeribitEndToEndTests.credentials) { venue, exchange in
            let account = exchange.makeAccountStream(instruments: ["BTC-PERPETUAL"])
            try await whileRunning(account) {
                try await venue.hub.waitFor("user.orders.BTC-PERPETUAL.raw")
                venue.state.withLock { $0.bookThenDrop = true }
                let limit = OrderIntent(
                    clientOrderID: "e-lost", symbol: "BTC-PERPETUAL", side: .buy, type: .limit(price: Price("59000")!),
                    quantity: Quantity("0.01")!, reduceOnly: false, purpose: .entry, time: .milliseconds(1))
                guard case .accepted(let accepted) = try await exchange.place(limit) else {
                    Issue.record("the booked order was not found")
                    return
                }
                #expect(accepted.venueOrderID == "order-1")
                #expect(venue.state.withLock { $0.methods.filter { $0 == "private/buy" }.count } == 1)
                #expect(exchange.session.statistics.connections == 2)
            }
        }
    }
}
