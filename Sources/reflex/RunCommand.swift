import ArgumentParser
import Foundation
import Logging
import ReflexCore
import ReflexLive
import ServiceLifecycle

/// `--config`, shared by `run` and the operator commands.
struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "Deployment config (JSON).")
    var config: String = "Config/paper.json"

    func load() throws -> Deployment {
        do { return try Deployment.load(configPath: config) } catch { throw CommandFailure("\(error)") }
    }
}

/// `--symbol`, shared by the operator commands that act on markets.
struct MarketOption: ParsableArguments {
    @Option(help: "Only this market (e.g. ETHUSDT); without it, every market the bot trades.")
    var symbol: String?
}

extension Reflex {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the bot: market stream, engine, orders, webhook listener and control API.",
            discussion: """
                With the default Config/paper.json it starts an embedded paper venue that replays the sample \
                recording ×10 in a loop, so the whole loop runs on loopback with no account. Stop with Ctrl-C \
                (SIGINT) or SIGTERM: entries stop, protective orders stay at the venue, the journal is flushed. \
                A restart (even after kill -9) recovers the engine from the journal in the state folder.
                """)

        @OptionGroup var options: ConfigOption

        func run() async throws {
            let deployment = try options.load()
            let format = deployment.config.logFormat
            LoggingSystem.bootstrap { label in
                var handler: any LogHandler =
                    format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
                handler.logLevel = .info
                return handler
            }
            var bot = LiveBot(deployment: deployment, logger: Logger(label: "reflex"))
            bot.embeddedVenue = EmbeddedVenue.paper
            if isatty(1) == 1 {
                bot.extraServices = { [StatusLine(runtime: $0)] }
            }
            do { try await bot.run() } catch { throw CommandFailure("\(error)") }
        }
    }

    struct Mode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch the running bot to trend or range mode, live.")
        @Argument(help: "trend or range") var mode: TradingMode
        @OptionGroup var options: ConfigOption
        @OptionGroup var market: MarketOption
        func run() async throws { try await control(.mode(mode), options, symbol: market.symbol) }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop opening positions; exits and protection go on.",
            discussion:
                "An open position keeps its stop-loss and take-profit and its trend exits. `reflex flatten` is the command that closes it."
        )
        @OptionGroup var options: ConfigOption
        @OptionGroup var market: MarketOption
        func run() async throws { try await control(.pause, options, symbol: market.symbol) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allow entries again, and clear order paths halted by refusals in a row.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var market: MarketOption
        func run() async throws { try await control(.resume, options, symbol: market.symbol) }
    }

    struct Flatten: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel all orders, close the position at market and pause entries (every market, or --symbol's)."
        )
        @OptionGroup var options: ConfigOption
        @OptionGroup var market: MarketOption
        func run() async throws { try await control(.flatten, options, symbol: market.symbol) }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the running bot's state.")
        @OptionGroup var options: ConfigOption
        @Flag(help: "Print one JSON object.") var json = false
        func run() async throws {
            let answer = try await send(.status, options)
            guard json else {
                print(StatusText.readable(fromControlAnswer: answer))
                return
            }
            print(StatusText.botObject(fromControlAnswer: answer))
        }
    }
}

func send(_ request: OperatorRequest, _ options: ConfigOption, symbol: String? = nil) async throws -> String {
    let deployment = try options.load()
    let client: ControlClient
    do { client = try ControlClient(config: deployment.config) } catch { throw CommandFailure("\(error)") }
    let (status, body): (Int, String)
    do { (status, body) = try await client.send(request, symbol: symbol?.uppercased()) } catch {
        throw CommandFailure("\(error)")
    }
    guard status == 200 else { throw CommandFailure("the bot answered \(status): \(body)") }
    return body
}

func control(_ request: OperatorRequest, _ options: ConfigOption, symbol: String? = nil) async throws {
    let answer = try await send(request, options, symbol: symbol)
    print(StatusText.readable(fromControlAnswer: answer))
}
