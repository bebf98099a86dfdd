/// Everything a strategy file sets: the instrument, the bars, the indicators and how they trade.
public struct StrategyParameters: Sendable, Hashable, Codable {
    /// A short name, used in logs and as the client-order-id prefix.
    public var name: String
    public var symbol: String
    public var barInterval: BarInterval
    /// Donchian length for entries (bars, the current forming bar excluded).
    public var channelLength: Int
    /// Shorter Donchian length whose opposite edge exits a trend position.
    public var exitChannelLength: Int
    public var atrLength: Int
    public var volatilityLength: Int
    /// Protective stop distance in ATRs.
    public var stopATR: Double
    /// Trend take-profit distance in ATRs (range mode targets the channel middle).
    public var takeProfitATR: Double
    /// Trend trailing-stop distance in ATRs from the best price since entry.
    public var trailingATR: Double
    /// Fraction of equity risked per trade between entry and stop.
    public var riskFraction: Double
    /// Cap on position notional over equity.
    public var maxLeverage: Double
    /// Optional cap on position notional.
    public var maxNotional: Money?
    public var initialMode: TradingMode
    public var makerFeeRate: Double
    public var takerFeeRate: Double
    public var instrument: Instrument
    /// Built-in regime detector, if enabled.
    public var regimeDetector: RegimeDetectorRule?

    public init(
        name: String, symbol: String, barInterval: BarInterval, channelLength: Int = 20, exitChannelLength: Int = 10,
        atrLength: Int = 14, volatilityLength: Int = 20, stopATR: Double = 2, takeProfitATR: Double = 4,
        trailingATR: Double = 3, riskFraction: Double = 0.01, maxLeverage: Double = 3, maxNotional: Money? = nil,
        initialMode: TradingMode = .trend, makerFeeRate: Double = 0.0002, takerFeeRate: Double = 0.0005,
        instrument: Instrument? = nil, regimeDetector: RegimeDetectorRule? = nil
    ) {
        self.name = name
        self.symbol = symbol
        self.barInterval = barInterval
        self.channelLength = channelLength
        self.exitChannelLength = exitChannelLength
        self.atrLength = atrLength
        self.volatilityLength = volatilityLength
        self.stopATR = stopATR
        self.takeProfitATR = takeProfitATR
        self.trailingATR = trailingATR
        self.riskFraction = riskFraction
        self.maxLeverage = maxLeverage
        self.maxNotional = maxNotional
        self.initialMode = initialMode
        self.makerFeeRate = makerFeeRate
        self.takerFeeRate = takerFeeRate
        self.instrument = instrument ?? .binanceDefaults(for: symbol)
        self.regimeDetector = regimeDetector
    }

    /// Names accepted by ``settingValue(_:to:)`` (the operator's `setParam`).
    public static let tunableNames = ["riskFraction", "stopATR", "takeProfitATR", "trailingATR", "maxLeverage"]

    /// A copy with one tunable parameter changed; nil when the name is unknown or the value out of range.
    public func settingValue(_ name: String, to value: Double) -> StrategyParameters? {
        guard value.isFinite, value > 0 else { return nil }
        var copy = self
        switch name {
        case "riskFraction" where value <= 0.1: copy.riskFraction = value
        case "stopATR" where value <= 20: copy.stopATR = value
        case "takeProfitATR" where value <= 50: copy.takeProfitATR = value
        case "trailingATR" where value <= 20: copy.trailingATR = value
        case "maxLeverage" where value <= 125: copy.maxLeverage = value
        default: return nil
        }
        return copy
    }
}

/// The built-in regime rule: channel width measured in ATRs. A wide channel means the market is trending,
/// a narrow one that it is ranging. Hysteresis (`trendAbove` > `rangeBelow`) and `confirmBars` stop flapping.
public struct RegimeDetectorRule: Sendable, Hashable, Codable {
    /// Switch to trend when width/ATR stays at or above this.
    public var trendAbove: Double
    /// Switch to range when width/ATR stays at or below this.
    public var rangeBelow: Double
    /// Consecutive closed bars the condition must hold.
    public var confirmBars: Int

    public init(trendAbove: Double, rangeBelow: Double, confirmBars: Int) {
        self.trendAbove = trendAbove
        self.rangeBelow = rangeBelow
        self.confirmBars = confirmBars
    }
}
