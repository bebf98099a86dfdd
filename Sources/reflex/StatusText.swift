import Foundation
import Logging
import ReflexCore
import ReflexLive
import ServiceLifecycle

/// Turns the control API's answer into what the operator reads.
enum StatusText {
    static func bot(_ answer: String) -> [String: Any] {
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.utf8))) as? [String: Any]
        return object?["bot"] as? [String: Any] ?? [:]
    }

    /// The `bot` object alone, as one JSON line.
    static func botObject(fromControlAnswer answer: String) -> String {
        let object = bot(answer)
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func readable(fromControlAnswer answer: String) -> String {
        let b = bot(answer)
        let markets = b["markets"] as? [[String: Any]] ?? []
        var lines: [String] = []
        if markets.count > 1 {
            let p = b["portfolio"] as? [String: Any] ?? [:]
            func text(_ key: String) -> String { p[key].map { "\($0)" } ?? "-" }
            lines.append(
                "portfolio · \(markets.count) markets · equity \(text("equity")) · notional \(text("totalNotional")) · today \(text("dailyPnl")) · open positions \(text("openPositions"))"
            )
            if let halt = p["halt"] as? String { lines.append("  HALTED: \(halt)") }
            if let held = p["heldEntries"] as? [String: Any], !held.isEmpty {
                lines.append(
                    "  entries held by portfolio limits: \(held.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
                )
            }
            if let unmatched = p["unmatchedEvents"] as? Int, unmatched > 0 {
                lines.append("  \(unmatched) account event(s) matched no market (see the log)")
            }
            for market in markets {
                lines.append("")
                lines.append("\(market["symbol"] ?? "?") (\(market["strategy"] ?? ""))")
                lines += marketLines(market).map { "  " + $0 }
            }
        } else {
            lines += marketLines(markets.first ?? b)
        }
        let portfolio = b["portfolio"] as? [String: Any] ?? [:]
        if let account = portfolio["account"] as? [String: Any] {
            let ratio = (account["marginRatio"] as? Double).map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            lines.append(
                "account: margin ratio \(ratio) · wallet \(account["walletBalance"] ?? "-") · margin balance \(account["marginBalance"] ?? "-") · available \(account["availableBalance"] ?? "-")"
            )
        }
        if let untraded = portfolio["untradedPositions"] as? [String: Any], !untraded.isEmpty {
            lines.append(
                "not traded by this bot (left alone): \(untraded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
            )
        }
        if let events = b["lastEvents"] as? [String], !events.isEmpty {
            lines.append("last events: \(events.suffix(5).joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    /// One market's lines: mode, channel, position, orders, venue sync.
    static func marketLines(_ b: [String: Any]) -> [String] {
        func text(_ key: String) -> String { b[key].map { "\($0)" } ?? "-" }
        func number(_ key: String) -> String { (b[key] as? Double).map { String(format: "%.2f", $0) } ?? "-" }
        var lines: [String] = []
        let state =
            (b["paused"] as? Bool == true ? "paused" : "trading")
            + ((b["riskHalt"] as? String).map { ", halted: \($0)" } ?? "")
        lines.append("mode \(text("mode")) · \(state) · ticks \(text("ticks")) · last \(text("lastPrice"))")
        if let channel = b["channel"] as? [String: Any] {
            let f = { (k: String) in (channel[k] as? Double).map { String(format: "%.2f", $0) } ?? "-" }
            lines.append("channel \(f("lower")) … \(f("upper")) (middle \(f("middle"))) · ATR \(number("atr"))")
        }
        lines.append(
            "position \(text("position")) @ \(number("entryPrice")) · fills \(text("fills")) · realised \(text("realizedPnl")) · unrealised \(text("unrealizedPnl"))"
        )
        for order in b["workingOrders"] as? [[String: Any]] ?? [] {
            lines.append(
                "  order \(order["clientOrderId"] ?? "") \(order["purpose"] ?? "") \(order["side"] ?? "") \(order["type"] ?? "") \(order["quantity"] ?? "")\((order["trigger"] as? String).map { " @ \($0)" } ?? "")\(order["cancelRequested"] as? Bool == true ? " (cancelling)" : "")"
            )
        }
        if let sync = b["reconciliation"] as? [String: Any] {
            let halted = (sync["haltedPaths"] as? [String] ?? []).joined(separator: ", ")
            lines.append(
                "venue sync: \(sync["inProgress"] as? Bool == true ? "reading the venue · " : "")reads \(sync["reconciliations"] ?? 0) · differences adopted \(sync["differences"] ?? 0) · stale snapshots \(sync["staleSnapshots"] ?? 0)\(halted.isEmpty ? "" : " · HALTED: \(halted) (reflex resume)")"
            )
        }
        return lines
    }
}

/// One live line on a terminal: price, channel, ATR, mode, position, PnL, last event.
struct StatusLine: Service {
    let runtime: TradingRuntime
    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let status = runtime.status()
            let line: String
            if status.markets.count == 1 {
                let s = status.first
                let channel = s.channel.map { String(format: "%.1f…%.1f", $0.lower, $0.upper) } ?? "warming"
                let atr = s.atr.map { String(format: "%.2f", $0) } ?? "-"
                line =
                    "\r\u{1B}[K\(s.lastPrice ?? "-") · ch \(channel) · ATR \(atr) · \(s.mode.rawValue)\(s.paused ? " (paused)" : "") · pos \(s.position) · PnL \(s.realizedPnl)/\(s.unrealizedPnl) · \(status.lastEvents.last ?? "")"
            } else {
                // One short field per market, then the account.
                let markets = status.markets.map {
                    "\($0.symbol) \($0.lastPrice ?? "-") \($0.mode.rawValue) pos \($0.position)"
                }
                line =
                    "\r\u{1B}[K\(markets.joined(separator: " · ")) · equity \(status.portfolio.equity)\(status.portfolio.halt == nil ? "" : " (HALTED)")"
            }
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

/// Structured logs: one JSON object a line on standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = "\(value)"
        }
        let now = Date().timeIntervalSince1970
        fields["time"] = Timestamp(nanoseconds: Int64(now * 1e9)).rfc3339
        fields["level"] = "\(event.level)"
        fields["label"] = label
        fields["message"] = "\(event.message)"
        // Written by hand: a formatter object and JSONSerialization cost ~100 µs a line, on the event loop that
        // also reads the market.
        var line = "{"
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { line += "," }
            JSONValue.writeString(key, to: &line)
            line += ":"
            JSONValue.writeString(fields[key]!, to: &line)
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
