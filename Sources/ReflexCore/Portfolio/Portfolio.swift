/// Many markets of one account: one engine per market (the same pure ``Engine``), the portfolio's risk layer in
/// front of their order path, and the rule that routes each event to its market.
///
/// Like the engine it is a pure state machine: events and time in, commands out. An entry the risk layer holds
/// back never leaves; its engine is told at once (an ``OrderRejected`` of kind ``OrderRejected/Kind/heldByLimit``),
/// and what it does about it is part of the same call's commands. Replaying the same events gives the same
/// decisions, so the live runtime's journal and a backtest both run it unchanged.
public struct Portfolio: Sendable, Codable {
    /// The markets' engines, in the deployment's order.
    public private(set) var markets: [Engine]
    public private(set) var risk: PortfolioRisk
    /// Events the router could not give to exactly one market (never applied).
    public private(set) var unmatchedEvents = 0

    /// - Precondition: symbols and client-order-id prefixes are unique across `markets` (the deployment checks).
    public init(markets: [Engine], limits: PortfolioLimits = .init()) {
        self.markets = markets
        self.risk = PortfolioRisk(limits: limits)
        prefixes = markets.map { $0.configuration.orderIDPrefix + "-" }
    }

    /// A one-market portfolio around an existing engine (today's single-market deployments).
    public init(engine: Engine) { self.init(markets: [engine]) }

    private var prefixes: [String]

    enum CodingKeys: String, CodingKey { case markets, risk, unmatchedEvents }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        markets = try c.decode([Engine].self, forKey: .markets)
        risk = try c.decode(PortfolioRisk.self, forKey: .risk)
        unmatchedEvents = try c.decodeIfPresent(Int.self, forKey: .unmatchedEvents) ?? 0
        prefixes = markets.map { $0.configuration.orderIDPrefix + "-" }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(markets, forKey: .markets)
        try c.encode(risk, forKey: .risk)
        try c.encode(unmatchedEvents, forKey: .unmatchedEvents)
    }

    /// This (fresh) portfolio carrying on from a recovered one: each market's engine where the recovered one has
    /// its symbol, its risk layer's state under this portfolio's limits. Markets only the recovered one has are
    /// returned as dropped (the caller reports them; their venue position is the operator's).
    public func continuing(from recovered: Portfolio) -> (portfolio: Portfolio, dropped: [String]) {
        var next = self
        for index in next.markets.indices {
            if let old = recovered.market(symbol: next.markets[index].strategy.symbol) {
                next.markets[index] = recovered.markets[old]
            }
        }
        next.prefixes = next.markets.map { $0.configuration.orderIDPrefix + "-" }
        next.risk = recovered.risk
        next.risk.limits = risk.limits
        next.unmatchedEvents = recovered.unmatchedEvents
        let dropped = recovered.markets.map(\.strategy.symbol).filter { market(symbol: $0) == nil }
        return (next, dropped)
    }

    /// This (fresh) portfolio carrying on from a one-market journal's engine.
    public func continuing(from engine: Engine) -> (portfolio: Portfolio, dropped: [String]) {
        continuing(from: Portfolio(engine: engine))
    }

    // MARK: - Routing

    /// The market trading `symbol`.
    public func market(symbol: String) -> Int? { markets.firstIndex { $0.strategy.symbol == symbol } }

    /// The market whose client-order-id prefix `id` carries.
    public func market(clientOrderID id: ClientOrderID) -> Int? {
        prefixes.firstIndex { id.rawValue.hasPrefix($0) }
    }

    /// Where an event belongs.
    public enum Route: Hashable, Sendable {
        case market(Int)
        /// Every market (timers, an operator command or regime shift without a symbol).
        case all
        /// No market, or two that disagree: logged and counted, never applied.
        case unmatched(String)
    }

    /// Routes by the order's client-id prefix and the event's symbol; when both are there they must agree.
    public func route(_ event: EngineEvent) -> Route {
        switch event {
        case .tick, .barClosed:
            return markets.count == 1 ? .market(0) : .unmatched("a trade or bar without its market")
        case .orderAccepted(let e): return route(id: e.clientOrderID, symbol: nil)
        case .orderRejected(let e): return route(id: e.clientOrderID, symbol: nil)
        case .orderCanceled(let e): return route(id: e.clientOrderID, symbol: nil)
        case .orderFilled(let e): return route(id: e.clientOrderID, symbol: e.symbol)
        case .positionChanged(let e): return route(id: nil, symbol: e.symbol)
        case .marginWarning(let e): return route(id: nil, symbol: e.symbol)
        case .liquidation(let e): return route(id: nil, symbol: e.symbol)
        case .venueState(let e): return route(id: nil, symbol: e.symbol)
        case .reconciliationFailed(let e): return route(id: nil, symbol: e.symbol)
        case .regimeShift(let e): return e.symbol.map { route(id: nil, symbol: $0) } ?? .all
        case .control(let e): return e.symbol.map { route(id: nil, symbol: $0) } ?? .all
        case .timer: return .all
        }
    }

    private func route(id: ClientOrderID?, symbol: String?) -> Route {
        let byID = id.flatMap { market(clientOrderID: $0) }
        let bySymbol = symbol.flatMap { market(symbol: $0) }
        switch (byID, bySymbol) {
        case (let i?, let s?) where i == s: return .market(i)
        case (let i?, nil) where symbol == nil: return .market(i)
        case (let i?, _):
            return .unmatched(
                "client order id \(id!.rawValue) belongs to \(markets[i].strategy.symbol) but the event is for \(symbol!)"
            )
        case (nil, let s?): return .market(s)
        case (nil, nil):
            if let symbol { return .unmatched("no market trades \(symbol)") }
            // An answer about an order no market placed: with one market it goes to it (the engine reports an
            // unknown order), as before markets existed.
            return markets.count == 1
                ? .market(0) : .unmatched("client order id \(id?.rawValue ?? "?") has no market's prefix")
        }
    }

    // MARK: - Events

    /// The hot path: one trade of market `index`.
    public mutating func handle(tick: Tick, market index: Int) -> [EngineCommand] {
        var commands = markets[index].handle(tick: tick)
        if commands.isEmpty { return commands }
        gate(&commands, market: index, time: risk.clock(tradeTime: tick.time))
        return commands
    }

    /// Applies an event to the market(s) it belongs to. Unmatched events change nothing but the count; the
    /// caller logs them with their payload.
    @discardableResult
    public mutating func handle(_ event: EngineEvent) -> (route: Route, commands: [EngineCommand]) {
        let route = route(event)
        let time = risk.observe(event)
        var out: [EngineCommand] = []
        switch route {
        case .market(let index):
            if case .tick(let tick) = event { return (route, handle(tick: tick, market: index)) }
            out = handle(event, market: index, time: time)
        case .all:
            for index in markets.indices { out += handle(event, market: index, time: time) }
        case .unmatched:
            unmatchedEvents += 1
            return (route, [])
        }
        if case .timer = event, let notice = risk.review(markets: markets.map { MarketExposure($0) }, time: time) {
            out.append(.notify(notice))
        }
        return (route, out)
    }

    /// Applies an event to market `index` whatever it carries.
    public mutating func handle(_ event: EngineEvent, market index: Int) -> [EngineCommand] {
        handle(event, market: index, time: risk.observe(event))
    }

    private mutating func handle(_ event: EngineEvent, market index: Int, time: Timestamp) -> [EngineCommand] {
        var commands = markets[index].handle(event)
        if !commands.isEmpty { gate(&commands, market: index, time: time) }
        return commands
    }

    /// End of data for market `index`: it closes its forming bar.
    public mutating func finishMarket(_ index: Int) -> [EngineCommand] {
        var commands = markets[index].finish()
        if !commands.isEmpty, let time = markets[index].lastTime { gate(&commands, market: index, time: time) }
        return commands
    }

    /// After a restart: reads asked for before it will never be answered.
    public mutating func abandonPendingReconciliation() {
        for index in markets.indices { markets[index].abandonPendingReconciliation() }
    }

    /// Runs the risk layer over the commands market `index` produced: held entries are taken out and their
    /// engine told, and what it answers is gated in turn.
    private mutating func gate(_ commands: inout [EngineCommand], market index: Int, time: Timestamp) {
        guard !risk.limits.isEmpty else { return }
        var exposures: [MarketExposure]?
        var position = 0
        while position < commands.count {
            switch commands[position] {
            case .place(let intent):
                if intent.purpose == .entry && exposures == nil {
                    var current = markets.map { MarketExposure($0) }
                    if let notice = risk.review(markets: current, time: time) {
                        commands.insert(.notify(notice), at: position)
                        position += 1
                    }
                    // The entry's own market counts as it was before this batch's entries (they are not sent yet).
                    var deciding = Set<ClientOrderID>()
                    for case .place(let placed) in commands where placed.purpose == .entry {
                        deciding.insert(placed.clientOrderID)
                    }
                    current[index] = MarketExposure(markets[index], excluding: deciding)
                    exposures = current
                }
                let decision = risk.decide(
                    intent, price: markets[index].lastPrice, market: index, markets: exposures ?? [], time: time)
                guard case .hold(let limit, let reason) = decision else {
                    position += 1
                    continue
                }
                commands.remove(at: position)
                let answer = markets[index].handle(
                    .orderRejected(
                        OrderRejected(
                            clientOrderID: intent.clientOrderID, reason: "portfolio \(limit): \(reason)",
                            kind: .heldByLimit, time: time)))
                commands.insert(contentsOf: answer, at: position)
            case .cancel:
                risk.count(cancelAt: time)
                position += 1
            default:
                position += 1
            }
        }
    }

    // MARK: - Read-outs

    /// Account equity from every market's results (the markets share the account's starting equity).
    public var equity: Money {
        guard let first = markets.first else { return .zero }
        return markets.reduce(first.configuration.initialEquity) {
            $0 + $1.realizedPnl - $1.fees + $1.unrealizedPnl
        }
    }
    public var totalNotional: Money { markets.reduce(.zero) { $0 + $1.positionNotional } }
    public var dailyPnl: Money { markets.reduce(.zero) { $0 + $1.dailyPnl } }
    public var openPositions: Int { markets.count { !$0.position.isFlat } }
}
