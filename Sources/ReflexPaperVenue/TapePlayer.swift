import Logging
import ReflexCore
import ServiceLifecycle

/// Replays the tape: paces trades at the configured speed, gives each a consecutive aggregate id, lets the
/// exchange match it, then publishes it to the market streams. When the tape ends it loops (times shifted past
/// the previous pass) or idles until shutdown, so the venue keeps serving REST and the user stream.
final class TapePlayer: Service {
    private let configuration: PaperVenueConfiguration
    private let exchange: PaperExchange
    private let feed: MarketFeed
    private let logger: Logger

    init(configuration: PaperVenueConfiguration, exchange: PaperExchange, feed: MarketFeed, logger: Logger) {
        self.configuration = configuration
        self.exchange = exchange
        self.feed = feed
        self.logger = logger
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.replay() }
        } catch is CancellationError {
        } catch {
            // A tape that cannot be read stops the replay, not the venue: REST and the user stream stay up.
            logger.error("tape replay stopped", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
        feed.finishAll()
    }

    private func replay() async throws {
        if configuration.tapeStart == .onFirstSubscriber { try await feed.waitForFirstSubscriber() }
        let clock = ContinuousClock()
        var nextID: Int64?
        var offset: Int64 = 0  // ns added to tape times on this pass
        var pass = 0
        repeat {
            let next = try configuration.tape.open()
            var firstTime: Int64?
            var lastTime: Int64 = 0
            let start = clock.now
            var count = 0
            let paced = configuration.speed.isFinite && configuration.speed > 0
            while let tick = try next() {
                let time = tick.time.nanoseconds
                if firstTime == nil { firstTime = time }
                lastTime = time
                if paced {
                    let due = start + .nanoseconds(Int64(Double(time - firstTime!) / configuration.speed))
                    if due > clock.now { try await Task.sleep(until: due, clock: clock) }
                }
                let id = nextID ?? tick.tradeID
                nextID = id + 1
                let shifted = Timestamp(nanoseconds: time + offset)
                await exchange.apply(
                    Tick(
                        time: shifted, price: tick.price, quantity: tick.quantity, aggressor: tick.aggressor,
                        tradeID: id))
                feed.publish(
                    ReplayedTrade(
                        id: id, price: tick.price, quantity: tick.quantity, time: shifted.milliseconds,
                        buyerIsMaker: tick.aggressor == .sell))
                count += 1
                // Flat out, the replay never sleeps: yield so clients, REST and webhooks keep their share.
                if !paced { await Task.yield() }
            }
            pass += 1
            logger.info("tape pass finished", metadata: ["pass": "\(pass)", "trades": "\(count)"])
            guard count > 0, configuration.loop else { break }
            offset += lastTime - (firstTime ?? lastTime) + configuration.loopGap.nanoseconds
            if paced {
                // The gap between passes is tape time too: keep the pace across it.
                let gap = Double(configuration.loopGap.nanoseconds) / configuration.speed
                try await Task.sleep(for: .nanoseconds(Int64(gap)))
            }
        } while !Task.isCancelled
    }
}
