public import ReflexCore

/// What `reflex status` shows: a copy of the engine's read-outs, published after every event.
public struct RuntimeStatus: Sendable, Codable, Hashable {
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
    public var uptimeSeconds: Double
    public var lastEvents: [String]
    /// Tick-to-order latency over the recent orders (filled in by the control API from the metrics).
    public var tickToOrder: Latency?
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

    public init(engine: Engine, uptimeSeconds: Double, lastEvents: [String]) {
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
        self.uptimeSeconds = uptimeSeconds
        self.lastEvents = lastEvents
        let sync = engine.venueSync
        reconciliation = Reconciliation(
            inProgress: engine.reconciling, reconciliations: sync.reconciliations, differences: sync.differences,
            staleSnapshots: sync.staleSnapshots, containedFills: sync.containedFills,
            haltedPaths: engine.haltedOrderPaths.map(\.rawValue))
    }
}
