import Logging
import ReflexCore
import ServiceLifecycle

/// Replays the markets' tapes merged into one clock: paces the trades of every symbol by trade time at the
/// configured speed, gives each symbol's trades consecutive aggregate ids of its own (as Binance numbers them), lets
/// the exchange match each trade on its symbol's book, then publishes it to that symbol's stream.
///
/// When the tapes end the replay loops or idles until shutdown, so the venue keeps serving REST and the user
/// stream. A pass ends when the longest tape ends; every tape then restarts together, all shifted by the same
/// amount (the pass's span plus the loop gap), so times keep increasing and the tapes keep their relative timing.
/// A shorter tape is simply silent for the rest of each pass.
final class TapePlayer: Service {
    private let configuration: PaperVenueConfiguration
    private let exchange: PaperExchange
    private let feed: MarketFeed
    private let logger: Logger

    /// One market's reader during a pass, with its next trade read ahead so the merge can compare times.
    private struct Lane {
        let symbol: String
        let next: () throws -> Tick?
        var head: Tick?
    }

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
        var nextIDs: [String: Int64] = [:]
        var offset: Int64 = 0  // ns added to tape times on this pass
        var pass = 0
        let paced = configuration.speed.isFinite && configuration.speed > 0
        repeat {
            var lanes = try configuration.markets.map { market in
                let next = try market.tape.open()
                return Lane(symbol: market.symbol, next: next, head: try next())
            }
            var firstTime: Int64?
            var lastTime: Int64?  // of the tape that ends last
            let start = clock.now
            var count = 0
            while let index = Self.earliest(lanes), let tick = lanes[index].head {
                let symbol = lanes[index].symbol
                lanes[index].head = try lanes[index].next()
                let time = tick.time.nanoseconds
                if firstTime == nil { firstTime = time }
                if lanes[index].head == nil { lastTime = max(lastTime ?? time, time) }
                if paced {
                    let due = start + .nanoseconds(Int64(Double(time - firstTime!) / configuration.speed))
                    if due > clock.now { try await Task.sleep(until: due, clock: clock) }
                }
                let id = nextIDs[symbol] ?? tick.tradeID
                nextIDs[symbol] = id + 1
                let shifted = Timestamp(nanoseconds: time + offset)
                await exchange.apply(
                    Tick(
                        time: shifted, price: tick.price, quantity: tick.quantity, aggressor: tick.aggressor,
                        tradeID: id),
                    symbol: symbol)
                feed.publish(
                    ReplayedTrade(
                        id: id, price: tick.price, quantity: tick.quantity, time: shifted.milliseconds,
                        buyerIsMaker: tick.aggressor == .sell),
                    symbol: symbol)
                count += 1
                // Flat out, the replay never sleeps: yield so clients, REST and webhooks keep their share.
                if !paced { await Task.yield() }
            }
            pass += 1
            logger.info("tape pass finished", metadata: ["pass": "\(pass)", "trades": "\(count)"])
            guard count > 0, configuration.loop, let firstTime, let lastTime else { break }
            offset += lastTime - firstTime + configuration.loopGap.nanoseconds
            if paced {
                // The gap between passes is tape time too: keep the pace across it.
                let gap = Double(configuration.loopGap.nanoseconds) / configuration.speed
                try await Task.sleep(for: .nanoseconds(Int64(gap)))
            }
        } while !Task.isCancelled
    }

    /// The lane whose next trade is earliest (the first listed market on a tie); nil when every tape has ended.
    private static func earliest(_ lanes: [Lane]) -> Int? {
        var best: (index: Int, time: Int64)?
        for (index, lane) in lanes.enumerated() {
            guard let time = lane.head?.time.nanoseconds else { continue }
            if best == nil || time < best!.time { best = (index, time) }
        }
        return best?.index
    }
}
