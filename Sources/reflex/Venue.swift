import ArgumentParser
import Foundation
import Logging
import ReflexCore
import ReflexPaperVenue
import ServiceLifecycle
import UnixSignals

extension Reflex {
    /// `reflex venue`: the paper exchange on loopback.
    struct Venue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a local paper exchange that speaks Binance USDⓈ-M futures.",
            discussion: """
                Replays a recorded tick file as aggTrade streams and matches orders against it, so the real \
                Binance adapter (or any Binance USDⓈ-M client library) trades against it with no account and \
                no internet. Point the client's REST base at http://HOST:PORT and its WebSocket base at \
                ws://HOST:PORT.

                Endpoints:
                  REST  /fapi/v1/time, exchangeInfo, aggTrades, order, openOrders,
                        algoOrder, openAlgoOrders, listenKey, leverage;
                        /fapi/v3/positionRisk, account, balance
                  WS    /market/ws/btcusdt@aggTrade
                        /market/stream?streams=btcusdt@aggTrade
                        /private/ws/<listenKey>

                The symbol comes from the file when it says, else --symbol, else a
                Binance-style file name (BTCUSDT-trades-...). Secrets come only from
                environment variables.

                Example:
                  export VENUE_KEY=k VENUE_SECRET=s
                  reflex venue --ticks BTCUSDT-trades-2024-08-08.csv --speed 10 --loop \\
                    --api-key-env VENUE_KEY --api-secret-env VENUE_SECRET
                """)

        @Option(help: "Tick file to replay (Binance trades/aggTrades CSV, Tardis, Reflex; .gz too).")
        var ticks: String

        @Option(help: "Symbol of the tape, when the file does not say (default: from a BTCUSDT-trades-… file name).")
        var symbol: String?

        @Option(help: "Interface to listen on.")
        var host = "127.0.0.1"

        @Option(help: "TCP port (0 = any free port).")
        var port = 8765

        @Option(help: "Replay speed: 1 = real time, 10 = ten times faster, 0 = as fast as possible.")
        var speed: Double = 1

        @Flag(help: "Replay the tape again when it ends, with times shifted forward.")
        var loop = false

        @Option(help: "Environment variable holding the API key clients must send.")
        var apiKeyEnv: String?

        @Option(help: "Environment variable holding the API secret requests are signed with.")
        var apiSecretEnv: String?

        @Option(help: "URL to post Standard-Webhooks-signed fills, positions, margin warnings and liquidations to.")
        var webhookURL: String?

        @Option(help: "Environment variable holding the webhook secret (whsec_<base64>).")
        var webhookSecretEnv: String?

        @Option(help: "Starting USDT wallet balance.")
        var balance = "10000"

        @Option(help: "Leverage of the isolated position.")
        var leverage = 10

        @Flag(help: "Hold the tape until the first market-data client subscribes (it then sees every trade).")
        var waitForSubscriber = false

        @OptionGroup(title: "Fault injection")
        var faultOptions: VenueFaultOptions

        func validate() throws {
            guard (apiKeyEnv == nil) == (apiSecretEnv == nil) else {
                throw ValidationError("--api-key-env and --api-secret-env go together")
            }
            guard (webhookURL == nil) == (webhookSecretEnv == nil) else {
                throw ValidationError("--webhook-url needs --webhook-secret-env (and the other way round)")
            }
            guard speed >= 0, speed.isFinite else { throw ValidationError("--speed must be 0 or more") }
            guard Money(balance).map({ $0.raw > 0 }) == true else {
                throw ValidationError("--balance must be a positive decimal, e.g. 10000")
            }
            guard (1...125).contains(leverage) else { throw ValidationError("--leverage must be between 1 and 125") }
        }

        func run() async throws {
            let logger = Logger(label: "reflex.venue")
            let configuration = try makeConfiguration()
            let venue = PaperVenue(configuration: configuration, logger: logger)
            var group = ServiceGroupConfiguration(
                services: [.init(service: venue)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            // A stuck client connection must not keep the process alive after Ctrl-C.
            group.maximumGracefulShutdownDuration = .seconds(10)
            do {
                try await ServiceGroup(configuration: group).run()
            } catch {
                // NIO's bind error alone does not say which address; the operator needs that to pick another.
                throw CommandFailure("paper venue on \(host):\(port): \(error)")
            }
        }

        func makeConfiguration() throws -> PaperVenueConfiguration {
            guard FileManager.default.isReadableFile(atPath: ticks) else {
                throw CommandFailure("cannot read tick file \(ticks)")
            }
            guard
                let symbol = Tape.resolveSymbol(fileSymbol: try Tape.symbol(ofFile: ticks), option: symbol, path: ticks)
            else {
                throw CommandFailure(
                    "no symbol: \(ticks) does not name one; pass --symbol (e.g. --symbol BTCUSDT)")
            }
            var credentials: PaperVenueConfiguration.Credentials?
            if let apiKeyEnv, let apiSecretEnv {
                credentials = .init(apiKey: try Self.environment(apiKeyEnv), secret: try Self.environment(apiSecretEnv))
            }
            var webhook: PaperVenueConfiguration.Webhook?
            if let webhookURL, let webhookSecretEnv {
                webhook = .init(url: webhookURL, secret: try Self.environment(webhookSecretEnv))
            }
            return PaperVenueConfiguration(
                symbol: symbol, tape: .file(path: ticks), host: host, port: port, speed: speed == 0 ? .infinity : speed,
                loop: loop, tapeStart: waitForSubscriber ? .onFirstSubscriber : .immediately, credentials: credentials,
                webhook: webhook, initialBalance: Money(balance)!, leverage: leverage, faults: faultOptions.faults)
        }

        static func environment(_ name: String) throws -> String {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw CommandFailure("environment variable \(name) is not set")
            }
            return value
        }
    }
}
