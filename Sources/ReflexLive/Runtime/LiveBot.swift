import Foundation
import Hummingbird
public import Logging
import ReflexCore
import ReflexExchange
import ReflexWebhook
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// `reflex run`: builds every part of a deployment and runs them as one `ServiceGroup`.
///
/// Start order (shutdown is the reverse): paper venue (if any), the venue client's REST connections, the engine's
/// runtime, the account stream, the market stream (after start-up reconciliation), the timer, then the listener
/// last. On SIGTERM the listener stops taking signals first, the feeds close, the engine pauses entries, lets the
/// orders it sent get their answers (up to 5 s) and flushes its journal, and only then are the REST connections
/// closed. Protective orders stay at the venue.
public struct LiveBot: Sendable {
    public let deployment: Deployment
    public let logger: Logger
    /// Called once the listener is up, with its port (tests use port 0).
    public var onListening: @Sendable (Int) async -> Void = { _ in }
    /// Extra services that need the runtime (the terminal status line), started after the sources.
    public var extraServices: @Sendable (TradingRuntime) -> [any Service] = { _ in [] }
    /// Builds the in-process venue of a `paper` config (the executable passes the paper venue).
    public var embeddedVenue: (@Sendable (EmbeddedVenue.Request) throws -> EmbeddedVenue)?

    public init(deployment: Deployment, logger: Logger) {
        self.deployment = deployment
        self.logger = logger
    }

    static let wallClock: @Sendable () -> Timestamp = {
        Timestamp(nanoseconds: Int64((Date().timeIntervalSince1970 * 1e9).rounded()))
    }

    public func run(secrets: SecretStore = SecretStore()) async throws {
        let config = deployment.config
        let state = try StateFolder(path: config.stateDirectory)
        try deployment.checkSecrets(secrets)
        let controlSecret = try WebhookSecret(
            config.controlSecretEnv.map { try secrets.require($0, for: "control secret") }
                ?? state.generatedSecret("control.secret"))
        var webhookSecrets = try config.listener.secretEnvs.map {
            try WebhookSecret(try secrets.require($0, for: "webhook secret"))
        }
        if webhookSecrets.isEmpty {
            // The embedded paper venue signs its fill webhooks with this one.
            webhookSecrets = [try WebhookSecret(state.generatedSecret("webhook.secret"))]
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []

        // The venue and the adapter that talks to it.
        var embedded: EmbeddedVenue?
        let symbols = config.symbols
        let adapter: VenueAdapter
        switch config.venue {
        case .paper:
            guard let embeddedVenue else {
                throw DeploymentError("venue paper: this build has no embedded paper venue; run it with `reflex run`")
            }
            let venue = try embeddedVenue(
                EmbeddedVenue.Request(
                    settings: config.paper, symbols: symbols, tapes: deployment.paperTapes,
                    webhookURL: "http://\(config.listener.host):\(config.listener.port)/webhooks/events",
                    webhookSecret: webhookSecrets[0].encoded))
            embedded = venue
            services.append(.init(service: venue.service))
            adapter = VenueAdapter.binance(
                urls: venue.urls, credentials: venue.credentials, config: config, logger: logger)
        default:
            adapter = try VenueAdapter.make(config: config, secrets: secrets, logger: logger)
        }
        let gateway = OrderExecution(client: adapter.client, logger: logger, now: Self.wallClock)
        services.append(.init(service: ExchangeConnections(client: adapter.client)))

        // The engine.
        let metrics = RuntimeMetrics(execution: { gateway.statistics })
        let runtime = try TradingRuntime(
            configuration: .init(
                engines: deployment.engineConfigurations, portfolio: config.portfolio,
                journalPath: state.file("journal.log"), recordingPath: config.record ? state.file("record.rticks") : nil
            ),
            gateway: gateway, logger: logger,
            tickToOrder: { elapsed in
                let (seconds, attoseconds) = elapsed.components
                metrics.observeTickToOrder(seconds: Double(seconds) + Double(attoseconds) / 1e18)
            })
        runtime.observers.withLock { $0.append { event, commands in metrics.observe(event, commands) } }
        services.append(.init(service: runtime))

        // Sources.
        services.append(.init(service: AccountFeed(stream: adapter.account, runtime: runtime)))
        services.append(
            .init(
                service: ReconciledTickFeed(
                    feeds: adapter.tickFeeds(runtime: runtime), runtime: runtime, venueReady: embedded?.ready,
                    logger: logger)))
        services.append(.init(service: PeriodicEvent.engineTimer(runtime: runtime, now: Self.wallClock)))
        services.append(
            .init(
                service: PeriodicEvent.reconciliation(
                    runtime: runtime, interval: .milliseconds(Int64(config.reconcileEverySeconds * 1000)),
                    now: Self.wallClock)))
        services += extraServices(runtime).map { .init(service: $0) }

        // The listener last: first to stop taking signals on shutdown.
        let listener = try WebhookListener(
            configuration: WebhookConfiguration(
                host: config.listener.host, port: config.listener.port, secrets: webhookSecrets,
                tradingViewSecret: try config.listener.tradingViewSecretEnv.map {
                    guard let secret = SharedSecret(try secrets.require($0, for: "TradingView secret")) else {
                        throw DeploymentError("\($0): the TradingView secret is too short")
                    }
                    return secret
                },
                tradingViewAllowList: Set(config.listener.allow), symbols: Set(symbols),
                deadLetterPath: state.file("dead-letter.jsonl"), maxBodyBytes: config.listener.maxBodyBytes,
                rateLimit: config.listener.rateLimit, rateBurst: Double(config.listener.rateBurst),
                tls: config.listener.tlsCert.map {
                    WebhookConfiguration.TLSFiles(certificatePath: $0, keyPath: config.listener.tlsKey!)
                },
                allowPlainHTTPOffLoopback: config.listener.allowPlainHTTP),
            logger: logger, observe: { _, status in metrics.observeWebhookAnswer(status) }
        ) { accepted in
            runtime.deliver(accepted.event)
        }
        let control = ControlRoutes(controlSecret: controlSecret, runtime: runtime, metrics: metrics)
        let app = try listener.makeApplication(onListening: onListening, extraRoutes: { control.register(on: $0) })
        services.append(.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup))

        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        logger.info(
            "reflex running",
            metadata: [
                "venue": "\(config.venue.rawValue)", "symbols": "\(symbols.joined(separator: ","))",
                "strategies": "\(deployment.strategies.map(\.name).joined(separator: ","))",
                "listener": "\(config.listener.host):\(config.listener.port)", "state": "\(config.stateDirectory)",
            ])
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}

/// Starts the market feed only after start-up reconciliation: the engine must know what the venue holds before
/// it acts on a single trade. If the two cannot be reconciled the bot refuses to start.
struct ReconciledTickFeed: Service {
    /// The market streams' feeds.
    let feeds: [any Service]
    let runtime: TradingRuntime
    /// The in-process venue's readiness, if the bot runs one.
    let venueReady: (@Sendable () async throws -> Void)?
    let logger: Logger

    func run() async throws {
        if let venueReady { try await venueReady() }
        var attempt = 0
        while true {
            do {
                try await runtime.reconcile(now: LiveBot.wallClock())
                break
            } catch let error as ReconciliationError {
                throw error
            } catch {
                attempt += 1
                guard attempt < 10 else {
                    throw ReconciliationError(message: "cannot reach the venue to reconcile: \(error)")
                }
                logger.warning("venue not reachable for reconciliation yet; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        for engine in runtime.portfolio.markets {
            logger.info(
                "reconciled with the venue",
                metadata: ["symbol": "\(engine.strategy.symbol)", "position": "\(engine.position.quantity)"])
        }
        try await withThrowingDiscardingTaskGroup { group in
            for feed in feeds { group.addTask { try await feed.run() } }
        }
    }
}
