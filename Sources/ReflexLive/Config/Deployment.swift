import Foundation
public import ReflexCore

/// A config with its strategy, checked together: what `reflex config check` validates and `reflex run` starts.
public struct Deployment: Sendable {
    public var configPath: String
    public var config: DeploymentConfig
    public var strategy: StrategyParameters

    /// Reads and checks `configPath` and the strategy it names, without starting anything.
    /// - Throws: `DeploymentError` naming the file and key path.
    public static func load(configPath: String) throws -> Deployment {
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw DeploymentError("cannot read config \(configPath)")
        }
        let config: DeploymentConfig
        do { config = try DeploymentConfig.decode(String(decoding: data, as: UTF8.self)) } catch {
            throw DeploymentError("config \(configPath): \(error)")
        }
        guard let strategyData = FileManager.default.contents(atPath: config.strategyPath) else {
            throw DeploymentError("config \(configPath): strategy: cannot read \(config.strategyPath)")
        }
        let strategy: StrategyParameters
        do { strategy = try StrategyFile.decode(String(decoding: strategyData, as: UTF8.self)) } catch {
            throw DeploymentError("strategy file \(config.strategyPath): \(error)")
        }
        guard config.symbols == [strategy.symbol] else {
            throw DeploymentError(
                "config \(configPath): symbols: \(config.symbols) does not match the strategy's symbol \(strategy.symbol)"
            )
        }
        if config.venue == .paper && !FileManager.default.isReadableFile(atPath: config.paper.ticks) {
            throw DeploymentError("config \(configPath): paper.ticks: cannot read \(config.paper.ticks)")
        }
        return Deployment(configPath: configPath, config: config, strategy: strategy)
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

    /// The engine this deployment runs.
    public var engineConfiguration: EngineConfiguration {
        EngineConfiguration(
            strategy: strategy, risk: config.risk, initialEquity: config.initialEquity,
            orderIDPrefix: String(strategy.name.filter { $0.isLetter || $0.isNumber }.prefix(8)))
    }
}

public struct DeploymentError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
