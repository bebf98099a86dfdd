/// Decodes strategy files (`Strategies/*.json`) strictly: an unknown key, a wrong type or an out-of-range
/// value is an error naming the key path and what is allowed.
///
/// ```json
/// { "name": "donchian-trend", "symbol": "BTCUSDT", "barInterval": "5s", "mode": "trend",
///   "channel": { "entry": 20, "exit": 10 }, "atr": 14, "volatility": 20,
///   "stops": { "stopATR": 2, "takeProfitATR": 4, "trailingATR": 3 },
///   "sizing": { "riskFraction": 0.01, "maxLeverage": 3, "maxNotional": "5000" },
///   "fees": { "maker": 0.0002, "taker": 0.0005 },
///   "instrument": { "tickSize": "0.10", "stepSize": "0.001", "minQuantity": "0.001", "minNotional": "100" },
///   "regimeDetector": { "trendAbove": 8, "rangeBelow": 4, "confirmBars": 3 } }
/// ```
public enum StrategyFile {
    /// Parses strategy JSON text.
    public static func decode(_ text: String) throws(ConfigurationError) -> StrategyParameters {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch {
            throw ConfigurationError(path: "", message: "not valid JSON: \(error)")
        }
        return try decode(json)
    }

    public static func decode(_ json: JSONValue) throws(ConfigurationError) -> StrategyParameters {
        var root = try StrictObject(json)
        let name = try root.required("name") { (o, k) throws(ConfigurationError) in try o.string(k) }
        guard !name.isEmpty, name.count <= 40 else {
            throw ConfigurationError(path: "name", message: "expected 1 to 40 characters")
        }
        let symbol = try root.required("symbol") { (o, k) throws(ConfigurationError) in try o.string(k) }
        guard symbol.count >= 2,
            symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw ConfigurationError(
                path: "symbol",
                message:
                    "expected an exchange symbol in capitals such as \"BTCUSDT\" or \"BTC-PERPETUAL\", got \"\(symbol)\""
            )
        }
        let intervalText = try root.required("barInterval") { (o, k) throws(ConfigurationError) in try o.string(k) }
        guard let interval = BarInterval(intervalText) else {
            throw ConfigurationError(
                path: "barInterval",
                message: "expected a bar length like \"5s\", \"1m\" or \"1h\", got \"\(intervalText)\"")
        }
        let modeText = try root.string("mode", allowed: TradingMode.allCases.map(\.rawValue)) ?? "trend"
        var parameters = StrategyParameters(
            name: name, symbol: symbol, barInterval: interval, initialMode: TradingMode(rawValue: modeText)!)

        if var channel = try root.object("channel") {
            parameters.channelLength = try channel.integer("entry", in: 2...1000) ?? parameters.channelLength
            parameters.exitChannelLength = try channel.integer("exit", in: 1...1000) ?? parameters.exitChannelLength
            try channel.finish()
            guard parameters.exitChannelLength <= parameters.channelLength else {
                throw ConfigurationError(
                    path: "channel.exit",
                    message:
                        "must not exceed channel.entry (\(parameters.channelLength)), got \(parameters.exitChannelLength)"
                )
            }
        }
        parameters.atrLength = try root.integer("atr", in: 1...1000) ?? parameters.atrLength
        parameters.volatilityLength = try root.integer("volatility", in: 2...1000) ?? parameters.volatilityLength
        if var stops = try root.object("stops") {
            parameters.stopATR = try stops.double("stopATR", in: 0...20, lowerOpen: true) ?? parameters.stopATR
            parameters.takeProfitATR =
                try stops.double("takeProfitATR", in: 0...50, lowerOpen: true) ?? parameters.takeProfitATR
            parameters.trailingATR =
                try stops.double("trailingATR", in: 0...20, lowerOpen: true) ?? parameters.trailingATR
            try stops.finish()
        }
        if var sizing = try root.object("sizing") {
            parameters.riskFraction =
                try sizing.double("riskFraction", in: 0...0.1, lowerOpen: true) ?? parameters.riskFraction
            parameters.maxLeverage =
                try sizing.double("maxLeverage", in: 0...125, lowerOpen: true) ?? parameters.maxLeverage
            parameters.maxNotional = try sizing.decimal("maxNotional", as: Money.self)
            try sizing.finish()
        }
        if var fees = try root.object("fees") {
            parameters.makerFeeRate = try fees.double("maker", in: -0.001...0.01) ?? parameters.makerFeeRate
            parameters.takerFeeRate = try fees.double("taker", in: 0...0.01) ?? parameters.takerFeeRate
            try fees.finish()
        }
        if var rules = try root.object("instrument") {
            let defaults = Instrument.binanceDefaults(for: symbol)
            parameters.instrument = Instrument(
                symbol: symbol,
                tickSize: try rules.decimal("tickSize", as: Price.self) ?? defaults.tickSize,
                stepSize: try rules.decimal("stepSize", as: Quantity.self) ?? defaults.stepSize,
                minQuantity: try rules.decimal("minQuantity", as: Quantity.self) ?? defaults.minQuantity,
                minNotional: try rules.decimal("minNotional", as: Money.self, allowZero: true) ?? defaults.minNotional)
            try rules.finish()
        }
        if var detector = try root.object("regimeDetector") {
            let trendAbove = try detector.required("trendAbove") { (o, k) throws(ConfigurationError) in
                try o.double(k, in: 0...1000, lowerOpen: true)
            }
            let rangeBelow = try detector.required("rangeBelow") { (o, k) throws(ConfigurationError) in
                try o.double(k, in: 0...1000, lowerOpen: true)
            }
            let confirm = try detector.integer("confirmBars", in: 1...1000) ?? 3
            try detector.finish()
            guard rangeBelow < trendAbove else {
                throw ConfigurationError(
                    path: "regimeDetector.rangeBelow",
                    message: "must be below regimeDetector.trendAbove (\(trendAbove))")
            }
            parameters.regimeDetector = RegimeDetectorRule(
                trendAbove: trendAbove, rangeBelow: rangeBelow, confirmBars: confirm)
        }
        try root.finish()
        return parameters
    }
}
