import ArgumentParser

@main
struct Reflex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reflex",
        abstract:
            "A market-reaction bot for crypto perpetual futures: Donchian breakouts and fades, live or backtested.",
        version: "0.1.0",
        subcommands: [Venue.self]
    )
}
