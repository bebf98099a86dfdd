import Foundation
import ReflexCore

/// A portfolio backtest for people: a summary, JSON, and one HTML page with the account's equity and each market.
extension BacktestReport {
    /// Trade-list CSV header of a portfolio run: the market first, then the one-market columns.
    public static let portfolioTradesHeader = "symbol," + tradesHeader
    /// The account's equity curve (one row per bar interval of the fastest market).
    public static let portfolioEquityHeader = "time_ms,equity,drawdown\n"

    public static func portfolioEquityLines(_ r: PortfolioBacktestResult) -> String {
        r.chart.map { "\($0.time.milliseconds),\(number($0.equity, 8)),\(number($0.drawdown, 6))\n" }.joined()
    }

    /// The readable summary printed by `reflex backtest` with several markets.
    public static func summary(_ r: PortfolioBacktestResult, files: [String]) -> String {
        let cent = Money("0.01")!
        var lines = [
            "Portfolio backtest  \(r.markets.count) markets  \(r.markets.map(\.strategy.symbol).joined(separator: ", "))",
            "  data        \(files.joined(separator: ", "))",
            "  ticks       \(r.ticks)   trades \(r.trades)",
            "  net PnL     \(r.netPnl.rounded(toMultipleOf: cent, .nearest))   fees \(r.fees.rounded(toMultipleOf: cent, .nearest))",
            "  equity      \(r.initialEquity) → \(r.finalEquity.rounded(toMultipleOf: cent, .nearest))   max drawdown \(percent(r.maxDrawdown)) (\(number(r.maxDrawdownAmount, 2)))",
            "  sharpe      \(opt(r.sharpe))  (account equity per bar of the fastest market, annualised)",
        ]
        if !r.heldEntries.isEmpty {
            let held = r.heldEntries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("  held        entries held back by the portfolio's limits: \(held.joined(separator: ", "))")
        }
        lines.append("  markets")
        for m in r.markets {
            lines.append(
                "    \(m.strategy.symbol.padding(toLength: 10, withPad: " ", startingAt: 0)) \(m.strategy.name)  ticks \(m.ticks)  trades \(m.trades.count)  win rate \(percent(m.winRate))  net PnL \(m.netPnl.rounded(toMultipleOf: cent, .nearest))  max drawdown \(percent(m.maxDrawdown))"
            )
        }
        lines.append("  speed       \(number(r.elapsedSeconds, 3)) s, \(Int(r.ticksPerSecond)) ticks/s")
        return lines.joined(separator: "\n")
    }

    /// One JSON object: the account's metrics and a `markets` array of each market's (as a one-market run prints).
    public static func json(_ r: PortfolioBacktestResult) -> String {
        var fields: [(String, String)] = [
            ("ticks", "\(r.ticks)"), ("trades", "\(r.trades)"), ("netPnl", "\"\(r.netPnl)\""),
            ("fees", "\"\(r.fees)\""), ("finalEquity", "\"\(r.finalEquity)\""),
            ("initialEquity", "\"\(r.initialEquity)\""), ("maxDrawdown", number(r.maxDrawdown, 6)),
            ("maxDrawdownAmount", number(r.maxDrawdownAmount, 2)), ("sharpe", r.sharpe.map { number($0, 4) } ?? "null"),
            ("elapsedSeconds", number(r.elapsedSeconds, 4)), ("ticksPerSecond", number(r.ticksPerSecond, 0)),
            (
                "heldEntries",
                "{"
                    + r.heldEntries.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(
                        separator: ",")
                    + "}"
            ),
            ("markets", "[" + r.markets.map { json($0) }.joined(separator: ",") + "]"),
        ]
        fields.sort { $0.0 < $1.0 }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A self-contained page: the account's equity and drawdown, then each market's charts and trades.
    public static func html(_ r: PortfolioBacktestResult) -> String {
        let width = 1000.0
        var equitySVG = ""
        if let first = r.chart.first, let last = r.chart.last {
            let t0 = Double(first.time.nanoseconds)
            let span = max(Double(last.time.nanoseconds) - t0, 1)
            equitySVG = equityChart(
                r.chart, maxDrawdown: r.maxDrawdown, label: "account equity",
                x: { (Double($0.nanoseconds) - t0) / span * width }, width: width)
        }
        var sections = ""
        for m in r.markets {
            let (priceSVG, marketEquitySVG, w, h) = charts(m)
            sections += """
                <section id="\(escapeHTML(m.strategy.symbol))"><h2>\(escapeHTML(m.strategy.symbol)) — \(escapeHTML(m.strategy.name))</h2>
                <pre>\(escapeHTML(summary(m, files: [])))</pre>
                <h3>Price, Donchian(\(m.strategy.channelLength)) channel, entries (dots) and exits (squares)</h3>
                <svg viewBox="0 0 \(Int(w)) \(Int(h))" width="100%" preserveAspectRatio="none" role="img">\(priceSVG)</svg>
                <h3>This market's equity and drawdown</h3>
                <svg viewBox="0 0 \(Int(w)) 290" width="100%" preserveAspectRatio="none" role="img">\(marketEquitySVG)</svg>
                <h3>Trades (last \(min(200, m.trades.count)) of \(m.trades.count))</h3>
                <table><tr><th>entry</th><th>side</th><th>mode</th><th>qty</th><th>avg entry</th><th>avg exit</th><th>net PnL</th></tr>\(tradeRows(m))</table>
                </section>

                """
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Reflex portfolio backtest</title>
            <style>\(style)</style></head>
            <body><h1>Portfolio — \(escapeHTML(r.markets.map(\.strategy.symbol).joined(separator: ", ")))</h1>
            <pre>\(escapeHTML(summary(r, files: [])))</pre>
            <h2>Account equity and drawdown</h2>
            <svg viewBox="0 0 \(Int(width)) 290" width="100%" preserveAspectRatio="none" role="img">\(equitySVG)</svg>
            \(sections)</body></html>

            """
    }
}
