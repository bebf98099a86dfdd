public import Logging
public import ReflexCore
import Synchronization

/// Measures reaction latency on a live connection: from a trade tick reaching the consumer of the market stream to
/// the order request for it being handed to the REST transport (which writes it to its socket at once when called on
/// its event loop).
///
/// Meant for loopback against the paper venue (`reflex bench`); every measured tick places a real market order.
public enum BinanceTickToOrderBenchmark {
    /// Places one market order per tick for `orders` ticks, one at a time, and returns each tick-to-request latency.
    ///
    /// - Parameters:
    ///   - urls: the venue (normally `.local(port:)`).
    ///   - credentials: key and secret the venue accepts.
    ///   - symbol: instrument to trade.
    ///   - orders: how many ticks to react to.
    ///   - quantity: size of each market order (must pass the instrument's filters).
    ///   - logger: adapter logs.
    public static func run(
        urls: BinanceURLs, credentials: BinanceCredentials, symbol: String, orders: Int, quantity: Quantity,
        logger: Logger
    ) async throws -> [Duration] {
        let sent = SentInstants()
        let rest = BinanceRESTClient(
            urls: urls, credentials: credentials,
            configuration: BinanceRESTConfiguration(requestObserver: { method, path in
                if method == "POST" && path == "/fapi/v1/order" { sent.record(.now) }
            }), logger: logger)
        let exchange = BinanceExchange(rest: rest, logger: logger)
        // Warm up: clock offset, instrument rules and a pooled connection are in place before the first tick.
        try await rest.synchronizeTime()
        _ = try await exchange.instrumentRules(symbol: symbol)
        let stream = exchange.makeMarketStream(symbol: symbol)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await stream.run() }
            defer { group.cancelAll() }
            var latencies: [Duration] = []
            var index = 0
            for await tick in stream.ticks {
                let arrived = ContinuousClock.now
                index += 1
                let intent = OrderIntent(
                    clientOrderID: ClientOrderID("bench-\(index)-\(tick.tradeID)"), symbol: symbol,
                    side: tick.aggressor, type: .market, quantity: quantity, reduceOnly: false, purpose: .entry,
                    time: tick.time)
                _ = try await exchange.submit(intent, referencePrice: nil)
                if let leftAt = sent.take() { latencies.append(leftAt - arrived) }
                if latencies.count >= orders { break }
            }
            return latencies
        }
    }

    /// The `p`-th percentile (0…100) of `latencies`, nearest rank.
    public static func percentile(_ p: Double, of latencies: [Duration]) -> Duration? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// The instant the last order request left, handed from the REST client's observer to the measuring loop.
    private final class SentInstants: Sendable {
        private let last = Mutex<ContinuousClock.Instant?>(nil)
        func record(_ instant: ContinuousClock.Instant) { last.withLock { $0 = instant } }
        func take() -> ContinuousClock.Instant? {
            last.withLock { value in
                defer { value = nil }
                return value
            }
        }
    }
}
