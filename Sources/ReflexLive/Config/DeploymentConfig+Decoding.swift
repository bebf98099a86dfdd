public import ReflexCore

extension DeploymentConfig {
    /// Decodes a config strictly: unknown keys, wrong types and bad values are errors naming the key path.
    public static func decode(_ text: String) throws(ConfigurationError) -> DeploymentConfig {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch {
            throw ConfigurationError(path: "", message: "not valid JSON: \(error)")
        }
        var root = try StrictObject(json)
        let venueText = try root.required("venue") { (o, k) throws(ConfigurationError) in
            try o.string(k, allowed: VenueKind.allCases.map(\.rawValue))
        }
        let venue = VenueKind(rawValue: venueText)!
        let markets = try decodeMarkets(&root)
        var paper = PaperSettings(
            tapes: ["Data/BTCUSDT-trades-2024-08-08-2354.csv"], speed: 10, loop: true, host: "127.0.0.1", port: 0,
            balance: Money("10000")!, leverage: 10)
        if var o = try root.object("paper") {
            if case .array = o.peek("ticks") {
                paper.tapes = try stringArray(&o, "ticks") ?? []
                guard !paper.tapes.isEmpty else {
                    throw ConfigurationError(path: "paper.ticks", message: "expected at least one tick file")
                }
            } else if let ticks = try o.string("ticks") {
                paper.tapes = [ticks]
            }
            paper.speed = try o.double("speed", in: 0...10_000, lowerOpen: true) ?? paper.speed
            paper.loop = try o.bool("loop") ?? paper.loop
            paper.host = try o.string("host") ?? paper.host
            paper.port = try o.integer("port", in: 0...65_535) ?? paper.port
            paper.balance = try o.decimal("balance", as: Money.self) ?? paper.balance
            paper.leverage = try o.integer("leverage", in: 1...125) ?? paper.leverage
            try o.finish()
        }

        var exchange = ExchangeSettings(
            apiKeyEnv: nil, apiSecretEnv: nil, restURL: nil, streamURL: nil, privateStreamURL: nil, recvWindowMs: 5000)
        if var o = try root.object("exchange") {
            exchange.apiKeyEnv = try o.string("apiKeyEnv")
            exchange.apiSecretEnv = try o.string("apiSecretEnv")
            exchange.restURL = try o.string("restURL")
            exchange.streamURL = try o.string("streamURL")
            exchange.privateStreamURL = try o.string("privateStreamURL")
            exchange.recvWindowMs = try o.integer("recvWindowMs", in: 1...60_000) ?? exchange.recvWindowMs
            try o.finish()
        }
        if venue != .paper && (exchange.apiKeyEnv == nil || exchange.apiSecretEnv == nil) {
            throw ConfigurationError(
                path: "exchange.apiKeyEnv",
                message: "venue \(venue.rawValue) needs exchange.apiKeyEnv and exchange.apiSecretEnv")
        }

        var listener = ListenerSettings(
            host: "127.0.0.1", port: 8787, tlsCert: nil, tlsKey: nil, secretEnvs: [], tradingViewSecretEnv: nil,
            allow: [], rateLimit: 50, rateBurst: 100, maxBodyBytes: 64 * 1024, allowPlainHTTP: false)
        if var o = try root.object("listener") {
            listener.host = try o.string("host") ?? listener.host
            listener.port = try o.integer("port", in: 0...65_535) ?? listener.port
            listener.tlsCert = try o.string("tlsCert")
            listener.tlsKey = try o.string("tlsKey")
            listener.secretEnvs = try stringArray(&o, "secretEnvs") ?? []
            listener.tradingViewSecretEnv = try o.string("tradingViewSecretEnv")
            listener.allow = try stringArray(&o, "allow") ?? []
            listener.rateLimit = try o.double("rateLimit", in: 0...1_000_000) ?? listener.rateLimit
            listener.rateBurst = try o.integer("rateBurst", in: 1...1_000_000) ?? listener.rateBurst
            listener.maxBodyBytes = try o.integer("maxBodyBytes", in: 256...16_777_216) ?? listener.maxBodyBytes
            listener.allowPlainHTTP = try o.bool("allowPlainHTTP") ?? false
            try o.finish()
            if (listener.tlsCert == nil) != (listener.tlsKey == nil) {
                throw ConfigurationError(
                    path: "listener.tlsKey", message: "give both listener.tlsCert and listener.tlsKey, or neither")
            }
        }

        var controlSecretEnv: String?
        if var o = try root.object("control") {
            controlSecretEnv = try o.string("secretEnv")
            try o.finish()
        }

        var risk = RiskLimits()
        if var o = try root.object("risk") {
            risk.maxPositionNotional = try o.decimal("maxPositionNotional", as: Money.self)
            risk.maxLeverage = try o.double("maxLeverage", in: 0...125, lowerOpen: true)
            risk.maxDailyLoss = try o.decimal("maxDailyLoss", as: Money.self)
            risk.maxOrdersPerMinute = try o.integer("maxOrdersPerMinute", in: 1...10_000)
            risk.killSwitch = try o.bool("killSwitch") ?? false
            try o.finish()
        }
        if var o = try root.object("marginDefence") {
            let threshold = try o.double("threshold", in: 0...1, lowerOpen: true) ?? 0.8
            let action = try o.string("action", allowed: ["reduce", "addMargin"]) ?? "reduce"
            let fraction = try o.double("fraction", in: 0...1, lowerOpen: true)
            let amount = try o.decimal("amount", as: Money.self)
            let cooldown = try o.integer("cooldownSeconds", in: 0...86_400) ?? 30
            try o.finish()
            switch action {
            case "addMargin":
                guard let amount else {
                    throw ConfigurationError(
                        path: "marginDefence.amount", message: "required when action is \"addMargin\"")
                }
                // Said now rather than at the first margin call: only the Binance adapter can top up margin.
                guard [.paper, .binance, .binanceTestnet].contains(venue) else {
                    throw ConfigurationError(
                        path: "marginDefence.action",
                        message:
                            "\"addMargin\" is available on paper and binance venues only; use \"reduce\" on \(venue.rawValue)"
                    )
                }
                risk.marginDefence = MarginDefence(
                    threshold: threshold, action: .addMargin(amount), cooldown: .seconds(Int64(cooldown)))
            default:
                risk.marginDefence = MarginDefence(
                    threshold: threshold, action: .reduce(fraction: fraction ?? 0.5),
                    cooldown: .seconds(Int64(cooldown)))
            }
        }
        let state = try root.string("stateDirectory") ?? "state/\(venue.rawValue)"
        let record = try root.bool("record") ?? false
        let logFormat = LogFormat(rawValue: try root.string("logFormat", allowed: ["text", "json"]) ?? "text")!
        let metricsPort = try root.integer("metricsPort", in: 1...65_535)
        let equity = try root.decimal("initialEquity", as: Money.self) ?? paper.balance
        let reconcileEvery = try root.double("reconcileEverySeconds", in: 1...3_600) ?? 30
        let portfolio = try decodePortfolio(&root)
        try root.finish()
        var config = DeploymentConfig(
            venue: venue, markets: markets, paper: paper, exchange: exchange,
            listener: listener,
            controlSecretEnv: controlSecretEnv, risk: risk, stateDirectory: state, record: record, logFormat: logFormat,
            metricsPort: metricsPort, initialEquity: equity)
        config.reconcileEverySeconds = reconcileEvery
        config.portfolio = portfolio
        return config
    }

    /// `markets: [{symbol, strategy, orderIDPrefix?}]`, or the older one-market `symbols` + `strategy`.
    private static func decodeMarkets(_ root: inout StrictObject) throws(ConfigurationError) -> [MarketSettings] {
        func symbol(_ value: JSONValue?, path: String) throws(ConfigurationError) -> String {
            guard case .string(let s)? = value, s.count >= 2,
                s.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-" || $0 == "_") })
            else {
                throw ConfigurationError(path: path, message: "expected a symbol in capitals such as \"BTCUSDT\"")
            }
            return s
        }
        if let items = try root.array("markets") {
            if root.peek("symbols") != nil || root.peek("strategy") != nil {
                throw ConfigurationError(
                    path: "markets", message: "give either markets or symbols + strategy, not both")
            }
            guard !items.isEmpty else {
                throw ConfigurationError(path: "markets", message: "expected at least one market")
            }
            var markets: [MarketSettings] = []
            for (index, item) in items.enumerated() {
                var o = try StrictObject(item, path: "markets[\(index)]")
                let s = try symbol(o.value("symbol"), path: "markets[\(index)].symbol")
                let strategy = try o.required("strategy") { (o, k) throws(ConfigurationError) in try o.string(k) }
                var prefix = try o.string("orderIDPrefix")
                if let p = prefix {
                    guard (1...12).contains(p.count), p.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
                    else {
                        throw ConfigurationError(
                            path: "markets[\(index)].orderIDPrefix", message: "expected 1 to 12 letters or digits")
                    }
                    prefix = p
                }
                try o.finish()
                // One-way-mode accounts hold one position per symbol: two engines on one symbol would trade
                // each other's position.
                if let first = markets.firstIndex(where: { $0.symbol == s }) {
                    throw ConfigurationError(
                        path: "markets[\(index)].symbol",
                        message:
                            "\(s) is already markets[\(first)]; one-way-mode accounts hold one position per symbol, so each symbol is traded by one strategy"
                    )
                }
                markets.append(MarketSettings(symbol: s, strategyPath: strategy, orderIDPrefix: prefix))
            }
            return markets
        }
        let symbolValues = try root.required("symbols") { (o, k) throws(ConfigurationError) in try o.array(k) }
        var symbols: [String] = []
        for (index, value) in symbolValues.enumerated() {
            symbols.append(try symbol(value, path: "symbols[\(index)]"))
        }
        guard !symbols.isEmpty else {
            throw ConfigurationError(path: "symbols", message: "expected at least one symbol")
        }
        guard symbols.count == 1 else {
            throw ConfigurationError(
                path: "symbols",
                message: "symbols + strategy is one market; got \(symbols.count) symbols: list them under markets")
        }
        let strategy = try root.required("strategy") { (o, k) throws(ConfigurationError) in try o.string(k) }
        return [MarketSettings(symbol: symbols[0], strategyPath: strategy)]
    }

    private static func decodePortfolio(_ root: inout StrictObject) throws(ConfigurationError) -> PortfolioLimits {
        var limits = PortfolioLimits()
        guard var o = try root.object("portfolio") else { return limits }
        limits.maxTotalNotional = try o.decimal("maxTotalNotional", as: Money.self)
        limits.maxOpenPositions = try o.integer("maxOpenPositions", in: 1...1000)
        limits.maxDailyLoss = try o.decimal("maxDailyLoss", as: Money.self)
        limits.maxOrdersPerMinute = try o.integer("maxOrdersPerMinute", in: PortfolioRisk.entryReserve + 1...100_000)
        try o.finish()
        for (key, value) in [("maxTotalNotional", limits.maxTotalNotional), ("maxDailyLoss", limits.maxDailyLoss)] {
            if let value, value.raw <= 0 {
                throw ConfigurationError(path: "portfolio.\(key)", message: "expected a positive amount, got \(value)")
            }
        }
        return limits
    }

    private static func stringArray(_ o: inout StrictObject, _ key: String) throws(ConfigurationError) -> [String]? {
        guard let items = try o.array(key) else { return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item, !s.isEmpty else {
                throw ConfigurationError(
                    path: "\(o.path.isEmpty ? "" : o.path + ".")\(key)[\(i)]", message: "expected a non-empty string")
            }
            out.append(s)
        }
        return out
    }
}
