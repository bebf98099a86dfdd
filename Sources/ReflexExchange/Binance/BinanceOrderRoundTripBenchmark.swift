public import Logging
public import ReflexCore

/// Measures the REST round trip of an order: from `place` being called to its answer decoded, one order at a time,
/// through a given ``RESTTransport`` (`reflex bench` compares the keep-alive pool with AsyncHTTPClient in one run).
///
/// Meant for loopback against the paper venue. Every order is a real limit buy at `restingPrice`, far below the
/// market so it rests (a market order's answer would wait for the venue's next trade), and is cancelled before the
/// next one; only the placement is timed.
public enum BinanceOrderRoundTripBenchmark {
    /// Places `orders` resting limit orders, one at a time, and returns each one's round trip.
    /// - Parameters:
    ///   - urls: the venue (normally `.local(port:)`).
    ///   - credentials: key and secret the venue accepts.
    ///   - transport: what carries the requests.
    ///   - label: distinguishes the client ids of runs sharing one venue.
    ///   - restingPrice: a price at which a buy rests; `quantity` at it must pass the minimum notional.
    public static func run(
        urls: BinanceURLs, credentials: BinanceCredentials, transport: any RESTTransport, label: String,
        symbol: String, orders: Int, restingPrice: Price, quantity: Quantity, logger: Logger
    ) async throws -> [Duration] {
        let rest = BinanceRESTClient(urls: urls, credentials: credentials, transport: transport, logger: logger)
        let exchange = BinanceExchange(rest: rest, logger: logger)
        // Warm up: clock offset, instrument rules and an open connection before the first measured order.
        try await rest.synchronizeTime()
        _ = try await exchange.instrumentRules(symbol: symbol)
        var latencies: [Duration] = []
        latencies.reserveCapacity(orders)
        for index in 0..<orders {
            let intent = OrderIntent(
                clientOrderID: ClientOrderID("rt-\(label)-\(index)"), symbol: symbol,
                side: .buy, type: .limit(price: restingPrice), quantity: quantity, reduceOnly: false,
                purpose: .entry, time: Timestamp(nanoseconds: 0))
            let started = ContinuousClock.now
            _ = try await exchange.submit(intent, referencePrice: nil)
            latencies.append(.now - started)
            _ = try await exchange.cancel(symbol: symbol, clientOrderID: intent.clientOrderID, conditional: false)
        }
        return latencies
    }
}
