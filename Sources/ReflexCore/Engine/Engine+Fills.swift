extension Engine {
    mutating func onAccepted(_ event: OrderAccepted) {
        guard let index = workingOrders.firstIndex(where: { $0.intent.clientOrderID == event.clientOrderID }) else {
            return
        }
        workingOrders[index].accepted = true
        workingOrders[index].venueOrderID = event.venueOrderID ?? workingOrders[index].venueOrderID
        let path = OrderPath(workingOrders[index].intent.purpose)
        if path != .entry { clearRejections(path) }
    }

    mutating func onRejected(_ event: OrderRejected, _ out: inout [EngineCommand]) {
        guard let index = workingOrders.firstIndex(where: { $0.intent.clientOrderID == event.clientOrderID }) else {
            out.append(
                .notify(
                    Notice(
                        level: .warning, kind: "rejectedUnknown", message: "\(event.clientOrderID): \(event.reason)",
                        time: event.time)))
            return
        }
        let order = workingOrders.remove(at: index)
        let purpose = order.intent.purpose
        if event.kind == .contradictsPosition && order.intent.reduceOnly && (position.isFlat || order.cancelRequested) {
            // Nothing to reduce, and the engine knows it: a stop or exit that lost the race against the close.
            return
        }
        if event.kind == .outcomeUnknown || (event.kind == .contradictsPosition && order.intent.reduceOnly) {
            // Retrying cannot settle this; the venue's own picture can. Said once, as a warning: it is a race the
            // bot resolves, not a failure.
            if !reconciling {
                out.append(
                    .notify(
                        Notice(
                            level: .warning, kind: "reconcileOnAnswer",
                            message:
                                "\(purpose.rawValue) \(event.clientOrderID): \(event.reason); local position \(position.quantity); reading the venue before any further order",
                            time: event.time)))
            }
            if purpose == .entry && position.isFlat { plan = nil }
            if order.intent.reduceOnly && !order.cancelRequested {
                // Counted: a contradiction the read does not explain (a dust position, a hedge-mode account) must
                // end in the path's halt, not in a loop of orders and reads. A read that finds a difference clears it.
                if OrderPath(purpose) == .exit { exitRetryBar = barsClosed }
                countRejection(OrderPath(purpose), reason: event.reason, time: event.time, &out)
            }
            requestReconcile(
                reason: "\(purpose.rawValue) \(event.clientOrderID): \(event.reason)", time: event.time, &out)
            return
        }
        if order.cancelRequested {
            // A cancel that lost the race against a fill or was already gone: nothing to do.
            return
        }
        if event.kind == .heldByLimit {
            // Not the venue's refusal: try again on a later bar (market time), without counting towards a pause.
            if position.isFlat { plan = nil }
            entryRetryAfter = Timestamp(
                nanoseconds: (lastTickTime ?? event.time).nanoseconds + strategy.barInterval.nanoseconds)
            out.append(
                .notify(
                    Notice(
                        level: .info, kind: "entryHeld", message: "\(event.clientOrderID): \(event.reason)",
                        time: event.time)))
            return
        }
        switch purpose {
        case .entry:
            if position.isFlat { plan = nil }
            out.append(
                .notify(
                    Notice(
                        level: .warning, kind: "entryRejected", message: "\(event.clientOrderID): \(event.reason)",
                        time: event.time)))
            backOffAfterEntryRejection(reason: event.reason, time: event.time, &out)
        case .stopLoss, .takeProfit:
            // An unprotected position is the one thing the bot must not leave: close it. A trigger the price has
            // already passed is a fast market, not a fault: closing is what the order would have done.
            let passed = event.kind == .wouldTrigger
            out.append(
                .notify(
                    Notice(
                        level: passed ? .warning : .critical, kind: "protectionRejected",
                        message:
                            passed
                            ? "\(purpose.rawValue) \(event.clientOrderID): the price is already beyond its trigger (\(event.reason)); closing the position at market, as it would have"
                            : "\(purpose.rawValue) \(event.clientOrderID) rejected (\(event.reason)); closing the position",
                        time: event.time)))
            countRejection(.protection, reason: event.reason, time: event.time, &out)
            if !position.isFlat && !hasWorkingOrder(where: { $0.intent.purpose == .flatten }) && !isHalted(.exit) {
                // The close first; the other protective order stays until the close is on its way.
                if place(
                    side: position.closingSide, type: .market, quantity: position.quantity.magnitude, reduceOnly: true,
                    purpose: .flatten, time: event.time, &out)
                {
                    cancelOrders(
                        where: { $0.intent.purpose.isProtective }, reason: "protection failed", time: event.time, &out)
                } else {
                    flattenPending = true  // the budget holds it: it goes as soon as it frees
                }
            }
        case .exit, .reduce, .flatten:
            // Retry on a later bar rather than on every tick.
            lastExitBar = barsClosed
            exitRetryBar = barsClosed
            // A warning each; the fifth in a row halts the path with the one critical line.
            out.append(
                .notify(
                    Notice(
                        level: .warning, kind: "exitRejected",
                        message: "\(event.clientOrderID): \(event.reason); tried again on a later bar",
                        time: event.time)))
            countRejection(.exit, reason: event.reason, time: event.time, &out)
        }
    }

    mutating func onCanceled(_ event: OrderCanceled, _ out: inout [EngineCommand]) {
        guard let index = workingOrders.firstIndex(where: { $0.intent.clientOrderID == event.clientOrderID }) else {
            return
        }
        let order = workingOrders.remove(at: index)
        if order.intent.purpose == .entry && position.isFlat { plan = nil }
        if order.intent.purpose.isProtective && !order.cancelRequested && !position.isFlat {
            // Someone else removed our protection (operator on the exchange UI, expiry): put it back.
            out.append(
                .notify(
                    Notice(
                        level: .warning, kind: "protectionCanceled",
                        message:
                            "\(order.intent.clientOrderID) canceled outside the bot (\(event.reason ?? "no reason")); re-protecting",
                        time: event.time)))
            protect(time: event.time, &out)
        }
    }

    mutating func rememberTradeID(_ id: String) -> Bool {
        guard seenTradeIDs.insert(id).inserted else { return false }
        if seenTradeOrder.count < Self.rememberedTradeIDs {
            seenTradeOrder.append(id)
        } else {
            seenTradeIDs.remove(seenTradeOrder[seenTradeHead])
            seenTradeOrder[seenTradeHead] = id
            seenTradeHead = (seenTradeHead + 1) % Self.rememberedTradeIDs
        }
        return true
    }

    mutating func onFilled(_ fill: OrderFilled, _ out: inout [EngineCommand]) {
        guard fill.symbol == strategy.symbol else { return }
        guard rememberTradeID("\(fill.clientOrderID.rawValue)/\(fill.tradeID)") else { return }  // seen already
        fillCount += 1
        fees += fill.fee
        lastPrice = lastPrice ?? fill.price
        let index = workingOrders.firstIndex { $0.intent.clientOrderID == fill.clientOrderID }
        if takeContained(fill) {
            // The last reconciliation read already holds this fill (and the order's filled quantity, taken from the
            // read, includes it): nothing moves but the order's end.
            if let index, fill.isFinal { workingOrders.remove(at: index) }
            return
        }
        realizedPnl += position.apply(side: fill.side, quantity: fill.quantity, price: fill.price)
        noteApplied(fill)

        var purpose: OrderPurpose?
        if let index {
            purpose = workingOrders[index].intent.purpose
            workingOrders[index].filled += fill.quantity
            if fill.isFinal || workingOrders[index].filled >= workingOrders[index].intent.quantity {
                workingOrders.remove(at: index)
            }
        }
        if position.isFlat {
            // Flat: whatever protection is left has nothing to protect (one-cancels-the-other).
            plan = nil
            lastExitBar = barsClosed
            // Resting protection only: a reduce-only market order still in flight fills or expires on its own, and
            // cancelling it would just race its fill (and fail with "unknown order").
            cancelOrders(
                where: { $0.intent.reduceOnly && $0.intent.type != .market }, reason: "position closed",
                time: fill.time,
                &out)
            return
        }
        switch purpose {
        case .entry?:
            entryRejections = nil
            entryRetryAfter = nil
            if var plan {
                plan.extreme =
                    position.quantity.raw > 0
                    ? max(plan.extreme, fill.price.doubleValue) : min(plan.extreme, fill.price.doubleValue)
                self.plan = plan
            }
            protect(time: fill.time, &out)
        case nil:
            out.append(
                .notify(
                    Notice(
                        level: .warning, kind: "foreignFill",
                        message:
                            "fill of unknown order \(fill.clientOrderID) (\(fill.side.rawValue) \(fill.quantity) @ \(fill.price)); position now \(position.quantity)",
                        time: fill.time)))
            protect(time: fill.time, &out)
        case .stopLoss?, .takeProfit?, .exit?, .reduce?, .flatten?:
            break
        }
    }

    /// Places (or re-sizes) the stop-loss and take-profit for the whole open position, reduce-only.
    mutating func protect(time: Timestamp, _ out: inout [EngineCommand]) {
        guard !position.isFlat, let entry = position.averageEntry, !isHalted(.protection) else { return }
        let quantity = position.quantity.magnitude
        let long = position.quantity.raw > 0
        let protective = workingOrders.filter { $0.intent.purpose.isProtective && !$0.cancelRequested }
        if protective.count == 2 && protective.allSatisfy({ $0.intent.quantity == quantity }) { return }
        // Both orders (and the cancels of the old pair) or none; held back, it is placed as soon as it can be.
        guard admits(2 + protective.count, path: .protection, time: time, &out) else {
            protectionDeferred = true
            return
        }
        if plan == nil || plan!.side != (long ? .buy : .sell) {
            // A position the bot did not open (adopted, foreign fill): protect it with the current ATR.
            let atr = averageTrueRange.value ?? entry * 0.005
            plan = TradePlan(
                mode: mode, side: long ? .buy : .sell, stopDistance: strategy.stopATR * atr,
                takeProfitDistance: strategy.takeProfitATR * atr, target: nil, atr: atr, extreme: entry)
        }
        guard let plan else { return }
        cancelOrders(where: { $0.intent.purpose.isProtective }, reason: "resize protection", time: time, &out)
        let tick = strategy.instrument.tickSize
        let stopValue = long ? entry - plan.stopDistance : entry + plan.stopDistance
        let targetValue =
            plan.target ?? (long ? entry + (plan.takeProfitDistance ?? 0) : entry - (plan.takeProfitDistance ?? 0))
        let side: Side = long ? .sell : .buy
        if let stop = Price(approximating: max(stopValue, tick.doubleValue)) {
            // Round the stop away from the entry (never tighter than planned).
            let trigger = stop.rounded(toMultipleOf: tick, long ? .down : .up)
            place(
                side: side, type: .stopMarket(trigger: trigger), quantity: quantity, reduceOnly: true,
                purpose: .stopLoss,
                time: time, &out)
        }
        if let target = Price(approximating: max(targetValue, tick.doubleValue)) {
            let trigger = target.rounded(toMultipleOf: tick, .nearest)
            place(
                side: side, type: .takeProfitMarket(trigger: trigger), quantity: quantity, reduceOnly: true,
                purpose: .takeProfit, time: time, &out)
        }
    }

    mutating func onMarginWarning(_ warning: MarginWarning, _ out: inout [EngineCommand]) {
        guard warning.symbol == strategy.symbol else { return }
        lastPrice = warning.markPrice
        defendMargin(
            ratio: warning.marginRatio, mark: warning.markPrice, source: "venue warning", time: warning.time, &out)
    }

    mutating func defendMargin(
        ratio: Double, mark: Price?, source: String, time: Timestamp, _ out: inout [EngineCommand]
    ) {
        guard !position.isFlat else { return }
        let defence = configuration.risk.marginDefence
        if let last = lastMarginDefence, time.nanoseconds - last.nanoseconds < defence.cooldown.nanoseconds { return }
        let markText = mark.map { "\($0)" } ?? "unknown"
        switch defence.action {
        case .reduce(let fraction):
            let open = position.quantity.magnitude
            let step = strategy.instrument.stepSize
            var quantity = (Quantity(approximating: open.doubleValue * fraction) ?? open).rounded(
                toMultipleOf: step, .up)
            if quantity > open { quantity = open }
            guard !isHalted(.exit),
                place(
                    side: position.closingSide, type: .market, quantity: quantity, reduceOnly: true, purpose: .reduce,
                    time: time, &out)
            else { return }  // held back: the next warning tries again (the cooldown starts with an order sent)
            lastMarginDefence = time
            out.append(
                .notify(
                    Notice(
                        level: .critical, kind: "marginDefence",
                        message:
                            "margin ratio \(formatted(ratio)) (\(source)) at mark \(markText): reducing \(quantity) of \(open)",
                        time: time)))
        case .addMargin(let amount):
            lastMarginDefence = time
            out.append(.addMargin(symbol: strategy.symbol, amount: amount))
            out.append(
                .notify(
                    Notice(
                        level: .critical, kind: "marginDefence",
                        message:
                            "margin ratio \(formatted(ratio)) (\(source)) at mark \(markText): adding \(amount) margin",
                        time: time)))
        }
    }

    mutating func onLiquidation(_ event: Liquidation, _ out: inout [EngineCommand]) {
        guard event.symbol == strategy.symbol else { return }
        let before = position.quantity
        realizedPnl += position.apply(
            side: event.side, quantity: min(event.quantity, position.quantity.magnitude), price: event.price)
        if !position.isFlat { position = Position() }
        plan = nil
        paused = true
        cancelOrders(where: { _ in true }, reason: "liquidated", time: event.time, &out)
        out.append(
            .notify(
                Notice(
                    level: .critical, kind: "liquidation",
                    message: "position \(before) liquidated at \(event.price); local state flat, entries paused",
                    time: event.time)))
    }

    /// A rejected entry is retried no sooner than 1 s, 2 s, 4 s, 8 s of market time later; the fifth rejection in
    /// a row pauses entries (a venue that keeps saying "margin is insufficient" is not answered with an order on
    /// every trade). Market time, not the rejection's wall-clock time: a replay at any speed behaves the same.
    mutating func backOffAfterEntryRejection(reason: String, time: Timestamp, _ out: inout [EngineCommand]) {
        let count = (entryRejections ?? 0) + 1
        entryRejections = count
        let now = lastTickTime ?? time
        if count >= Self.maximumEntryRejections {
            paused = true
            entryRetryAfter = nil
            out.append(
                .notify(
                    Notice(
                        level: .critical, kind: "entriesPaused",
                        message:
                            "entries paused after \(count) rejections in a row (last: \(reason)); fix the cause, then resume",
                        time: time)))
        } else {
            entryRetryAfter = Timestamp(nanoseconds: now.nanoseconds + (Int64(1) << (count - 1)) * 1_000_000_000)
        }
    }
}
