import ArgumentParser
import ReflexPaperVenue

/// `reflex venue` fault-injection flags, for exercising a client's resilience by hand.
struct VenueFaultOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Close every market-data WebSocket this many seconds after it opens.", valueName: "seconds"))
    var dropStreamEvery: Double?

    @Option(
        help: ArgumentHelp("Answer every n-th REST request with 503 (the order is still carried out).", valueName: "n"))
    var unavailableEvery: Int?

    @Option(help: ArgumentHelp("Delay every REST answer by this many milliseconds.", valueName: "ms"))
    var restDelay: Int?

    @Flag(help: "Post every webhook twice, with the same webhook-id.")
    var duplicateWebhooks = false

    @Flag(help: "Let webhooks overtake one another.")
    var reorderWebhooks = false

    func validate() throws {
        if let dropStreamEvery, !(dropStreamEvery > 0) { throw ValidationError("--drop-stream-every must be positive") }
        if let unavailableEvery, unavailableEvery < 1 { throw ValidationError("--unavailable-every must be 1 or more") }
        if let restDelay, restDelay < 0 { throw ValidationError("--rest-delay must not be negative") }
    }

    var faults: PaperVenueConfiguration.Faults {
        PaperVenueConfiguration.Faults(
            dropMarketStreamEvery: dropStreamEvery.map { .milliseconds(Int64($0 * 1000)) },
            serviceUnavailableEvery: unavailableEvery, serviceUnavailableExecutes: true,
            restDelay: restDelay.map { .milliseconds($0) }, duplicateWebhooks: duplicateWebhooks,
            reorderWebhooks: reorderWebhooks)
    }
}
