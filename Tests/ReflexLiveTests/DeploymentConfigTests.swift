import Foundation
import ReflexCore
import Testing

@testable import ReflexLive

@Suite("Deployment configs")
struct DeploymentConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(
        "The shipped configs and their strategies decode and agree",
        arguments: [
            "paper", "binance-testnet", "bybit-testnet", "deribit-testnet",
        ])
    func shipped(name: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Config/\(name).json"), encoding: .utf8)
        let config = try DeploymentConfig.decode(text)
        #expect(config.listener.host == "127.0.0.1")
        let strategy = try StrategyFile.decode(
            String(contentsOf: Self.root.appendingPathComponent(config.strategyPath), encoding: .utf8))
        #expect(config.symbols == [strategy.symbol])
    }

    @Test("The paper default needs no secret; testnet names its variables")
    func secrets() throws {
        func load(_ name: String) throws -> Deployment {
            let text = try String(contentsOf: Self.root.appendingPathComponent("Config/\(name).json"), encoding: .utf8)
            let strategy = try StrategyFile.decode(
                String(contentsOf: Self.root.appendingPathComponent("Strategies/donchian-trend.json"), encoding: .utf8))
            return Deployment(
                configPath: name, config: try DeploymentConfig.decode(text), strategies: [strategy],
                orderIDPrefixes: ["donchian"], paperTapes: [])
        }
        let paper = try load("paper")
        #expect(paper.requiredSecrets.isEmpty)
        try paper.checkSecrets(SecretStore(environment: [:], dotEnvPath: nil))
        let testnet = try load("binance-testnet")
        #expect(testnet.requiredSecrets.map(\.name).contains("BINANCE_TESTNET_API_KEY"))
        #expect(throws: SecretError.self) { try testnet.checkSecrets(SecretStore(environment: [:], dotEnvPath: nil)) }
        let all = Dictionary(uniqueKeysWithValues: testnet.requiredSecrets.map { ($0.name, "x") })
        try testnet.checkSecrets(SecretStore(environment: all, dotEnvPath: nil))
    }

    static let base = #""venue":"paper","symbols":["BTCUSDT"],"strategy":"Strategies/donchian-trend.json""#

    @Test(
        "A typo or a bad value fails with the key path",
        arguments: [
            (#"{\#(base),"listner":{}}"#, "listner", "unknown key"),
            (#"{\#(base),"risk":{"maxLeverag":3}}"#, "risk.maxLeverag", "unknown key"),
            (#"{"venue":"kraken","symbols":["BTCUSDT"],"strategy":"s"}"#, "venue", "expected one of"),
            (#"{\#(base),"paper":{"speed":0}}"#, "paper.speed", "expected a number"),
            (#"{\#(base),"listener":{"port":"8787"}}"#, "listener.port", "expected an integer"),
            (#"{\#(base),"marginDefence":{"action":"addMargin"}}"#, "marginDefence.amount", "required"),
            (
                #"{"venue":"bybit","symbols":["BTCUSDT"],"strategy":"s","exchange":{"apiKeyEnv":"K","apiSecretEnv":"S"},"marginDefence":{"action":"addMargin","amount":"50"}}"#,
                "marginDefence.action", "binance venues only"
            ),
            (#"{\#(base),"logFormat":"xml"}"#, "logFormat", "expected one of"),
            (#"{"venue":"binance","symbols":["BTCUSDT"],"strategy":"s"}"#, "exchange.apiKeyEnv", "needs"),
            (#"{"venue":"paper","symbols":["btcusdt"],"strategy":"s"}"#, "symbols[0]", "capitals"),
            (#"{\#(base),"listener":{"tlsCert":"a.pem"}}"#, "listener.tlsKey", "both"),
            (#"{"venue":"paper","markets":[]}"#, "markets", "at least one"),
            (#"{"venue":"paper","markets":[{"symbol":"BTCUSDT"}]}"#, "markets[0].strategy", "required"),
            (#"{"venue":"paper","markets":[{"symbol":"eth","strategy":"s"}]}"#, "markets[0].symbol", "capitals"),
            (
                #"{"venue":"paper","markets":[{"symbol":"BTCUSDT","strategy":"a"},{"symbol":"BTCUSDT","strategy":"b"}]}"#,
                "markets[1].symbol", "already markets[0]"
            ),
            (
                #"{"venue":"paper","markets":[{"symbol":"BTCUSDT","strategy":"a","orderIDPrefix":"a-b"}]}"#,
                "markets[0].orderIDPrefix", "letters or digits"
            ),
            (
                #"{"venue":"paper","markets":[{"symbol":"BTCUSDT","strategy":"a","size":1}]}"#, "markets[0].size",
                "unknown"
            ),
            (#"{\#(base),"markets":[{"symbol":"BTCUSDT","strategy":"a"}]}"#, "markets", "not both"),
            (#"{\#(base),"portfolio":{"maxOpenPositions":0}}"#, "portfolio.maxOpenPositions", "expected an integer"),
            (
                #"{\#(base),"portfolio":{"maxOrdersPerMinute":3}}"#, "portfolio.maxOrdersPerMinute",
                "expected an integer"
            ),
            (#"{\#(base),"portfolio":{"maxTotalNotional":"-5"}}"#, "portfolio.maxTotalNotional", "positive decimal"),
            (#"{\#(base),"portfolio":{"maxNotional":"5"}}"#, "portfolio.maxNotional", "unknown key"),
            (#"{"venue":"paper","symbols":["BTCUSDT","ETHUSDT"],"strategy":"s"}"#, "symbols", "under markets"),
        ])
    func namedErrors(text: String, path: String, message: String) throws {
        do {
            _ = try DeploymentConfig.decode(text)
            Issue.record("should fail: \(text)")
        } catch {
            #expect(error.path == path)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test(".env values apply under the environment")
    func dotEnv() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID().uuidString)").path
        try "# comment\nexport A=1\nB=\"two words\"\nC='x'\n".write(toFile: file, atomically: true, encoding: .utf8)
        let store = SecretStore(environment: ["C": "env"], dotEnvPath: file)
        #expect(store.optional("A") == "1")
        #expect(store.optional("B") == "two words")
        #expect(store.optional("C") == "env")
        #expect(store.optional("D") == nil)
    }

    @Test("A generated secret is created once with mode 0600 and read back")
    func generatedSecret() throws {
        let folder = try StateFolder(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path)
        let first = try folder.generatedSecret("control.secret")
        #expect(first.hasPrefix("whsec_") && first.count > 40)
        #expect(try folder.generatedSecret("control.secret") == first)
        #expect(folder.existingSecret("control.secret") == first)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.file("control.secret"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
