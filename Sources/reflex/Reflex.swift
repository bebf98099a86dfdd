import ArgumentParser
import NIOCore
import NIOPosix

@main
struct Reflex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reflex",
        abstract:
            "A market-reaction bot for crypto perpetual futures: Donchian breakouts and fades, live or backtested.",
        discussion: """
            Backtest a strategy file against recorded ticks:
              reflex backtest --strategy Strategies/donchian-trend.json --ticks Data/BTCUSDT-trades-2024-08-08-2354.csv
            """,
        version: "0.1.0",
        subcommands: [
            Run.self, Mode.self, Pause.self, Resume.self, Flatten.self, Status.self, Backtest.self, Indicators.self,
            Bench.self, Config.self, Webhook.self, Venue.self,
        ]
    )

    /// The network commands (and `bench`, whose order round trips should be measured as `run` places orders) run
    /// every task and every socket on one event-loop thread.
    ///
    /// A tick otherwise crosses several threads between the WebSocket read and the order's REST write (event loop →
    /// Swift's cooperative pool → back to an event loop), and each crossing is a kernel wake-up that costs tens of
    /// microseconds and, on a busy machine, milliseconds at the tail. With NIO's event loop as Swift's global
    /// executor and a single loop, every hop is a queue append on the same thread. One core is ample for one bot.
    ///
    /// Not `venue`: with NIO's loop as its executor, `reflex venue` stopped accepting connections at the first order
    /// on one machine kind (its loop idle, new sockets never read; the bot's latency does not depend on the venue's
    /// threads), while the venue in the tests, which runs on Swift's own executor, never did.
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        if let subcommand = arguments.first, ["run", "bench"].contains(subcommand),
            !arguments.contains(where: { ["-h", "--help", "help"].contains($0) })
        {
            NIOSingletons.groupLoopCountSuggestion = 1
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
