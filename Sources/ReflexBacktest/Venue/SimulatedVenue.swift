public import ReflexCore

/// A matching engine against a recorded tape, for backtests and the paper venue.
///
/// - Market orders fill at the first tick at or after they reach the venue, at that tick's price plus slippage.
/// - Limit orders fill at their price when the tape trades *through* it (strictly better), as a maker.
/// - Stop-market orders trigger on trade price (sell stop at or below, buy stop at or above) and fill at that
///   tick plus slippage; take-profit-market the other way round.
/// - Reduce-only orders never open or increase a position: their quantity is capped at the position, and they
///   are canceled when the position is gone.
/// - Orders reach the venue `latency` later in tape time.
///
/// Fills come back as the same `orderFilled` events a live webhook would bring. Pure value type: time comes in
/// on the ticks and calls.
public struct SimulatedVenue: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Price penalty applied to every taker fill (market and triggered orders).
        public var slippage: Slippage
        /// Fee rate for resting (limit) fills, as a fraction of notional (0.0002 = 2 bps).
        public var makerFeeRate: Double
        /// Fee rate for taker fills.
        public var takerFeeRate: Double
        /// Time from the command to the order being live at the venue.
        public var latency: Timestamp.Duration
        /// The instrument's price grid, used for slippage in ticks and to keep fill prices on the grid.
        public var tickSize: Price
        /// Fee asset reported on fills.
        public var feeAsset: String

        public init(
            slippage: Slippage = .none, makerFeeRate: Double = 0.0002, takerFeeRate: Double = 0.0005,
            latency: Timestamp.Duration = .init(nanoseconds: 0), tickSize: Price = Price("0.01")!,
            feeAsset: String = "USDT"
        ) {
            self.slippage = slippage
            self.makerFeeRate = makerFeeRate
            self.takerFeeRate = takerFeeRate
            self.latency = latency
            self.tickSize = tickSize
            self.feeAsset = feeAsset
        }
    }

    /// An order resting at the venue.
    public struct RestingOrder: Sendable, Hashable {
        public var intent: OrderIntent
        public var venueOrderID: String
        /// Tape time from which the order can match.
        public var activeFrom: Timestamp
        public var filled: Quantity
        public var remaining: Quantity { intent.quantity - filled }
    }

    public let symbol: String
    public var configuration: Configuration
    /// Working orders in arrival order (arrival order decides who fills first on the same tick).
    public private(set) var openOrders: [RestingOrder] = []
    /// The venue's position: signed quantity.
    public private(set) var position: Quantity = .zero
    /// Last trade price seen.
    public private(set) var lastPrice: Price?
    private var nextOrderNumber: Int64 = 1
    private var nextTradeNumber: Int64 = 1
    private var knownIDs: Set<ClientOrderID> = []

    public init(symbol: String, configuration: Configuration = .init()) {
        self.symbol = symbol
        self.configuration = configuration
    }

    /// Receives an order. Returns `orderAccepted`, or `orderRejected` with the reason.
    public mutating func submit(_ intent: OrderIntent, at time: Timestamp) -> [EngineEvent] {
        if knownIDs.contains(intent.clientOrderID) {
            // Binance answers -4116 for a reused client id: the retry of an order never doubles it.
            return [
                .orderRejected(
                    OrderRejected(clientOrderID: intent.clientOrderID, reason: "duplicate clientOrderId", time: time))
            ]
        }
        if let (reason, kind) = rejection(of: intent) {
            return [
                .orderRejected(
                    OrderRejected(clientOrderID: intent.clientOrderID, reason: reason, kind: kind, time: time))
            ]
        }
        knownIDs.insert(intent.clientOrderID)
        let venueID = "\(nextOrderNumber)"
        nextOrderNumber += 1
        openOrders.append(
            RestingOrder(intent: intent, venueOrderID: venueID, activeFrom: time + configuration.latency, filled: .zero)
        )
        return [.orderAccepted(OrderAccepted(clientOrderID: intent.clientOrderID, venueOrderID: venueID, time: time))]
    }

    /// Cancels a working order. Unknown or finished orders are rejected (Binance `-2011`).
    public mutating func cancel(_ id: ClientOrderID, at time: Timestamp, reason: String? = nil) -> [EngineEvent] {
        guard let index = openOrders.firstIndex(where: { $0.intent.clientOrderID == id }) else {
            return [.orderRejected(OrderRejected(clientOrderID: id, reason: "unknown order (cancel)", time: time))]
        }
        openOrders.remove(at: index)
        return [.orderCanceled(OrderCanceled(clientOrderID: id, reason: reason, time: time))]
    }

    /// Matches working orders against one trade; returns fills and reduce-only cancellations.
    public mutating func process(_ tick: Tick) -> [EngineEvent] {
        lastPrice = tick.price
        guard !openOrders.isEmpty else { return [] }
        var events: [EngineEvent] = []
        var index = 0
        while index < openOrders.count {
            let order = openOrders[index]
            guard order.activeFrom <= tick.time, let (price, isMaker) = execution(of: order.intent, on: tick) else {
                index += 1
                continue
            }
            var quantity = order.remaining
            if order.intent.reduceOnly {
                let closable = closableQuantity(for: order.intent.side)
                if closable.raw <= 0 {
                    openOrders.remove(at: index)
                    events.append(
                        .orderCanceled(
                            OrderCanceled(
                                clientOrderID: order.intent.clientOrderID, reason: "reduce-only: no position",
                                time: tick.time)))
                    continue
                }
                if closable < quantity { quantity = closable }
            }
            let notional = Money.notional(price, quantity)
            let fee = notional.scaled(by: isMaker ? configuration.makerFeeRate : configuration.takerFeeRate)
            position += Quantity(raw: quantity.raw * order.intent.side.sign, precision: quantity.precision)
            let filled = order.filled + quantity
            let isFinal = filled >= order.intent.quantity || order.intent.reduceOnly
            let tradeID = "sim-\(nextTradeNumber)"
            nextTradeNumber += 1
            events.append(
                .orderFilled(
                    OrderFilled(
                        symbol: symbol, clientOrderID: order.intent.clientOrderID, venueOrderID: order.venueOrderID,
                        tradeID: tradeID, side: order.intent.side, price: price, quantity: quantity,
                        cumulativeQuantity: filled, isFinal: isFinal, fee: fee, feeAsset: configuration.feeAsset,
                        time: tick.time)))
            if isFinal {
                openOrders.remove(at: index)
            } else {
                openOrders[index].filled = filled
                index += 1
            }
        }
        return events
    }

    /// The venue's picture for a reconciliation read: its position (at `entryPrice`, which the matching engine
    /// does not keep) and its working orders.
    public func state(answering request: ReconcileRequest, entryPrice: Price, time: Timestamp) -> VenueState {
        VenueState(
            symbol: request.symbol, quantity: position, entryPrice: entryPrice,
            openOrders: openOrders.map {
                VenueState.OpenOrder(
                    clientOrderID: $0.intent.clientOrderID, filledQuantity: $0.filled,
                    conditional: $0.intent.type.isConditional)
            }, fenceSequence: request.fenceSequence, reason: request.reason, requestID: request.id, time: time)
    }

    /// Sets the venue's position (paper venue restart, reconciliation tests).
    public mutating func setPosition(_ quantity: Quantity) { position = quantity }

    private func closableQuantity(for side: Side) -> Quantity {
        // A buy reduces a short; a sell reduces a long.
        side == .buy
            ? Quantity(raw: max(0, -position.raw), precision: position.precision)
            : Quantity(raw: max(0, position.raw), precision: position.precision)
    }

    private func rejection(of intent: OrderIntent) -> (String, OrderRejected.Kind)? {
        guard intent.symbol == symbol else { return ("unknown symbol \(intent.symbol)", .refused) }
        guard intent.quantity.raw > 0 else { return ("quantity must be positive", .refused) }
        switch intent.type {
        case .limit(let price), .stopMarket(let price), .takeProfitMarket(let price):
            guard price.raw > 0 else { return ("price must be positive", .refused) }
        case .market: break
        }
        if intent.reduceOnly && closableQuantity(for: intent.side).raw <= 0 && !intent.type.isConditional {
            return ("ReduceOnly Order is rejected.", .contradictsPosition)  // Binance -2022
        }
        return nil
    }

    /// The fill price and liquidity role if `intent` executes on `tick`, else nil.
    private func execution(of intent: OrderIntent, on tick: Tick) -> (Price, isMaker: Bool)? {
        let p = tick.price
        switch intent.type {
        case .market:
            return (slipped(p, side: intent.side), false)
        case .limit(let limit):
            let through = intent.side == .buy ? p < limit : p > limit
            return through ? (limit, true) : nil
        case .stopMarket(let trigger):
            let hit = intent.side == .sell ? p <= trigger : p >= trigger
            return hit ? (slipped(p, side: intent.side), false) : nil
        case .takeProfitMarket(let trigger):
            let hit = intent.side == .sell ? p >= trigger : p <= trigger
            return hit ? (slipped(p, side: intent.side), false) : nil
        }
    }

    private func slipped(_ price: Price, side: Side) -> Price {
        let adverse: Int64
        switch configuration.slippage {
        case .none: return price
        case .ticks(let n): adverse = configuration.tickSize.raw * Int64(n)
        case .basisPoints(let bps):
            let raw = (Double(price.raw) * bps / 10_000).rounded(.up)
            // Keep the fill on the price grid: round the penalty up to whole ticks.
            let tick = configuration.tickSize.raw
            adverse = tick > 0 ? (Int64(raw) + tick - 1) / tick * tick : Int64(raw)
        }
        let precision = max(price.precision, configuration.tickSize.precision)
        return Price(raw: price.raw + adverse * side.sign, precision: precision)
    }
}

/// Adverse price movement charged on taker fills.
public enum Slippage: Sendable, Hashable {
    case none
    /// Whole ticks of the instrument.
    case ticks(Int)
    /// Basis points of the price, rounded up to whole ticks.
    case basisPoints(Double)

    /// Parses `0`, `2t` / `2ticks`, `1.5bps`.
    public init?(_ text: String) {
        if text == "0" || text == "none" {
            self = .none
        } else if text.hasSuffix("bps"), let v = Double(text.dropLast(3)), v >= 0, v.isFinite {
            self = .basisPoints(v)
        } else if text.hasSuffix("ticks"), let n = Int(text.dropLast(5)), n >= 0 {
            self = .ticks(n)
        } else if text.hasSuffix("t"), let n = Int(text.dropLast(1)), n >= 0 {
            self = .ticks(n)
        } else {
            return nil
        }
    }
}
