import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ReflexCore
public import ServiceLifecycle

/// The clock the listener reads: wall time, injectable so tests can replay fixed-time vectors.
public typealias WebhookClock = @Sendable () -> Timestamp

/// The webhook listener: an HTTP(S) server that verifies, de-duplicates, validates and routes deliveries.
///
/// Embed it in a `ServiceGroup` (it is a `Service`), or run it alone. Every accepted event is handed to
/// `deliver` exactly once, before the sender gets its 200; `deliver` must return at once (yield into an
/// `AsyncStream`), since the engine's work belongs after the answer.
///
/// ```swift
/// let (events, continuation) = AsyncStream.makeStream(of: AcceptedWebhook.self)
/// let listener = WebhookListener(configuration: config, logger: logger) { continuation.yield($0) }
/// let group = ServiceGroup(services: [engine, listener], gracefulShutdownSignals: [.sigterm], logger: logger)
/// ```
public struct WebhookListener: Service {
    public let configuration: WebhookConfiguration
    let pipeline: WebhookPipeline
    let logger: Logger

    /// - Parameters:
    ///   - configuration: addresses, secrets, limits.
    ///   - logger: receives one line per request (never a secret).
    ///   - clock: wall time; inject a fixed one in tests.
    ///   - observe: told the route and HTTP status of every answer (metrics).
    ///   - deliver: receives each accepted event once; must not block.
    /// - Throws: when the dead-letter file cannot be opened.
    public init(
        configuration: WebhookConfiguration, logger: Logger,
        clock: @escaping WebhookClock = WebhookListener.systemClock,
        observe: @escaping @Sendable (_ route: String, _ status: Int) -> Void = { _, _ in },
        deliver: @escaping @Sendable (AcceptedWebhook) -> Void
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.pipeline = WebhookPipeline(
            configuration: configuration,
            deadLetter: try configuration.deadLetterPath.map { try DeadLetterLog(path: $0) },
            clock: clock, logger: logger, observe: observe, deliver: deliver)
    }

    /// The system's wall clock.
    public static let systemClock: WebhookClock = {
        Timestamp(nanoseconds: Int64((Date().timeIntervalSince1970 * 1e9).rounded()))
    }

    /// Runs until cancelled or shut down gracefully.
    public func run() async throws {
        try await makeApplication().run()
    }

    /// Builds the Hummingbird application (for tests, or to add it to a group yourself).
    /// - Parameters:
    ///   - onListening: called with the bound port once the server is up (useful with port 0).
    ///   - extraRoutes: adds routes of the embedding program (the runtime's `/control/…` and `/metrics`).
    /// - Throws: ``WebhookConfigurationError`` for plain HTTP off loopback without the explicit override, or
    ///   when the TLS files cannot be read.
    public func makeApplication(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        extraRoutes: (Router<WebhookRequestContext>) -> Void = { _ in }
    ) throws -> Application<RouterResponder<WebhookRequestContext>> {
        let router = Router(context: WebhookRequestContext.self)
        extraRoutes(router)
        let pipeline = self.pipeline
        router.get("healthz") { request, context in pipeline.answerHealth(request, context: context) }
        if !configuration.secrets.isEmpty {
            router.post("webhooks/events") { request, context in await pipeline.receiveEvent(request, context: context)
            }
        }
        if configuration.tradingViewSecret != nil {
            router.post("webhooks/tradingview") { request, context in
                await pipeline.receiveAlert(request, context: context)
            }
        }
        let appConfiguration = ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "reflex-webhook")
        let onServerRunning: @Sendable (any Channel) async -> Void = { channel in
            await onListening(channel.localAddress?.port ?? 0)
        }
        // Internet-facing: a connection that sends nothing for 30 s is closed (slow-client exhaustion).
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(30)))
        if let tls = configuration.tls {
            let tlsConfiguration: TLSConfiguration
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map {
                    NIOSSLCertificateSource.certificate($0)
                }
                let key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)
                tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(key))
            } catch {
                throw WebhookConfigurationError("cannot load TLS certificate or key: \(error)")
            }
            logger.info(
                "webhook listener serving HTTPS",
                metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)"])
            return Application(
                router: router, server: try .tls(http1, tlsConfiguration: tlsConfiguration),
                configuration: appConfiguration, onServerRunning: onServerRunning, logger: logger)
        }
        if !WebhookConfiguration.isLoopback(configuration.host) {
            guard configuration.allowPlainHTTPOffLoopback else {
                throw WebhookConfigurationError(
                    "refusing plain HTTP on \(configuration.host): give a TLS certificate and key, bind to loopback, "
                        + "or allow plain HTTP explicitly when a TLS proxy sits in front")
            }
            logger.critical(
                "WEBHOOK LISTENER SERVES PLAIN HTTP OFF LOOPBACK: events cross the network unencrypted unless a TLS-terminating proxy is in front",
                metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)"])
        }
        return Application(
            router: router, server: http1, configuration: appConfiguration, onServerRunning: onServerRunning,
            logger: logger)
    }
}
