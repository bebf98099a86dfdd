public import ReflexCore

/// Reflex's own tick recording: what `reflex run --record` writes and every reader here reads back.
///
/// ```
/// #reflex-ticks v1 symbol=BTCUSDT
/// time_ns,trade_id,price,quantity,aggressor
/// 1723161256322000000,5266583935,61800.30,0.006,B
/// #regime,1723161260000000000,range,operator
/// ```
/// Times are integer nanoseconds since the epoch (UTC); prices and quantities are the venue's exact strings;
/// `aggressor` is `B` (buyer took liquidity) or `S`. A `#regime,<time_ns>,<trend|range>,<source>` line records
/// a live regime switch so that a replay switches at the same point; other `#` lines are comments.
public enum ReflexTickFile {
    public static let magic = "#reflex-ticks v1"
    static let columns = ["time_ns", "trade_id", "price", "quantity", "aggressor"]

    /// The two header lines.
    public static func header(symbol: String) -> String {
        "\(magic) symbol=\(symbol)\n" + columns.joined(separator: ",") + "\n"
    }

    /// One tick as a line (with newline).
    public static func line(_ tick: Tick) -> String {
        "\(tick.time.nanoseconds),\(tick.tradeID),\(tick.price),\(tick.quantity),\(tick.aggressor == .buy ? "B" : "S")\n"
    }

    /// A regime switch as a line (with newline).
    public static func line(_ shift: RegimeShift) -> String {
        "#regime,\(shift.time.nanoseconds),\(shift.mode.rawValue),\(shift.source.rawValue)\n"
    }
}
