import Logging
import ReflexCore
import ReflexExchange
import ReflexPaperVenue
import ServiceLifecycle
import Testing

/// The margin defence's `addMargin` through the real Binance adapter against the real paper venue.
struct BinanceMarginTopUpTests {
    static let credentials = (key: "topup-key", secret: "topup-secret")

    @Test("addMargin tops up the isolated margin: the fall that liquidates a 100× long no longer does")
    func topUpSurvivesTheFall() async throws {
        // As in the venue's own liquidation test: 100× long 0.010 at 60 000 holds 6 USDT and is liquidated near
        // 59 640. With 100 USDT more it rides the fall to 59 500.
        // Nine flat seconds before the fall: room for the order and the top-up on a loaded machine.
        let prices =
            Array(repeating: "60000.0", count: 300) + ["59900.0", "59800.0", "59700.0", "59660.0", "59600.0"]
            + Array(repeating: "59500.0", count: 20)
        let ticks = prices.enumerated().map { index, price in
            Tick(
                time: .milliseconds(1_723_161_256_000 + Int64(index) * 30), price: Price(price)!,
                quantity: Quantity("0.005")!, aggressor: .buy, tradeID: 1000 + Int64(index))
        }
        var logger = Logger(label: "test.topup")
        logger.logLevel = .warning
        let venue = PaperVenue(
            configuration: PaperVenueConfiguration(
                symbol: "BTCUSDT", tape: .ticks(ticks), port: 0, speed: 1, loop: false, tapeStart: .immediately,
                credentials: .init(apiKey: Self.credentials.key, secret: Self.credentials.secret), leverage: 100),
            logger: logger)
        let group = ServiceGroup(services: [venue], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            let port = try await venue.boundPort()
            let exchange = BinanceExchange(
                urls: .local(port: port),
                credentials: BinanceCredentials(apiKey: Self.credentials.key, secretKey: Self.credentials.secret),
                logger: logger)

            // Flat: there is nothing to top up, and the venue says so.
            do {
                try await exchange.addMargin(symbol: "BTCUSDT", amount: Money("100")!)
                Issue.record("a top-up with no position should be refused")
            } catch let error as ExchangeError {
                #expect(error.code == -4047)
            }

            let entry = OrderIntent(
                clientOrderID: "topup-1", symbol: "BTCUSDT", side: .buy, type: .market, quantity: Quantity("0.010")!,
                reduceOnly: false, purpose: .entry, time: .milliseconds(1))
            guard case .accepted = try await exchange.place(entry, referencePrice: Price("60000.0")) else {
                Issue.record("the entry should be accepted")
                return
            }
            let opened = try await Self.position(exchange) { $0?.quantity == Quantity("0.010") }
            let entryPrice = try #require(opened?.entryPrice).doubleValue
            let before = try #require(opened?.liquidationPrice).doubleValue
            // 100× isolated: liquidated within about 1 % of the entry.
            #expect(before < entryPrice && before > entryPrice * 0.99, "entry \(entryPrice), liquidation \(before)")

            try await exchange.addMargin(symbol: "BTCUSDT", amount: Money("100")!)
            let after = try #require(try await exchange.positions(symbol: "BTCUSDT").first?.liquidationPrice)
            // 100 USDT on 0.010 BTC moves it about 10 000 lower, far below the tape's low of 59 500.
            #expect(after.doubleValue < before - 9_000, "liquidation \(before) → \(after)")

            // The tape falls to 59 500 and stays there: the position is still open.
            let bottom = try await Self.position(exchange) { $0?.markPrice == Price("59500.0") || $0 == nil }
            #expect(bottom?.markPrice == Price("59500.0"))
            #expect(bottom?.quantity == Quantity("0.010"))
            await group.triggerGracefulShutdown()
        }
    }

    /// Polls the venue's position until `condition` holds (30 s at most).
    static func position(
        _ exchange: BinanceExchange, until condition: (PositionUpdate?) -> Bool
    ) async throws -> PositionUpdate? {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let position = try await exchange.positions(symbol: "BTCUSDT").first
            if condition(position) || ContinuousClock.now > deadline { return position }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
