import Foundation
import ReflexBacktest
public import ReflexCore

/// A config with its strategies, checked together: what `reflex config check` validates and `reflex run` starts.
public struct Deployment: Sendable {
    public var configPath: String
    public var config: DeploymentConfig
    /// One per market, in config order.
    public var strategies: [StrategyParameters]
    /// Each market's client-order-id prefix (unique: account events are routed by it).
    public var orderIDPrefixes: [String]
    /// For the paper venue: each market's recording, in market order.
    public var paperTapes: [String]

    /// The first market's strategy (the only one of a one-market config).
    public var strategy: StrategyParameters { strategies[0] }

    /// Reads and checks `configPath` and the strategies it names, without starting anything.
    /// - Throws: `DeploymentError` naming the file and key path.
    public static func load(configPath: String) throws -> Deployment {
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw DeploymentError("cannot read config \(configPath)")
        }
        let config: DeploymentConfig
        do { config = try DeploymentConfig.decode(String(decoding: data, as: UTF8.self)) } catch {
            throw DeploymentError("config \(configPath): \(error)")
        }
        let several = config.markets.count > 1
        var strategies: [StrategyParameters] = []
        for (index, market) in config.markets.enumerated() {
            let key = several ? "markets[\(index)].strategy" : "strategy"
            guard let strategyData = FileManager.default.contents(atPath: market.strategyPath) else {
                throw DeploymentError("config \(configPath): \(key): cannot read \(market.strategyPath)")
            }
            let strategy: StrategyParameters
            do { strategy = try StrategyFile.decode(String(decoding: strategyData, as: UTF8.self)) } catch {
                throw DeploymentError("strategy file \(market.strategyPath): \(error)")
            }
            guard strategy.symbol == market.symbol else {
                throw DeploymentError(
                    several
                        ? "config \(configPath): \(key): \(market.strategyPath) trades \(strategy.symbol), not \(market.symbol)"
                        : "config \(configPath): symbols: \(config.symbols) does not match the strategy's symbol \(strategy.symbol)"
                )
            }
            strategies.append(strategy)
        }
        let prefixes = try orderIDPrefixes(config: config, strategies: strategies, configPath: configPath)
        var tapes: [String] = []
        if config.venue == .paper { tapes = try paperTapes(config: config, configPath: configPath) }
        return Deployment(
            configPath: configPath, config: config, strategies: strategies, orderIDPrefixes: prefixes,
            paperTapes: tapes)
    }

    /// One market keeps the prefix it always had (its strategy's name); several get their symbol in it, so that no
    /// two share one whatever their strategies are called.
    static func orderIDPrefixes(config: DeploymentConfig, strategies: [StrategyParameters], configPath: String) throws
        -> [String]
    {
        func letters(_ s: String) -> String { s.filter { $0.isASCII && ($0.isLetter || $0.isNumber) } }
        var out: [String] = []
        for (index, market) in config.markets.enumerated() {
            let prefix =
                market.orderIDPrefix
                ?? (config.markets.count == 1
                    ? String(letters(strategies[index].name).prefix(8))
                    : String(letters(strategies[index].name).prefix(4)) + String(letters(market.symbol).prefix(8)))
            if let other = out.firstIndex(of: prefix) {
                throw DeploymentError(
                    "config \(configPath): markets[\(index)].orderIDPrefix: \"\(prefix)\" is also markets[\(other)]'s; account events are routed by it, so give each market its own"
                )
            }
            out.append(prefix)
        }
        return out
    }

    /// Each market's recording: with one market and one file, that file; else each file's symbol as a backtest
    /// detects it.
    static func paperTapes(config: DeploymentConfig, configPath: String) throws -> [String] {
        for (index, path) in config.paper.tapes.enumerated() where !FileManager.default.isReadableFile(atPath: path) {
            let key = config.paper.tapes.count == 1 ? "paper.ticks" : "paper.ticks[\(index)]"
            throw DeploymentError("config \(configPath): \(key): cannot read \(path)")
        }
        if config.markets.count == 1 && config.paper.tapes.count == 1 { return config.paper.tapes }
        var bySymbol: [String: String] = [:]
        for (index, path) in config.paper.tapes.enumerated() {
            let symbol: String?
            do { symbol = try TickFileReader(path: path).symbol } catch {
                throw DeploymentError("config \(configPath): paper.ticks[\(index)]: \(error)")
            }
            guard let symbol else {
                throw DeploymentError(
                    "config \(configPath): paper.ticks[\(index)]: cannot tell the symbol of \(path); name it SYMBOL-trades-….csv"
                )
            }
            if let other = bySymbol[symbol] {
                throw DeploymentError(
                    "config \(configPath): paper.ticks[\(index)]: a second \(symbol) recording (\(other) and \(path))")
            }
            bySymbol[symbol] = path
        }
        return try config.markets.enumerated().map { index, market in
            guard let path = bySymbol[market.symbol] else {
                throw DeploymentError(
                    "config \(configPath): markets[\(index)].symbol: the paper venue has no recording of \(market.symbol) (paper.ticks has \(bySymbol.keys.sorted().joined(separator: ", ")))"
                )
            }
            return path
        }
    }

    /// Every environment variable the deployment needs, with what it is for.
    public var requiredSecrets: [(name: String, purpose: String)] {
        var out: [(String, String)] = []
        if let key = config.exchange.apiKeyEnv, config.venue != .paper { out.append((key, "exchange API key")) }
        if let secret = config.exchange.apiSecretEnv, config.venue != .paper {
            out.append((secret, "exchange API secret"))
        }
        for name in config.listener.secretEnvs { out.append((name, "webhook secret")) }
        if let tv = config.listener.tradingViewSecretEnv { out.append((tv, "TradingView secret")) }
        if let control = config.controlSecretEnv { out.append((control, "control secret")) }
        return out
    }

    /// Fails on the first missing secret: at start, never at the first order.
    public func checkSecrets(_ store: SecretStore) throws {
        for (name, purpose) in requiredSecrets { _ = try store.require(name, for: purpose) }
    }

    /// The first market's engine (the only one of a one-market config).
    public var engineConfiguration: EngineConfiguration { engineConfigurations[0] }

    /// One engine per market; each sizes against the whole account's equity and keeps its own risk limits.
    public var engineConfigurations: [EngineConfiguration] {
        strategies.indices.map {
            EngineConfiguration(
                strategy: strategies[$0], risk: config.risk, initialEquity: config.initialEquity,
                orderIDPrefix: orderIDPrefixes[$0])
        }
    }
}

public struct DeploymentError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
