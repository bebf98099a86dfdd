extension Engine {
    /// How long the newest position snapshot may disagree with the local fills before the venue is read: long
    /// enough for a fill reported after its snapshot (webhooks overtake one another) to arrive.
    static let snapshotGrace: Int64 = 3_000_000_000
    /// An unanswered reconciliation is asked again after this long; a failed one is retried after `retryDelay`.
    static let reconcileTimeout: Int64 = 30_000_000_000
    static let reconcileRetryDelay: Int64 = 5_000_000_000

    var sync: PositionSync {
        get { positionSync ?? PositionSync() }
        set { positionSync = newValue }
    }

    /// True while the engine waits for the venue's picture: no order leaves for the symbol meanwhile.
    public var reconciling: Bool { awaitingVenue == true }

    /// The sequence number inside one of this engine's client order ids (`prefix-SEQ-tag`), nil for another's.
    func sequenceNumber(of id: ClientOrderID) -> Int64? {
        let prefix = configuration.orderIDPrefix
        let raw = id.rawValue.utf8
        guard raw.count > prefix.utf8.count + 1, raw.starts(with: prefix.utf8) else { return nil }
        var rest = raw.dropFirst(prefix.utf8.count)
        guard rest.first == UInt8(ascii: "-") else { return nil }
        rest = rest.dropFirst()
        var value: Int64 = 0
        var digits = 0
        for byte in rest {
            if byte == UInt8(ascii: "-") { break }
            guard byte >= 48 && byte <= 57, digits < 18 else { return nil }
            value = value * 10 + Int64(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// Asks the runtime to read the venue (once: a request in flight covers later reasons too).
    mutating func requestReconcile(reason: String, time: Timestamp, _ out: inout [EngineCommand]) {
        var s = sync
        guard s.pending == nil else { return }
        s.requestsMade += 1
        let request = ReconcileRequest(
            id: s.requestsMade, symbol: strategy.symbol, reason: reason, fenceSequence: sequence)
        s.pending = PositionSync.Pending(request: request, requestedAt: budgetTime)
        s.wanted = nil
        s.retryAt = nil
        sync = s
        out.append(.reconcile(request))
    }

    /// Forgets a reconciliation asked for before a restart: its answer will never come (the runtime calls this
    /// on the recovered engine, before the journal's first snapshot).
    public mutating func abandonPendingReconciliation() {
        guard var s = positionSync, let pending = s.pending else { return }
        s.pending = nil
        s.wanted = s.wanted ?? pending.request.reason
        positionSync = s
    }

    /// Whether a fill is already contained in the last reconciliation read (and so must not move the position);
    /// a contained part of a still-open order's fills is used up, and the fill counted.
    mutating func takeContained(_ fill: OrderFilled) -> Bool {
        guard var s = positionSync, var fence = s.fence, let number = sequenceNumber(of: fill.clientOrderID),
            number <= fence.sequence
        else { return false }
        let id = fill.clientOrderID.rawValue
        if let allowance = fence.openFilled[id] {
            guard allowance >= fill.quantity, allowance.raw > 0 else { return false }
            fence.openFilled[id] = allowance - fill.quantity
            s.fence = fence
        }
        s.containedFills += 1
        s.newestFillTime = max(s.newestFillTime ?? fill.time, fill.time)
        positionSync = s
        return true
    }

    /// Records an applied fill and re-checks the newest snapshot against the position.
    mutating func noteApplied(_ fill: OrderFilled) {
        var s = sync
        s.record(PositionSync.AppliedFill(time: fill.time, side: fill.side, quantity: fill.quantity))
        s.newestFillTime = max(s.newestFillTime ?? fill.time, fill.time)
        sync = s
        checkSnapshot()
    }

    /// Compares the newest snapshot plus the fills after it with the local position; a difference starts the
    /// grace period (a fill on its way ends it).
    mutating func checkSnapshot() {
        var s = sync
        guard let snapshot = s.latestSnapshot else { return }
        var expected = snapshot.quantity
        for fill in s.recentFills where fill.time > snapshot.time { expected += fill.signed }
        if expected == position.quantity {
            s.suspectSince = nil
        } else if s.suspectSince == nil {
            s.suspectSince = budgetTime
        }
        sync = s
    }

    /// A position snapshot from a stream or webhook: ordered by venue time, never adopted directly.
    mutating func onPositionUpdate(_ update: PositionUpdate, _ out: inout [EngineCommand]) {
        guard update.symbol == strategy.symbol else { return }
        var s = sync
        // Older than what the engine already reflects: the newest snapshot, or the last reconciliation's read.
        if let floor = s.latestSnapshot?.time ?? s.snapshotFloor, update.time < floor {
            s.staleSnapshots += 1
            sync = s
            return
        }
        s.latestSnapshot = update
        sync = s
        if let mark = update.markPrice { lastPrice = mark }
        checkSnapshot()
        if let ratio = update.marginRatio, ratio >= configuration.risk.marginDefence.threshold, !position.isFlat {
            defendMargin(
                ratio: ratio, mark: update.markPrice ?? lastPrice, source: "own estimate", time: update.time, &out)
        }
    }

    /// Once a second (timer): a snapshot that kept disagreeing, an unanswered or failed reconciliation.
    mutating func onTimerSync(time: Timestamp, _ out: inout [EngineCommand]) {
        guard let s = positionSync else { return }
        let now = budgetTime.nanoseconds
        if let pending = s.pending {
            // No answer: ask again (the answer to this one, should it still come, is then ignored).
            if now - pending.requestedAt.nanoseconds >= Self.reconcileTimeout {
                var t = s
                t.pending = nil
                sync = t
                requestReconcile(reason: pending.request.reason, time: time, &out)
            }
            return
        }
        if let wanted = s.wanted, now >= (s.retryAt?.nanoseconds ?? 0) {
            requestReconcile(reason: wanted, time: time, &out)
            return
        }
        if let since = s.suspectSince, now - since.nanoseconds >= Self.snapshotGrace, let snapshot = s.latestSnapshot {
            requestReconcile(
                reason:
                    "the venue's position update (\(snapshot.quantity) at \(snapshot.time.milliseconds)) disagrees with the local \(position.quantity)",
                time: time, &out)
        }
    }

    mutating func onReconciliationFailed(_ failure: ReconciliationFailed, _ out: inout [EngineCommand]) {
        guard failure.symbol == strategy.symbol else { return }
        var s = sync
        let reason = s.pending?.request.reason ?? "reconciliation"
        s.pending = nil
        s.wanted = reason
        s.retryAt = Timestamp(nanoseconds: budgetTime.nanoseconds + Self.reconcileRetryDelay)
        sync = s
        out.append(
            .notify(
                Notice(
                    level: .warning, kind: "reconciliationFailed",
                    message: "could not read the venue (\(failure.reason)); orders held, retrying in 5 s",
                    time: failure.time)))
    }

    /// The venue's position and open orders: adopted, and fenced so that fills the read contains are not applied
    /// again when they arrive later.
    mutating func onVenueState(_ state: VenueState, _ out: inout [EngineCommand]) {
        guard state.symbol == strategy.symbol else { return }
        var s = sync
        if let id = state.requestID, id != s.pending?.request.id {
            // Overtaken by a newer request (or answered twice): the newer read decides.
            s.overtakenAnswers += 1
            sync = s
            return
        }
        s.pending = nil
        s.wanted = nil
        s.retryAt = nil
        s.reconciliations += 1
        let venueOrders = Dictionary(state.openOrders.map { ($0.clientOrderID, $0) }, uniquingKeysWith: { a, _ in a })
        var differences: [String] = []
        var venuePosition = Position(quantity: state.quantity, entryPrice: state.entryPrice)
        var openFilled: [String: Quantity] = [:]

        // Of each order still open at the read, the part the venue had filled that the engine has not seen yet is
        // in the read: its fills, when they come, are contained (up to that much); later ones are new.
        let seen = Dictionary(
            workingOrders.map { ($0.intent.clientOrderID, $0.filled) }, uniquingKeysWith: { a, _ in a })
        for listed in state.openOrders {
            guard let number = sequenceNumber(of: listed.clientOrderID), number <= state.fenceSequence else { continue }
            let unseen = listed.filledQuantity - (seen[listed.clientOrderID] ?? .zero)
            openFilled[listed.clientOrderID.rawValue] = unseen.raw > 0 ? unseen : .zero
        }

        // Working orders: keep what the venue has, drop what it finished (their fills are in the read).
        var kept: [WorkingOrder] = []
        for var order in workingOrders {
            let id = order.intent.clientOrderID
            if let listed = venueOrders[id] {
                order.accepted = true
                if order.filled > listed.filledQuantity {
                    // Fills the engine has seen beyond what the read shows happened after it: on top of the read.
                    _ = venuePosition.apply(
                        side: order.intent.side, quantity: order.filled - listed.filledQuantity,
                        price: lastPrice ?? state.entryPrice)
                } else {
                    order.filled = listed.filledQuantity
                }
                kept.append(order)
            } else if let number = sequenceNumber(of: id), number > state.fenceSequence {
                kept.append(order)  // placed after the read was asked for
            }
        }
        workingOrders = kept
        let known = Set(kept.map(\.intent.clientOrderID))
        for listed in state.openOrders where !known.contains(listed.clientOrderID) {
            if sequenceNumber(of: listed.clientOrderID) != nil {
                // Ours, but unknown to the engine (sent just before a crash, or forgotten after an unknown
                // outcome): cancel rather than guess what it was for.
                differences.append("order \(listed.clientOrderID) at the venue unknown locally: cancelled")
                emitCancel(
                    CancelRequest(
                        clientOrderID: listed.clientOrderID, symbol: strategy.symbol, reason: Self.orphanReason,
                        conditional: listed.conditional), time: state.time, &out)
            } else {
                differences.append("order \(listed.clientOrderID) at the venue is not this bot's: left alone")
            }
        }
        if venuePosition.quantity != position.quantity {
            differences.append(
                "position: venue \(venuePosition.quantity) @ \(state.entryPrice), local \(position.quantity)")
            position = venuePosition
        }
        s.fence = PositionSync.Fence(sequence: state.fenceSequence, openFilled: openFilled)
        s.suspectSince = nil
        s.latestSnapshot = nil
        s.recentFills = []
        s.snapshotFloor = s.newestFillTime
        s.differences += differences.count
        sync = s
        if !differences.isEmpty {
            out.append(
                .notify(
                    Notice(
                        level: .warning, kind: "reconciliationDifference",
                        message:
                            "reconciled with the venue (\(state.reason)): \(differences.joined(separator: "; ")); adopted the venue's",
                        time: state.time)))
            // A refusal the difference explains is not the path's fault: exits and protection may go again. (One
            // the read does not explain keeps counting towards the path's halt.)
            pathRejections = nil
            exitRetryBar = nil
        }
        if position.isFlat {
            plan = nil
            cancelOrders(
                where: { $0.intent.reduceOnly && $0.intent.type != .market }, reason: "flat at the venue",
                time: state.time, &out)
        } else if flattenPending != true {
            protect(time: state.time, &out)
        }
    }
}
