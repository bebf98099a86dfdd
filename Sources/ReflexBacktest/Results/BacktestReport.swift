import Foundation
public import ReflexCore

/// Turns a ``BacktestResult`` into the things a person reads: a summary, JSON, CSVs and an HTML page.
public enum BacktestReport {
    /// Trade-list CSV header.
    public static let tradesHeader =
        "entry_time_ms,exit_time_ms,side,mode,quantity,avg_entry,avg_exit,gross_pnl,fees,net_pnl\n"
    /// Equity-curve CSV header (one row per closed bar).
    public static let equityHeader = "time_ms,close,position,equity\n"

    public static func tradeLine(_ t: RoundTrip) -> String {
        "\(t.entryTime.milliseconds),\(t.exitTime.milliseconds),\(t.side.rawValue),\(t.mode.rawValue),\(t.quantity),"
            + "\(number(t.averageEntry)),\(number(t.averageExit)),\(t.grossPnl),\(t.fees),\(t.netPnl)\n"
    }

    public static func equityLine(_ record: BarRecord, position: Quantity, equity: Money) -> String {
        "\(record.bar.openTime.milliseconds),\(record.bar.close),\(position),\(equity)\n"
    }

    /// The readable summary printed by `reflex backtest`.
    public static func summary(_ r: BacktestResult, files: [String]) -> String {
        var lines: [String] = []
        let s = r.strategy
        lines.append("Backtest  \(s.name)  \(s.symbol)  bars \(s.barInterval)  mode \(s.initialMode.rawValue)")
        lines.append("  data        \(files.joined(separator: ", "))")
        if let a = r.firstTickTime, let b = r.lastTickTime {
            lines.append("  span        \(isoTime(a)) → \(isoTime(b))")
        }
        lines.append("  ticks       \(r.ticks)   bars \(r.bars)   fills \(r.fills)")
        lines.append(
            "  trades      \(r.trades.count)   win rate \(percent(r.winRate))   profit factor \(opt(r.profitFactor))")
        lines.append(
            "  net PnL     \(r.netPnl.rounded(toMultipleOf: Money("0.01")!, .nearest)) \(quote(s))   fees \(r.fees.rounded(toMultipleOf: Money("0.01")!, .nearest))"
        )
        lines.append(
            "  equity      \(r.initialEquity) → \(r.finalEquity.rounded(toMultipleOf: Money("0.01")!, .nearest))   max drawdown \(percent(r.maxDrawdown)) (\(number(r.maxDrawdownAmount, 2)))"
        )
        lines.append("  sharpe      \(opt(r.sharpe))  (per-bar returns, annualised ×√(bars per 365-day year))")
        lines.append("  exposure    \(percent(r.exposure)) of bars in a position")
        if !r.modeChanges.isEmpty {
            lines.append("  mode        \(r.modeChanges.count) change(s), ending in \(r.finalMode.rawValue)")
        }
        if r.badLines > 0 { lines.append("  skipped     \(r.badLines) malformed line(s)") }
        if r.outOfOrderTicks > 0 {
            lines.append("  warning     \(r.outOfOrderTicks) tick(s) earlier than the one before (not reordered)")
        }
        lines.append("  speed       \(number(r.elapsedSeconds, 3)) s, \(Int(r.ticksPerSecond)) ticks/s")
        return lines.joined(separator: "\n")
    }

    /// One JSON object (keys sorted) with the headline metrics.
    public static func json(_ r: BacktestResult) -> String {
        var fields: [(String, String)] = [
            ("ticks", "\(r.ticks)"), ("bars", "\(r.bars)"), ("trades", "\(r.trades.count)"), ("fills", "\(r.fills)"),
            ("netPnl", "\"\(r.netPnl)\""), ("fees", "\"\(r.fees)\""), ("finalEquity", "\"\(r.finalEquity)\""),
            ("initialEquity", "\"\(r.initialEquity)\""), ("maxDrawdown", number(r.maxDrawdown, 6)),
            ("maxDrawdownAmount", number(r.maxDrawdownAmount, 2)), ("sharpe", r.sharpe.map { number($0, 4) } ?? "null"),
            ("winRate", r.winRate.map { number($0, 4) } ?? "null"),
            ("profitFactor", r.profitFactor.map { number($0, 4) } ?? "null"), ("exposure", number(r.exposure, 4)),
            ("elapsedSeconds", number(r.elapsedSeconds, 4)), ("ticksPerSecond", number(r.ticksPerSecond, 0)),
            ("badLines", "\(r.badLines)"), ("outOfOrderTicks", "\(r.outOfOrderTicks)"),
            ("symbol", "\"\(r.strategy.symbol)\""), ("strategy", "\"\(escape(r.strategy.name))\""),
            ("modeChanges", "\(r.modeChanges.count)"), ("finalMode", "\"\(r.finalMode.rawValue)\""),
            ("sharpeAnnualisation", "\"sqrt(bars per 365-day year)\""),
        ]
        fields.sort { $0.0 < $1.0 }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A self-contained HTML page: inline SVG of price with the channel and trades, and equity with drawdown.
    public static func html(_ r: BacktestResult) -> String {
        let (priceSVG, equitySVG, width, height) = charts(r)
        let rows = tradeRows(r)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Reflex backtest — \(escapeHTML(r.strategy.name))</title>
            <style>\(style)</style></head>
            <body><h1>\(escapeHTML(r.strategy.name)) — \(escapeHTML(r.strategy.symbol))</h1>
            <pre>\(escapeHTML(summary(r, files: [])))</pre>
            <h2>Price, Donchian(\(r.strategy.channelLength)) channel, entries (dots) and exits (squares)</h2>
            <svg viewBox="0 0 \(Int(width)) \(Int(height))" width="100%" preserveAspectRatio="none" role="img">\(priceSVG)</svg>
            <h2>Equity and drawdown</h2>
            <svg viewBox="0 0 \(Int(width)) 290" width="100%" preserveAspectRatio="none" role="img">\(equitySVG)</svg>
            <h2>Trades (last \(min(200, r.trades.count)) of \(r.trades.count))</h2>
            <table><tr><th>entry</th><th>side</th><th>mode</th><th>qty</th><th>avg entry</th><th>avg exit</th><th>net PnL</th></tr>\(rows)</table>
            </body></html>

            """
    }

    static let style = """
        body{font:14px system-ui,sans-serif;margin:24px;color:#222}svg{background:#fafafa;border:1px solid #ddd}
        table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}
        """

    static func tradeRows(_ r: BacktestResult) -> String {
        r.trades.suffix(200).map {
            "<tr><td>\(isoTime($0.entryTime))</td><td>\($0.side == .buy ? "long" : "short")</td><td>\($0.mode.rawValue)</td><td>\($0.quantity)</td><td>\(number($0.averageEntry))</td><td>\(number($0.averageExit))</td><td>\($0.netPnl.rounded(toMultipleOf: Money("0.01")!, .nearest))</td></tr>"
        }.joined()
    }

    /// The price chart (channel, entries, exits) and the equity chart (equity, drawdown) of one result.
    static func charts(_ r: BacktestResult) -> (price: String, equity: String, width: Double, height: Double) {
        let points = r.chart
        let width = 1000.0
        let height = 320.0
        var priceSVG = ""
        var equitySVG = ""
        if points.count > 1 {
            let t0 = Double(points.first!.time.nanoseconds)
            let t1 = Double(points.last!.time.nanoseconds)
            let span = max(t1 - t0, 1)
            func x(_ t: Timestamp) -> Double { (Double(t.nanoseconds) - t0) / span * width }
            let prices = points.flatMap { [$0.close] + [$0.upper, $0.lower].compactMap { $0 } }
            let lo = prices.min()!
            let hi = max(prices.max()!, lo + 1e-9)
            func y(_ v: Double) -> Double { height - (v - lo) / (hi - lo) * (height - 20) - 10 }
            func path(_ values: [(Timestamp, Double?)]) -> String {
                var d = ""
                var pen = false
                for (t, v) in values {
                    guard let v else {
                        pen = false
                        continue
                    }
                    d += "\(pen ? "L" : "M")\(number(x(t), 1)),\(number(y(v), 1)) "
                    pen = true
                }
                return d
            }
            priceSVG +=
                "<path d=\"\(path(points.map { ($0.time, $0.upper) }))\" stroke=\"#2a9d8f\" fill=\"none\" stroke-width=\"1\"/>"
            priceSVG +=
                "<path d=\"\(path(points.map { ($0.time, $0.lower) }))\" stroke=\"#e76f51\" fill=\"none\" stroke-width=\"1\"/>"
            priceSVG +=
                "<path d=\"\(path(points.map { ($0.time, $0.close) }))\" stroke=\"#264653\" fill=\"none\" stroke-width=\"1.2\"/>"
            for trip in r.trades.suffix(2000) {
                let entryColor = trip.side == .buy ? "#2a9d8f" : "#e76f51"
                priceSVG +=
                    "<circle cx=\"\(number(x(trip.entryTime), 1))\" cy=\"\(number(y(trip.averageEntry), 1))\" r=\"3\" fill=\"\(entryColor)\"><title>\(trip.side == .buy ? "long" : "short") entry \(number(trip.averageEntry))</title></circle>"
                priceSVG +=
                    "<rect x=\"\(number(x(trip.exitTime) - 2.5, 1))\" y=\"\(number(y(trip.averageExit) - 2.5, 1))\" width=\"5\" height=\"5\" fill=\"#555\"><title>exit \(number(trip.averageExit)), net \(trip.netPnl)</title></rect>"
            }
            equitySVG = equityChart(points, maxDrawdown: r.maxDrawdown, label: "equity", x: x, width: width)
            priceSVG += "<text x=\"4\" y=\"14\" font-size=\"11\">\(number(lo)) … \(number(hi))</text>"
        }
        return (priceSVG, equitySVG, width, height)
    }

    /// Equity (line) over drawdown (area) of `points`, on the shared time axis `x`.
    static func equityChart(
        _ points: [BacktestResult.ChartPoint], maxDrawdown: Double, label: String, x: (Timestamp) -> Double,
        width: Double
    ) -> String {
        guard points.count > 1 else { return "" }
        let equities = points.map(\.equity)
        let lo = equities.min()!
        let hi = max(equities.max()!, lo + 1e-9)
        func y(_ v: Double) -> Double { 200 - (v - lo) / (hi - lo) * 180 - 10 }
        let deepest = max(points.map(\.drawdown).max() ?? 0, 1e-9)
        var svg =
            "<path d=\""
            + points.enumerated().map {
                "\($0.offset == 0 ? "M" : "L")\(number(x($0.element.time), 1)),\(number(y($0.element.equity), 1))"
            }.joined(separator: " ") + "\" stroke=\"#264653\" fill=\"none\"/>"
        svg +=
            "<path d=\"M0,200 "
            + points.map { "L\(number(x($0.time), 1)),\(number(200 + $0.drawdown / deepest * 80, 1))" }.joined(
                separator: " ") + " L\(width),200 Z\" fill=\"#e76f5155\" stroke=\"none\"/>"
        svg += "<text x=\"4\" y=\"14\" font-size=\"11\">\(label) \(number(lo, 2)) … \(number(hi, 2))</text>"
        svg += "<text x=\"4\" y=\"276\" font-size=\"11\">drawdown (max \(percent(maxDrawdown)))</text>"
        return svg
    }

    static func quote(_ s: StrategyParameters) -> String {
        for q in ["USDT", "USDC", "BUSD", "USD", "ETH", "BTC"] where s.symbol.hasSuffix(q) { return q }
        return ""
    }

    static func isoTime(_ t: Timestamp) -> String {
        let date = Date(timeIntervalSince1970: Double(t.milliseconds) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func number(_ x: Double, _ decimals: Int = 6) -> String {
        guard x.isFinite else { return "null" }
        return String(format: "%.\(decimals)f", x)
    }

    static func percent(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a" }
    static func opt(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "n/a" }
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
    static func escapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
