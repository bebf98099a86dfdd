import Foundation
public import ReflexCore

/// Bars with their indicators as CSV rows: what `reflex indicators` prints.
public struct IndicatorTable {
    public static let header =
        "open_time_ms,open,high,low,close,volume,trades,donchian_upper,donchian_lower,donchian_middle,atr,volatility"

    private var bars: BarAggregator
    private var channel: DonchianChannel
    private var atr: AverageTrueRange
    private var volatility: RealizedVolatility

    public init(interval: BarInterval, donchian: Int, atr atrLength: Int, volatility volatilityLength: Int) {
        bars = BarAggregator(interval: interval)
        channel = DonchianChannel(length: donchian)
        atr = AverageTrueRange(length: atrLength)
        volatility = RealizedVolatility(length: volatilityLength)
    }

    /// Adds a tick; returns the row of the bar it closed, if any (with newline).
    public mutating func add(_ tick: Tick) -> String? {
        bars.add(tick).map { row(for: $0) }
    }

    /// The last bar's row at end of data.
    public mutating func finish() -> String? {
        bars.flush().map { row(for: $0) }
    }

    /// Updates the indicators with a closed bar and formats its row.
    public mutating func row(for bar: Bar) -> String {
        channel.update(high: bar.high.doubleValue, low: bar.low.doubleValue)
        atr.update(high: bar.high.doubleValue, low: bar.low.doubleValue, close: bar.close.doubleValue)
        volatility.update(close: bar.close.doubleValue)
        let c = channel.value
        let cells = [
            "\(bar.openTime.milliseconds)", "\(bar.open)", "\(bar.high)", "\(bar.low)", "\(bar.close)", "\(bar.volume)",
            "\(bar.trades)", Self.cell(c?.upper), Self.cell(c?.lower), Self.cell(c?.middle), Self.cell(atr.value),
            Self.cell(volatility.value),
        ]
        return cells.joined(separator: ",") + "\n"
    }

    /// Twelve significant digits (enough for any price; hides binary noise such as `61800.100000000006`);
    /// empty when not warm.
    static func cell(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.12g", value)
    }
}
