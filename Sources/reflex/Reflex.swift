import ArgumentParser

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
}
