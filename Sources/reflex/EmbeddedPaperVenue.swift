import Foundation
import Logging
import ReflexCore
import ReflexExchange
import ReflexLive
import ReflexPaperVenue
import ReflexWebhook

extension EmbeddedVenue {
    /// The paper venue `reflex run` starts for a `"venue": "paper"` config: every market's recording on one port,
    /// a fresh API key each start, fills posted to the bot's own listener; no faults.
    @Sendable static func paper(_ request: Request) throws -> EmbeddedVenue {
        let settings = request.settings
        let key = "paper-" + UUID().uuidString.prefix(8).lowercased()
        let secret = WebhookSecret.generate().encoded
        var configuration = PaperVenueConfiguration(
            markets: zip(request.symbols, request.tapes).map {
                PaperVenueConfiguration.Market(symbol: $0, tape: .file(path: $1))
            },
            host: settings.host, port: settings.port, speed: settings.speed, loop: settings.loop,
            credentials: .init(apiKey: key, secret: secret),
            webhook: .init(url: request.webhookURL, secret: request.webhookSecret),
            initialBalance: settings.balance, leverage: settings.leverage)
        configuration.faults = .none
        let venue = PaperVenue(configuration: configuration, logger: Logger(label: "reflex.venue"))
        return EmbeddedVenue(
            service: venue, urls: .local(host: settings.host, port: settings.port),
            credentials: BinanceCredentials(apiKey: key, secretKey: secret),
            ready: { _ = try await venue.boundPort() })
    }
}
