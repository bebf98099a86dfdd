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
        if let events = b["lastEvents"] as? [String], !events.isEmpty {
            lines.append("last events: \(events.suffix(5).joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}

/// One live line on a terminal: price, channel, ATR, mode, position, PnL, last event.
struct StatusLine: Service {
    let runtime: TradingRuntime
    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let s = runtime.status()
            let channel = s.channel.map { String(format: "%.1f…%.1f", $0.lower, $0.upper) } ?? "warming"
            let atr = s.atr.map { String(format: "%.2f", $0) } ?? "-"
            let line =
                "\r\u{1B}[K\(s.lastPrice ?? "-") · ch \(channel) · ATR \(atr) · \(s.mode.rawValue)\(s.paused ? " (paused)" : "") · pos \(s.position) · PnL \(s.realizedPnl)/\(s.unrealizedPnl) · \(s.lastEvents.last ?? "")"
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
