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
                let s = deployment.strategy
                print("\(file): OK")
                print(
                    "  venue      \(c.venue.rawValue)\(c.venue == .paper ? " (replaying \(c.paper.ticks) ×\(c.paper.speed)\(c.paper.loop ? ", looping" : ""))" : "")"
                )
                print(
                    "  strategy   \(c.strategyPath): \(s.name), \(s.symbol), \(s.barInterval) bars, \(s.initialMode.rawValue) mode"
                )
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
