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
                Replays recorded tick files as aggTrade streams and matches orders against them, so the real \
                Binance adapter (or any Binance USDⓈ-M client library) trades against it with no account and \
                no internet. Point the client's REST base at http://HOST:PORT and its WebSocket base at \
                ws://HOST:PORT.

                One --ticks per symbol: every file replays on one port and one account (one USDT wallet, an \
                isolated position per symbol), merged by trade time on one clock. With --loop, a pass ends when \
                the longest file ends and every file restarts together.

                Endpoints:
                  REST  /fapi/v1/time, exchangeInfo, aggTrades, order, openOrders,
                        algoOrder, openAlgoOrders, listenKey, leverage;
                        /fapi/v3/positionRisk, account, balance
                  WS    /market/ws/btcusdt@aggTrade
                        /market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade
                        /private/ws/<listenKey>

                Each file's symbol comes from the file when it says, else --symbol (only
                with a single --ticks), else a Binance-style file name (BTCUSDT-trades-...).
                Two files of the same symbol are an error. Secrets come only from
                environment variables.

                Example:
                  export VENUE_KEY=k VENUE_SECRET=s
                  reflex venue --ticks BTCUSDT-trades-2024-08-08.csv \\
                    --ticks ETHUSDT-trades-2024-08-08.csv --speed 10 --loop \\
                    --api-key-env VENUE_KEY --api-secret-env VENUE_SECRET
                """)

        @Option(
            help: """
                Tick file to replay (Binance trades/aggTrades CSV, Tardis, Reflex; .gz too). Repeat it for more \
                symbols, one file each.
                """)
        var ticks: [String]

        @Option(
            help: """
                Symbol of the tape, when the file does not say (only with one --ticks; default: from a \
                BTCUSDT-trades-… file name).
                """)
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
            guard symbol == nil || ticks.count == 1 else {
                throw ValidationError(
                    "--symbol names the symbol of a single --ticks file; with several, use files that say their"
                        + " symbol or Binance-style names (BTCUSDT-trades-…)")
            }
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
            var markets: [PaperVenueConfiguration.Market] = []
            var files: [String: String] = [:]  // symbol → the file that trades it
            for path in ticks {
                let resolved = try Self.symbol(ofTicks: path, option: symbol)
                if let other = files[resolved] {
                    throw CommandFailure("\(other) and \(path) are both \(resolved); give one tick file per symbol")
                }
                files[resolved] = path
                markets.append(.init(symbol: resolved, tape: .file(path: path)))
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
                markets: markets, host: host, port: port, speed: speed == 0 ? .infinity : speed, loop: loop,
                tapeStart: waitForSubscriber ? .onFirstSubscriber : .immediately, credentials: credentials,
                webhook: webhook, initialBalance: Money(balance)!, leverage: leverage, faults: faultOptions.faults)
        }

        /// The symbol a tick file replays as: the file's own, else `option` (`--symbol`), else its Binance-style name.
        static func symbol(ofTicks path: String, option: String?) throws -> String {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw CommandFailure("cannot read tick file \(path)")
            }
            guard let symbol = Tape.resolveSymbol(fileSymbol: try Tape.symbol(ofFile: path), option: option, path: path)
            else {
                throw CommandFailure(
                    "no symbol: \(path) does not name one; pass --symbol (e.g. --symbol BTCUSDT) with a single"
                        + " --ticks, or name the file like BTCUSDT-trades-….csv")
            }
            return symbol
        }

        static func environment(_ name: String) throws -> String {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw CommandFailure("environment variable \(name) is not set")
            }
            return value
        }
    }
}
