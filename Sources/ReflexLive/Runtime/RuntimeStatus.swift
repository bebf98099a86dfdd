public import ReflexCore
public import ReflexExchange

/// What `reflex status` shows: every market's read-outs and the portfolio's, taken under the runtime's lock.
///
/// Encoded with a top-level `markets` array and `portfolio` object; a one-market deployment also has that market's
/// fields at the top level, as before markets existed, so scripts written against it keep working.
public struct RuntimeStatus: Sendable, Encodable, Hashable {
    public var markets: [MarketStatus]
    public var portfolio: PortfolioStatus
    public var uptimeSeconds: Double
    public var lastEvents: [String]
    /// Tick-to-order latency over the recent orders (filled in by the control API from the metrics).
    public var tickToOrder: MarketStatus.Latency?

    public init(portfolio: Portfolio, uptimeSeconds: Double, lastEvents: [String]) {
        markets = portfolio.markets.map(MarketStatus.init)
        self.portfolio = PortfolioStatus(portfolio)
        self.uptimeSeconds = uptimeSeconds
        self.lastEvents = lastEvents
    }

    /// The first market (the only one of a one-market deployment).
    public var first: MarketStatus { markets[0] }

    enum CodingKeys: String, CodingKey { case markets, portfolio, uptimeSeconds, lastEvents, tickToOrder }

    public func encode(to encoder: any Encoder) throws {
        if markets.count == 1 { try markets[0].encode(to: encoder) }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(markets, forKey: .markets)
        try c.encode(portfolio, forKey: .portfolio)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(lastEvents, forKey: .lastEvents)
        try c.encodeIfPresent(tickToOrder, forKey: .tickToOrder)
    }
}

/// The whole account, across markets.
public struct PortfolioStatus: Sendable, Codable, Hashable {
    /// Starting equity plus every market's realised and unrealised result, less fees.
    public var equity: String
    public var totalNotional: String
    public var dailyPnl: String
    public var openPositions: Int
    /// Why entries are halted in every market (the portfolio's daily loss), if they are.
    public var halt: String?
    /// Entries the portfolio's limits held back, by limit.
    public var heldEntries: [String: Int]
    /// Orders and cancels of the account in the last minute (counted when the account budget is set).
    public var ordersLastMinute: Int
    /// Account events that matched no market (logged, never applied).
    public var unmatchedEvents: Int
    public var limits: Limits
    /// The venue's account totals at the last read (cross-margin figures across every market).
    public var account: Account?
    /// Positions the account holds in markets the bot does not trade (reported at start, left alone).
    public var untradedPositions: [String: String] = [:]

    public struct Account: Sendable, Codable, Hashable {
        public var walletBalance: String
        public var marginBalance: String
        public var maintenanceMargin: String
        public var availableBalance: String
        /// Maintenance margin over margin balance: the account is liquidated at 1.
        public var marginRatio: Double?

        public init(_ a: AccountSnapshot) {
            walletBalance = a.walletBalance.description
            marginBalance = a.marginBalance.description
            maintenanceMargin = a.maintenanceMargin.description
            availableBalance = a.availableBalance.description
            marginRatio = a.marginBalance.raw > 0 ? a.maintenanceMargin.doubleValue / a.marginBalance.doubleValue : nil
        }
    }

    public struct Limits: Sendable, Codable, Hashable {
        public var maxTotalNotional: String?
        public var maxOpenPositions: Int?
        public var maxDailyLoss: String?
        public var maxOrdersPerMinute: Int?
    }

    public init(_ p: Portfolio) {
        equity = p.equity.description
        totalNotional = p.totalNotional.description
        dailyPnl = p.dailyPnl.description
        openPositions = p.openPositions
        halt = p.risk.halt
        heldEntries = p.risk.heldEntries
        ordersLastMinute = p.risk.ordersInWindow
        unmatchedEvents = p.unmatchedEvents
        let l = p.risk.limits
        limits = Limits(
            maxTotalNotional: l.maxTotalNotional?.description, maxOpenPositions: l.maxOpenPositions,
            maxDailyLoss: l.maxDailyLoss?.description, maxOrdersPerMinute: l.maxOrdersPerMinute)
    }
}

/// One market's read-outs.
public struct MarketStatus: Sendable, Codable, Hashable {
    public var symbol: String
    public var strategy: String
    public var mode: TradingMode
    public var paused: Bool
    public var riskHalt: String?
    public var ticks: Int
    public var lastPrice: String?
    public var channel: Channel?
    public var atr: Double?
    public var volatility: Double?
    /// Signed position quantity.
    public var position: String
    public var entryPrice: Double?
    public var workingOrders: [WorkingOrderStatus]
    public var fills: Int
    public var realizedPnl: String
    public var unrealizedPnl: String
    public var fees: String
    /// Open position notional at the last price.
    public var notional: String
    /// How the local position is kept in line with the venue's.
    public var reconciliation: Reconciliation

    public struct Reconciliation: Sendable, Codable, Hashable {
        /// A read of the venue is asked for or on its way: no order leaves meanwhile.
        public var inProgress: Bool
        /// Reads answered, differences adopted from them.
        public var reconciliations: Int
        public var differences: Int
        /// Position snapshots ignored because an older one arrived after a newer one.
        public var staleSnapshots: Int
        /// Fills recognised as already contained in a reconciliation read (not applied twice).
        public var containedFills: Int
        /// Order paths halted by refusals in a row (`entry`, `exit`, `protection`); `resume` clears them.
        public var haltedPaths: [String]
    }

    public struct Latency: Sendable, Codable, Hashable {
        public var p50Micros: Double
        public var p99Micros: Double
        public var orders: Int
    }

    public struct Channel: Sendable, Codable, Hashable {
        public var upper: Double
        public var lower: Double
        public var middle: Double
    }

    public struct WorkingOrderStatus: Sendable, Codable, Hashable {
        public var clientOrderId: String
        public var purpose: String
        public var side: String
        public var type: String
        public var quantity: String
        public var trigger: String?
        public var accepted: Bool
        /// A cancel is on its way; the order stays listed until the venue confirms.
        public var cancelRequested: Bool
    }

    public init(_ engine: Engine) {
        symbol = engine.strategy.symbol
        strategy = engine.strategy.name
        mode = engine.mode
        paused = engine.paused
        riskHalt = engine.riskHalt
        ticks = engine.ticks
        lastPrice = engine.lastPrice?.description
        channel = engine.channel.map { Channel(upper: $0.upper, lower: $0.lower, middle: $0.middle) }
        atr = engine.atr
        volatility = engine.volatility
        position = engine.position.quantity.description
        entryPrice = engine.position.averageEntry
        workingOrders = engine.workingOrders.map { order in
            var trigger: String?
            switch order.intent.type {
            case .limit(let p), .stopMarket(let p), .takeProfitMarket(let p): trigger = p.description
            case .market: trigger = nil
            }
            return WorkingOrderStatus(
                clientOrderId: order.intent.clientOrderID.rawValue, purpose: order.intent.purpose.rawValue,
                side: order.intent.side.rawValue, type: order.intent.type.name,
                quantity: order.intent.quantity.description,
                trigger: trigger, accepted: order.accepted, cancelRequested: order.cancelRequested)
        }
        fills = engine.fillCount
        realizedPnl = engine.realizedPnl.description
        unrealizedPnl = engine.unrealizedPnl.description
        fees = engine.fees.description
        notional = engine.positionNotional.description
        let sync = engine.venueSync
        reconciliation = Reconciliation(
            inProgress: engine.reconciling, reconciliations: sync.reconciliations, differences: sync.differences,
            staleSnapshots: sync.staleSnapshots, containedFills: sync.containedFills,
            haltedPaths: engine.haltedOrderPaths.map(\.rawValue))
    }
}
