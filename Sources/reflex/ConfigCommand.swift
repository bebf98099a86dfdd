import ArgumentParser
import ReflexCore
import ReflexLive

extension Reflex {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work with deployment configs.", subcommands: [Check.self])

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Validate a config and its strategy file without starting anything.",
                discussion: "Checks types, ranges and unknown keys (errors name the key path), that the strategy "
                    + "file decodes and trades the config's symbol, that the paper tape is readable, and that every "
                    + "secret the config names is set in the environment or .env.")

            @Argument(help: "Config file, e.g. Config/paper.json.")
            var file: String = "Config/paper.json"

            func run() async throws {
                let deployment: Deployment
                do { deployment = try Deployment.load(configPath: file) } catch { throw CommandFailure("\(error)") }
                do { try deployment.checkSecrets(SecretStore()) } catch {
                    throw CommandFailure("config \(file): \(error)")
                }
                let c = deployment.config
                print("\(file): OK")
                print(
                    "  venue      \(c.venue.rawValue)\(c.venue == .paper ? " (replaying \(deployment.paperTapes.joined(separator: ", ")) ×\(c.paper.speed)\(c.paper.loop ? ", looping" : ""))" : "")"
                )
                for (index, s) in deployment.strategies.enumerated() {
                    print(
                        "  \(c.markets.count == 1 ? "strategy  " : "market    ") \(c.markets[index].strategyPath): \(s.name), \(s.symbol), \(s.barInterval) bars, \(s.initialMode.rawValue) mode, order ids \(deployment.orderIDPrefixes[index])-…"
                    )
                }
                let limits = c.portfolio
                if !limits.isEmpty {
                    var parts: [String] = []
                    if let v = limits.maxTotalNotional { parts.append("total notional ≤ \(v)") }
                    if let v = limits.maxOpenPositions { parts.append("open positions ≤ \(v)") }
                    if let v = limits.maxDailyLoss { parts.append("daily loss ≤ \(v)") }
                    if let v = limits.maxOrdersPerMinute { parts.append("account orders/min ≤ \(v)") }
                    print("  portfolio  \(parts.joined(separator: ", "))")
                }
                print(
                    "  listener   \(c.listener.tlsCert == nil ? "http" : "https")://\(c.listener.host):\(c.listener.port)"
                )
                print("  journal    \(c.stateDirectory)")
                let secrets = deployment.requiredSecrets.map(\.name)
                print(
                    "  secrets    \(secrets.isEmpty ? "none needed" : secrets.joined(separator: ", ") + " (all set)")")
            }
        }
    }
}
