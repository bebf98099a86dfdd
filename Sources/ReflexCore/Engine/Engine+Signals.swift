extension Engine {
    /// Per-tick decisions: exits for an open trend position, entries when flat.
    mutating func evaluate(price: Price, time: Timestamp, _ out: inout [EngineCommand]) {
        if configuration.risk.maxDailyLoss != nil && !position.isFlat { checkDailyLoss(time: time, &out) }
        if !position.isFlat {
            manageOpenPosition(price: price.doubleValue, time: time, &out)
            return
        }
        guard !paused, riskHalt == nil, barsClosed > lastExitBar, !workingOrders.hasLive(purpose: .entry), !reconciling,
            entryRetryAfter.map({ time >= $0 }) ?? true, let channel = entryChannel.value,
            let atr = averageTrueRange.value, atr > 0
        else { return }
        let p = price.doubleValue
        let side: Side
        switch mode {
        case .trend:
            // Breakout of the previous channel.
            if p > channel.upper {
                side = .buy
            } else if p < channel.lower {
                side = .sell
            } else {
                return
            }
        case .range:
            // Fade the edges towards the middle.
            if p >= channel.upper {
                side = .sell
            } else if p <= channel.lower {
                side = .buy
            } else {
                return
            }
        }
        enter(side: side, price: price, channel: channel, atr: atr, time: time, &out)
    }

    mutating func enter(
        side: Side, price: Price, channel: DonchianChannel.Value, atr: Double, time: Timestamp,
        _ out: inout [EngineCommand]
    ) {
        let p = price.doubleValue
        let stopDistance: Double
        var takeProfitDistance: Double?
        var target: Double?
        switch mode {
        case .trend:
            stopDistance = strategy.stopATR * atr
            takeProfitDistance = strategy.takeProfitATR * atr
        case .range:
            // Stop outside the channel, target the middle.
            let stop =
                side == .sell
                ? max(p, channel.upper) + strategy.stopATR * atr : min(p, channel.lower) - strategy.stopATR * atr
            stopDistance = abs(stop - p)
            target = channel.middle
            guard side == .sell ? channel.middle < p : channel.middle > p else { return }
        }
        guard stopDistance > 0,
            let quantity = Self.size(
                price: price, stopDistance: stopDistance, equity: equity, strategy: strategy, risk: configuration.risk)
        else { return }
        // Room for the entry and for the protection its fill brings.
        guard admits(1, path: .entry, reserve: Self.entryReserve, time: time, &out) else { return }
        plan = TradePlan(
            mode: mode, side: side, stopDistance: stopDistance, takeProfitDistance: takeProfitDistance, target: target,
            atr: atr, extreme: p)
        place(side: side, type: .market, quantity: quantity, reduceOnly: false, purpose: .entry, time: time, &out)
    }

    /// Risk a fixed fraction of equity over the stop distance, capped by leverage and notional limits,
    /// rounded down to the step size; nil when the result is below the instrument's minimums.
    /// (Static so that calling it from the hot path does not copy the engine.)
    static func size(
        price: Price, stopDistance: Double, equity equityMoney: Money, strategy: StrategyParameters, risk: RiskLimits
    ) -> Quantity? {
        let equity = equityMoney.doubleValue
        let p = price.doubleValue
        guard equity > 0, p > 0 else { return nil }
        var units = strategy.riskFraction * equity / stopDistance
        units = min(units, strategy.maxLeverage * equity / p)
        if let cap = strategy.maxNotional { units = min(units, cap.doubleValue / p) }
        if let cap = risk.maxPositionNotional { units = min(units, cap.doubleValue / p) }
        if let lev = risk.maxLeverage { units = min(units, lev * equity / p) }
        let instrument = strategy.instrument
        guard units.isFinite, units > 0, let approx = Quantity(approximating: units) else { return nil }
        let quantity = approx.rounded(toMultipleOf: instrument.stepSize, .down)
        guard instrument.accepts(quantity: quantity, price: price.rounded(toMultipleOf: instrument.tickSize, .nearest))
        else { return nil }
        return quantity
    }

    /// Trend exits: the opposite edge of the shorter channel, or the ATR trailing stop.
    mutating func manageOpenPosition(price p: Double, time: Timestamp, _ out: inout [EngineCommand]) {
        guard var plan, plan.mode == .trend,
            !hasWorkingOrder(where: { !$0.intent.purpose.isProtective && $0.intent.reduceOnly })
        else { return }
        // A refused exit is tried again on a later bar, not on every trade; none while the venue is read.
        guard !reconciling, !isHalted(.exit), exitRetryBar.map({ barsClosed > $0 }) ?? true else { return }
        let long = position.quantity.raw > 0
        plan.extreme = long ? max(plan.extreme, p) : min(plan.extreme, p)
        self.plan = plan
        let trail = strategy.trailingATR * plan.atr
        var reason: String?
        if long {
            if let exit = exitChannel.value, p < exit.lower {
                reason = "below the \(strategy.exitChannelLength)-bar low"
            }
            if p <= plan.extreme - trail { reason = "trailing stop" }
        } else {
            if let exit = exitChannel.value, p > exit.upper {
                reason = "above the \(strategy.exitChannelLength)-bar high"
            }
            if p >= plan.extreme + trail { reason = "trailing stop" }
        }
        guard let reason else { return }
        if place(
            side: position.closingSide, type: .market, quantity: position.quantity.magnitude, reduceOnly: true,
            purpose: .exit, time: time, &out)
        {
            out.append(.notify(Notice(level: .info, kind: "exit", message: "trend exit: \(reason)", time: time)))
        }
    }

    // MARK: - Orders

    /// The next deterministic client order id: prefix, sequence, purpose.
    mutating func nextOrderID(_ purpose: OrderPurpose) -> ClientOrderID {
        sequence += 1
        return ClientOrderID("\(configuration.orderIDPrefix)-\(sequence)-\(purpose.idTag)")
    }

    /// Places an order if the order budget allows and, for anything but protection, the venue is not being read;
    /// false when it waits. Protection is never held for a read: an open position must not wait unprotected, and a
    /// stop for a position the read then finds gone is only cancelled.
    @discardableResult
    mutating func place(
        side: Side, type: OrderType, quantity: Quantity, reduceOnly: Bool, purpose: OrderPurpose, time: Timestamp,
        _ out: inout [EngineCommand]
    ) -> Bool {
        let path = OrderPath(purpose)
        guard path == .protection || !reconciling, admits(1, path: path, time: time, &out) else { return false }
        spendBudget()
        let intent = OrderIntent(
            clientOrderID: nextOrderID(purpose), symbol: strategy.symbol, side: side, type: type, quantity: quantity,
            reduceOnly: reduceOnly, purpose: purpose, time: time)
        workingOrders.append(WorkingOrder(intent: intent))
        out.append(.place(intent))
        return true
    }

    mutating func cancelOrders(
        where predicate: (WorkingOrder) -> Bool, reason: String, time: Timestamp, _ out: inout [EngineCommand]
    ) {
        for index in workingOrders.indices
        where !workingOrders[index].cancelRequested && predicate(workingOrders[index]) {
            workingOrders[index].cancelRequested = true
            let intent = workingOrders[index].intent
            emitCancel(
                CancelRequest(
                    clientOrderID: intent.clientOrderID, symbol: intent.symbol, reason: reason,
                    conditional: intent.type.isConditional), time: time, &out)
        }
    }

    func hasWorkingOrder(where predicate: (WorkingOrder) -> Bool) -> Bool {
        workingOrders.contains { !$0.cancelRequested && predicate($0) }
    }
}

extension [WorkingOrder] {
    /// An order of this purpose that is not being cancelled.
    func hasLive(purpose: OrderPurpose) -> Bool {
        contains { $0.intent.purpose == purpose && !$0.cancelRequested }
    }
}
