public import ReflexCore
import Synchronization

/// Counters for `GET /metrics` (Prometheus text format), updated by the runtime's observer.
public final class RuntimeMetrics: Sendable {
    struct Counters {
        var ticks = 0
        var eventsByType: [String: Int] = [:]
        var ordersByOutcome: [String: Int] = [:]
        var webhookAnswers: [Int: Int] = [:]
        /// Tick → order latency histogram buckets (seconds).
        var latencyBuckets = [Int](repeating: 0, count: RuntimeMetrics.latencyBounds.count + 1)
        var latencySum = 0.0
        var latencyCount = 0
        /// The last 10 000 latencies (exact percentiles in `reflex status`), a ring once full: no shifting on the
        /// order path.
        var recentLatencies: [Double] = []
        var nextLatencySlot = 0
    }

    static let latencyBounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05]
    private let counters = Mutex(Counters())
    /// The execution layer's own counts (local refusals, look-ups after unknown outcomes), read when rendering.
    private let execution: (@Sendable () -> OrderExecution.Counters)?

    public init(execution: (@Sendable () -> OrderExecution.Counters)? = nil) { self.execution = execution }

    /// Counts one engine event and the commands it produced.
    public func observe(_ event: EngineEvent, _ commands: [EngineCommand]) {
        counters.withLock { c in
            if case .tick = event { c.ticks += 1 } else { c.eventsByType[event.kind, default: 0] += 1 }
            switch event {
            case .orderAccepted: c.ordersByOutcome["accepted", default: 0] += 1
            case .orderRejected: c.ordersByOutcome["rejected", default: 0] += 1
            case .orderFilled: c.ordersByOutcome["filled", default: 0] += 1
            case .orderCanceled: c.ordersByOutcome["canceled", default: 0] += 1
            default: break
            }
        }
    }

    /// Records the time from a tick's arrival to its order leaving.
    public func observeTickToOrder(seconds: Double) {
        counters.withLock { c in
            let index = Self.latencyBounds.firstIndex { seconds <= $0 } ?? Self.latencyBounds.count
            c.latencyBuckets[index] += 1
            c.latencySum += seconds
            c.latencyCount += 1
            if c.recentLatencies.count < 10_000 {
                c.recentLatencies.append(seconds)
            } else {
                c.recentLatencies[c.nextLatencySlot] = seconds
                c.nextLatencySlot = (c.nextLatencySlot + 1) % 10_000
            }
        }
    }

    /// Tick-to-order latency percentiles (seconds) over the last 10 000 orders; nil before the first.
    public func tickToOrderPercentiles() -> (p50: Double, p99: Double, count: Int)? {
        let samples = counters.withLock { $0.recentLatencies }.sorted()
        guard !samples.isEmpty else { return nil }
        func at(_ q: Double) -> Double {
            samples[min(samples.count - 1, Int((Double(samples.count) * q).rounded(.up)) - 1)]
        }
        return (at(0.5), at(0.99), samples.count)
    }

    public func observeWebhookAnswer(_ status: Int) { counters.withLock { $0.webhookAnswers[status, default: 0] += 1 } }

    /// - Parameter reconnects: WebSocket reconnects so far (the streams keep their own count).
    public func prometheusText(status: RuntimeStatus, reconnects: Int) -> String {
        let c = counters.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP reflex_ticks_total Trades received from the market stream.")
        lines.append("# TYPE reflex_ticks_total counter")
        lines.append("reflex_ticks_total \(c.ticks)")
        if let execution = execution?() {
            for (name, help, value) in [
                (
                    "reflex_orders_rejected_locally_total",
                    "Orders refused before they left (venue filters, client-id format, rules unavailable).",
                    execution.rejectedLocally
                ),
                (
                    "reflex_order_lookups_total", "Placements without an answer, looked up by client id.",
                    execution.lookedUp
                ),
                (
                    "reflex_order_lookups_found_total", "Looked-up placements the venue turned out to have.",
                    execution.foundAfterLookUp
                ),
                (
                    "reflex_order_outcomes_unknown_total",
                    "Placements whose outcome stayed unknown after every look-up (the engine read the venue).",
                    execution.unknownOutcomes
                ),
            ] {
                lines.append("# HELP \(name) \(help)")
                lines.append("# TYPE \(name) counter")
                lines.append("\(name) \(value)")
            }
        }
        lines.append("# HELP reflex_events_total Engine events other than ticks, by type.")
        lines.append("# TYPE reflex_events_total counter")
        for (kind, n) in c.eventsByType.sorted(by: { $0.key < $1.key }) {
            lines.append("reflex_events_total{type=\"\(kind)\"} \(n)")
        }
        lines.append("# HELP reflex_orders_total Order outcomes reported by the venue.")
        lines.append("# TYPE reflex_orders_total counter")
        for (outcome, n) in c.ordersByOutcome.sorted(by: { $0.key < $1.key }) {
            lines.append("reflex_orders_total{outcome=\"\(outcome)\"} \(n)")
        }
        lines.append("# HELP reflex_webhook_answers_total Webhook answers by HTTP status.")
        lines.append("# TYPE reflex_webhook_answers_total counter")
        for (code, n) in c.webhookAnswers.sorted(by: { $0.key < $1.key }) {
            lines.append("reflex_webhook_answers_total{status=\"\(code)\"} \(n)")
        }
        lines.append("# HELP reflex_reconnects_total WebSocket reconnects (market and account streams).")
        lines.append("# TYPE reflex_reconnects_total counter")
        lines.append("reflex_reconnects_total \(reconnects)")
        lines.append("# HELP reflex_tick_to_order_seconds From a tick's arrival to the order it caused leaving.")
        lines.append("# TYPE reflex_tick_to_order_seconds histogram")
        var cumulative = 0
        for (i, bound) in Self.latencyBounds.enumerated() {
            cumulative += c.latencyBuckets[i]
            lines.append("reflex_tick_to_order_seconds_bucket{le=\"\(bound)\"} \(cumulative)")
        }
        lines.append("reflex_tick_to_order_seconds_bucket{le=\"+Inf\"} \(c.latencyCount)")
        lines.append("reflex_tick_to_order_seconds_sum \(c.latencySum)")
        lines.append("reflex_tick_to_order_seconds_count \(c.latencyCount)")
        // Per market, labelled with its symbol; the account's counters also unlabelled (their sum).
        func perMarket(
            _ name: String, type: String, help: String, total: Bool = false, _ value: (MarketStatus) -> String
        ) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            if total {
                let sum = status.markets.reduce(0) { $0 + (Int(value($1)) ?? 0) }
                lines.append("\(name) \(sum)")
            }
            for market in status.markets { lines.append("\(name){symbol=\"\(market.symbol)\"} \(value(market))") }
        }
        perMarket("reflex_market_ticks_total", type: "counter", help: "Trades applied, per market.") { "\($0.ticks)" }
        perMarket("reflex_fills_total", type: "counter", help: "Fills applied, per market.") { "\($0.fills)" }
        perMarket("reflex_position", type: "gauge", help: "Signed position, per market.") { $0.position }
        perMarket("reflex_position_notional", type: "gauge", help: "Open notional at the last price.") { $0.notional }
        perMarket("reflex_realized_pnl", type: "gauge", help: "Realised PnL before fees.") { $0.realizedPnl }
        perMarket("reflex_unrealized_pnl", type: "gauge", help: "Unrealised PnL at the last price.") {
            $0.unrealizedPnl
        }
        perMarket("reflex_paused", type: "gauge", help: "Entries paused (1) or not (0).") { $0.paused ? "1" : "0" }
        perMarket(
            "reflex_reconciliations_total", type: "counter",
            help: "Reads of the venue's position and open orders adopted.", total: true
        ) { "\($0.reconciliation.reconciliations)" }
        perMarket(
            "reflex_reconciliation_differences_total", type: "counter",
            help: "Differences between the local and the venue's view adopted from the venue.", total: true
        ) { "\($0.reconciliation.differences)" }
        perMarket(
            "reflex_stale_position_snapshots_total", type: "counter",
            help: "Position updates older than one already seen, ignored.", total: true
        ) { "\($0.reconciliation.staleSnapshots)" }
        perMarket(
            "reflex_order_paths_halted", type: "gauge", help: "Order paths halted by refusals in a row.", total: true
        ) { "\($0.reconciliation.haltedPaths.count)" }
        let p = status.portfolio
        lines.append("# HELP reflex_portfolio_equity Account equity: start plus every market's result, less fees.")
        lines.append("# TYPE reflex_portfolio_equity gauge")
        lines.append("reflex_portfolio_equity \(p.equity)")
        lines.append("# TYPE reflex_portfolio_notional gauge")
        lines.append("reflex_portfolio_notional \(p.totalNotional)")
        lines.append("# TYPE reflex_portfolio_daily_pnl gauge")
        lines.append("reflex_portfolio_daily_pnl \(p.dailyPnl)")
        lines.append("# TYPE reflex_portfolio_halted gauge")
        lines.append("reflex_portfolio_halted \(p.halt == nil ? 0 : 1)")
        lines.append("# HELP reflex_portfolio_held_entries_total Entries the portfolio's limits held back, by limit.")
        lines.append("# TYPE reflex_portfolio_held_entries_total counter")
        for (limit, n) in p.heldEntries.sorted(by: { $0.key < $1.key }) {
            lines.append("reflex_portfolio_held_entries_total{limit=\"\(limit)\"} \(n)")
        }
        lines.append("# HELP reflex_unmatched_events_total Account events that matched no market (not applied).")
        lines.append("# TYPE reflex_unmatched_events_total counter")
        lines.append("reflex_unmatched_events_total \(p.unmatchedEvents)")
        return lines.joined(separator: "\n") + "\n"
    }
}
