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
        var bytes: [UInt8] = []
        appendLine(tick, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends one tick's line (with newline) as bytes: the journal and the recorder write one per trade, and
    /// building a `String` for each was a microsecond on the path from a trade to its order.
    public static func appendLine(_ tick: Tick, to bytes: inout [UInt8]) {
        appendSigned(tick.time.nanoseconds, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        appendSigned(tick.tradeID, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        FixedPoint.append(raw: tick.price.raw, precision: tick.price.precision, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        FixedPoint.append(raw: tick.quantity.raw, precision: tick.quantity.precision, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        bytes.append(tick.aggressor == .buy ? UInt8(ascii: "B") : UInt8(ascii: "S"))
        bytes.append(10)
    }

    private static func appendSigned(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        FixedPoint.appendDecimal(value.magnitude, to: &bytes)
    }

    /// A regime switch as a line (with newline).
    public static func line(_ shift: RegimeShift) -> String {
        "#regime,\(shift.time.nanoseconds),\(shift.mode.rawValue),\(shift.source.rawValue)\n"
    }
}
