/// The portfolio's risk layer: pure decisions on the orders the markets' engines want to send.
///
/// It sits in front of the order path and only ever holds entries back; exits, protection and cancels always go
/// (they are counted in the account's order budget, so entries leave them room). Time comes in as an argument: the
/// newest timer time once timers come (wall time, live), else the event's (market time, backtests).
public struct PortfolioRisk: Sendable, Codable, Hashable {
    public internal(set) var limits: PortfolioLimits
    /// Why entries are halted everywhere (the portfolio's daily loss), until the next UTC day.
    public private(set) var halt: String?
    /// Times of the orders and cancels sent in the last 60 s, oldest first.
    var recentOrders: [Timestamp] = []
    var currentDay: Int64?
    /// The sum of the markets' daily results when the day began (they each start their own day at zero, so
    /// this is nonzero only for a portfolio that started mid-day with results).
    var dayStartPnl: Money = .zero
    var timerClock: Timestamp?
    /// Entries held back so far, by limit (status and metrics).
    public private(set) var heldEntries: [String: Int] = [:]

    /// Orders of the account budget kept for protection and exits.
    public static let entryReserve = 4
    static let window: Int64 = 60_000_000_000

    public init(limits: PortfolioLimits) { self.limits = limits }

    /// What the layer says about one order.
    public enum Decision: Hashable, Sendable {
        case send
        /// Held back, with which limit and why (the engine retries the entry on a later bar).
        case hold(limit: String, reason: String)
    }

    /// The clock an event gives the layer.
    public mutating func observe(_ event: EngineEvent) -> Timestamp {
        if case .timer(let time) = event { timerClock = max(timerClock ?? time, time) }
        return timerClock ?? event.time
    }

    /// The clock a trade gives the layer.
    public func clock(tradeTime: Timestamp) -> Timestamp { timerClock ?? tradeTime }

    /// Rolls the day and checks the portfolio's daily loss. Returns a notice when the halt starts or clears.
    public mutating func review(markets: [MarketExposure], time: Timestamp) -> Notice? {
        let day = time.nanoseconds / 86_400_000_000_000
        let total = markets.reduce(Money.zero) { $0 + $1.dailyPnl }
        if day != currentDay {
            let first = currentDay == nil
            currentDay = day
            dayStartPnl = first ? total : .zero
            if let halt, !first {
                self.halt = nil
                return Notice(
                    level: .info, kind: "portfolioHaltCleared", message: "new UTC day: \(halt) cleared", time: time)
            }
        }
        guard halt == nil, let limit = limits.maxDailyLoss else { return nil }
        let loss = dayStartPnl - total
        guard loss > limit else { return nil }
        halt = "portfolio daily loss \(loss) exceeds \(limit)"
        return Notice(
            level: .critical, kind: "portfolioHalt",
            message: "entries halted in every market: \(halt!); protection and exits kept", time: time)
    }

    /// Decides on one order of market `index` at `price`, given every market's exposure; counts what it sends.
    public mutating func decide(
        _ intent: OrderIntent, price: Price?, market index: Int, markets: [MarketExposure], time: Timestamp
    ) -> Decision {
        prune(time)
        if intent.purpose == .entry {
            if let decision = entryDecision(intent, price: price, market: index, markets: markets) {
                if case .hold(let limit, _) = decision { heldEntries[limit, default: 0] += 1 }
                return decision
            }
        }
        if limits.maxOrdersPerMinute != nil { recentOrders.append(time) }
        return .send
    }

    /// Counts a cancel in the account's budget (cancels always go).
    public mutating func count(cancelAt time: Timestamp) {
        guard limits.maxOrdersPerMinute != nil else { return }
        prune(time)
        recentOrders.append(time)
    }

    /// Orders and cancels sent in the 60 s before the last decision.
    public var ordersInWindow: Int { recentOrders.count }

    private func entryDecision(
        _ intent: OrderIntent, price: Price?, market index: Int, markets: [MarketExposure]
    ) -> Decision? {
        if let halt { return .hold(limit: "maxDailyLoss", reason: halt) }
        if let limit = limits.maxOrdersPerMinute, recentOrders.count + 1 + Self.entryReserve > limit {
            return .hold(
                limit: "maxOrdersPerMinute",
                reason:
                    "the account sent \(recentOrders.count) orders in the last minute; portfolio maxOrdersPerMinute \(limit) keeps \(Self.entryReserve) for protection"
            )
        }
        if let limit = limits.maxOpenPositions {
            let open = markets.indices.filter { $0 != index && markets[$0].isOpen }
            if open.count >= limit {
                return .hold(
                    limit: "maxOpenPositions",
                    reason:
                        "\(open.count) markets already hold a position (\(open.map { markets[$0].symbol }.joined(separator: ", "))); portfolio maxOpenPositions is \(limit)"
                )
            }
        }
        if let limit = limits.maxTotalNotional {
            guard let price else {
                return .hold(limit: "maxTotalNotional", reason: "no price yet to value the entry against the cap")
            }
            let committed = markets.reduce(Money.zero) { $0 + $1.committedNotional }
            let valued: Price
            if case .limit(let limit) = intent.type { valued = limit } else { valued = price }
            let after = committed + Money.notional(valued, intent.quantity)
            if after > limit {
                return .hold(
                    limit: "maxTotalNotional",
                    reason:
                        "total notional would be \(after) (open and on its way \(committed)); portfolio maxTotalNotional is \(limit)"
                )
            }
        }
        return nil
    }

    private mutating func prune(_ time: Timestamp) {
        guard !recentOrders.isEmpty else { return }
        let cutoff = time.nanoseconds - Self.window
        let stale = recentOrders.prefix { $0.nanoseconds <= cutoff }.count
        if stale > 0 { recentOrders.removeFirst(stale) }
    }
}
