/// The order paths the engine budgets and halts separately: a runaway loop on one leaves the others working.
public enum OrderPath: String, Hashable, Sendable, Codable, CaseIterable {
    case entry, exit, protection, cancel

    init(_ purpose: OrderPurpose) {
        switch purpose {
        case .entry: self = .entry
        case .stopLoss, .takeProfit: self = .protection
        case .exit, .reduce, .flatten: self = .exit
        }
    }
}

extension Engine {
    /// Refusals in a row on one path after which the path halts (the entry path pauses entries instead).
    static let maximumPathRejections = 5
    /// Orders an entry leaves in the budget for what it brings: a stop-loss, a take-profit, one cancel and a close
    /// (a stop the price has already passed is replaced by a market close).
    static let entryReserve = 4
    static let orphanReason = "orphan at the venue"

    /// The clock of the order budget: the runtime's timer (wall time, live) once timers come, else event time
    /// (market time in a backtest, which has no timer).
    var budgetTime: Timestamp { budgetClock ?? lastTime ?? Timestamp(nanoseconds: 0) }

    /// Orders the budget still allows in the current 60 s, nil when there is no limit.
    mutating func budgetRemaining() -> Int? {
        guard let limit = configuration.risk.maxOrdersPerMinute else { return nil }
        let now = budgetTime.nanoseconds
        // The timer's clock advances in steps of its period (1 s): an order is kept a step longer, so no 60 s of
        // wall time ever holds more than the limit.
        let window: Int64 = budgetClock == nil ? 60_000_000_000 : 61_000_000_000
        if let first = recentOrderTimes.first, now - first.nanoseconds >= window {
            recentOrderTimes.removeAll { now - $0.nanoseconds >= window }
        }
        return limit - recentOrderTimes.count
    }

    /// Whether `count` orders of `path` may go now (keeping `reserve` for later ones); says once when the budget
    /// holds an order back, and spends nothing.
    mutating func admits(_ count: Int, path: OrderPath, reserve: Int = 0, time: Timestamp, _ out: inout [EngineCommand])
        -> Bool
    {
        guard let remaining = budgetRemaining(), let limit = configuration.risk.maxOrdersPerMinute else {
            return true
        }
        let kept = min(reserve, max(0, limit - count))
        if remaining - kept >= count {
            budgetHeld = nil
            return true
        }
        if budgetHeld == nil {
            budgetHeld = path.rawValue
            out.append(
                .notify(
                    Notice(
                        level: .warning, kind: "orderBudgetSpent",
                        message:
                            "order budget of \(limit) a minute spent; \(path.rawValue) orders wait for it (said once until it frees)",
                        time: time)))
        }
        return false
    }

    mutating func spendBudget() {
        guard configuration.risk.maxOrdersPerMinute != nil else { return }
        recentOrderTimes.append(budgetTime)
    }

    func isHalted(_ path: OrderPath) -> Bool { haltedPaths?.contains(path.rawValue) ?? false }

    /// Counts a refusal on `path`; the fifth in a row halts it with one critical line (protection stays).
    mutating func countRejection(_ path: OrderPath, reason: String, time: Timestamp, _ out: inout [EngineCommand]) {
        var counts = pathRejections ?? [:]
        let count = (counts[path.rawValue] ?? 0) + 1
        counts[path.rawValue] = count
        pathRejections = counts
        guard count >= Self.maximumPathRejections, !isHalted(path) else { return }
        haltedPaths = (haltedPaths ?? []) + [path.rawValue]
        out.append(
            .notify(
                Notice(
                    level: .critical, kind: "orderPathHalted",
                    message:
                        "\(path.rawValue) orders halted after \(count) refusals in a row (last: \(reason)); protection stays; fix the cause, then resume",
                    time: time)))
    }

    mutating func clearRejections(_ path: OrderPath) {
        guard pathRejections?[path.rawValue] != nil else { return }
        pathRejections?[path.rawValue] = nil
    }

    /// Sends a cancel now if the budget allows, else queues it for the next event.
    mutating func emitCancel(_ request: CancelRequest, time: Timestamp, _ out: inout [EngineCommand]) {
        if admits(1, path: .cancel, time: time, &out) {
            spendBudget()
            out.append(.cancel(request))
        } else {
            queuedCancels = (queuedCancels ?? []) + [request]
        }
    }

    /// Work the budget or a reconciliation held back: queued cancels first (they remove exposure), then
    /// protection of an open position.
    mutating func resumeDeferred(time: Timestamp, _ out: inout [EngineCommand]) {
        if var queued = queuedCancels, !queued.isEmpty {
            // A queued cancel of an order that has finished meanwhile has nothing left to do.
            queued.removeAll { request in
                request.reason != Self.orphanReason
                    && !workingOrders.contains { $0.intent.clientOrderID == request.clientOrderID }
            }
            while let next = queued.first, admits(1, path: .cancel, time: time, &out) {
                spendBudget()
                out.append(.cancel(next))
                queued.removeFirst()
            }
            queuedCancels = queued.isEmpty ? nil : queued
        }
        if flattenPending == true && !reconciling {
            flattenPending = nil
            flatten(reason: "flatten (held by the order budget)", time: time, &out)
        }
        if protectionDeferred == true {
            protectionDeferred = nil
            protect(time: time, &out)
        }
    }

    var hasDeferredWork: Bool { queuedCancels != nil || protectionDeferred == true || flattenPending == true }
}
