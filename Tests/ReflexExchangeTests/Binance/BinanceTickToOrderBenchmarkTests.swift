import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import ReflexExchange
import Testing

struct BinanceTickToOrderBenchmarkTests {
    @Test func measuresOneLatencyPerOrderPlaced() async throws {
        let venue = FakeBinanceVenue()
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        let tape = try BinanceMarketStreamTests.tape()
        router.ws("/market/ws/:stream") { inbound, outbound, _ in
            for trade in tape {
                try await outbound.write(.text(trade.json))
                try await Task.sleep(for: .milliseconds(2))
            }
            for try await _ in inbound {}
        }
        try await withLoopbackServer(router) { port in
            let latencies = try await withTimeout {
                try await BinanceTickToOrderBenchmark.run(
                    urls: .local(port: port),
                    credentials: BinanceCredentials(
                        apiKey: FakeBinanceVenue.apiKey, secretKey: FakeBinanceVenue.secret),
                    symbol: "BTCUSDT", orders: 10, quantity: Quantity("0.002")!, logger: testLogger("bench"))
            }
            #expect(latencies.count == 10)
            // Sane values (a tick's own timestamp or a wrong unit would be far off), with room for a loaded machine.
            #expect(latencies.allSatisfy { $0 > .zero && $0 < .seconds(30) })
            #expect(venue.state.current.orders.count == 10)
            let p50 = try #require(BinanceTickToOrderBenchmark.percentile(50, of: latencies))
            let p99 = try #require(BinanceTickToOrderBenchmark.percentile(99, of: latencies))
            #expect(p50 <= p99)
            #expect(p99 == latencies.max())
        }
    }

    @Test func percentileUsesNearestRank() {
        let values = (1...100).map { Duration.milliseconds($0) }
        #expect(BinanceTickToOrderBenchmark.percentile(50, of: values) == .milliseconds(50))
        #expect(BinanceTickToOrderBenchmark.percentile(99, of: values) == .milliseconds(99))
        #expect(BinanceTickToOrderBenchmark.percentile(100, of: values) == .milliseconds(100))
        #expect(BinanceTickToOrderBenchmark.percentile(50, of: []) == nil)
    }
}
