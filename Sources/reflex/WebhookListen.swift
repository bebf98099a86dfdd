import ArgumentParser
import Foundation
import Logging
import ReflexCore
import ReflexWebhook
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `reflex webhook listen`: the listener alone; every accepted event goes to stdout as one JSON line.
struct WebhookListen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Run the webhook listener and print every accepted event to stdout as one JSON line.",
        discussion: "Secrets are read from the environment variables named here, never from arguments. "
            + "Logs (one line per request) go to stderr.")

    @Option(help: "Address to bind. Plain HTTP binds to loopback only unless --allow-plain-http.")
    var host = "127.0.0.1"
    @Option(help: "Port to bind (0 picks a free one).")
    var port = 8787
    @Option(help: "Environment variable holding a whsec_ secret (repeatable; a variable may list several).")
    var secretEnv: [String] = []
    @Option(help: "Environment variable holding the TradingView shared secret (enables /webhooks/tradingview).")
    var tradingviewSecretEnv: String?
    @Option(help: "Accepted symbol (repeatable); without it any well-formed symbol is accepted.")
    var symbol: [String] = []
    @Option(help: "Source address allowed on /webhooks/tradingview (repeatable); without it any address.")
    var allow: [String] = []
    @Option(help: "Dead-letter file (append-only JSON lines) for authenticated bodies that could not be used.")
    var deadLetter = "state/webhook-dead-letter.jsonl"
    @Option(help: "Requests per second per source address (0 = no limit).")
    var rateLimit: Double = 50
    @Option(help: "Requests a source may send in a burst.")
    var burst: Double = 100
    @Option(help: "Largest body accepted, in bytes.")
    var maxBodyBytes = 64 * 1024
    @Option(help: "TLS certificate chain (PEM).")
    var tlsCert: String?
    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?
    @Flag(help: "Allow plain HTTP on a non-loopback address (only behind a TLS-terminating proxy).")
    var allowPlainHTTP = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard !secretEnv.isEmpty || tradingviewSecretEnv != nil else {
            throw ValidationError("give at least one --secret-env or --tradingview-secret-env")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard rateLimit >= 0, burst >= 0, maxBodyBytes > 0 else {
            throw ValidationError("--rate-limit, --burst and --max-body-bytes must not be negative")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let logs = BatchedOutput(fileDescriptor: 2)
        LoggingSystem.bootstrap { label in BatchedLogHandler(label: label, level: level, output: logs) }
        let logger = Logger(label: "reflex.webhook")
        let environment = ProcessInfo.processInfo.environment
        var secrets: [WebhookSecret] = []
        for name in secretEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw ValidationError("environment variable \(name) is not set")
            }
            do {
                secrets += try WebhookSecret.list(value)
            } catch {
                throw ValidationError("\(name): \(error)")
            }
        }
        var tradingViewSecret: SharedSecret?
        if let name = tradingviewSecretEnv {
            guard let secret = environment[name].flatMap(SharedSecret.init) else {
                throw ValidationError("environment variable \(name) is not set")
            }
            tradingViewSecret = secret
        }
        let configuration = WebhookConfiguration(
            host: host, port: port, secrets: secrets, tradingViewSecret: tradingViewSecret,
            tradingViewAllowList: Set(allow), symbols: symbol.isEmpty ? nil : Set(symbol), deadLetterPath: deadLetter,
            maxBodyBytes: maxBodyBytes, rateLimit: rateLimit, rateBurst: burst,
            tls: tlsCert.map { .init(certificatePath: $0, keyPath: tlsKey ?? "") },
            allowPlainHTTPOffLoopback: allowPlainHTTP)

        // Accepted events go to stdout, one JSON line each; the request path only appends to a buffer.
        let printer = BatchedOutput(fileDescriptor: 1)
        let listener = try WebhookListener(configuration: configuration, logger: logger) {
            printer.append($0.jsonLine + "\n")
        }
        let group = ServiceGroup(
            services: [listener], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await printer.run() }
            tasks.addTask { await logs.run() }
            tasks.addTask {
                // Once the listener has stopped taking requests, both outputs drain what is queued and end.
                defer {
                    printer.finish()
                    logs.finish()
                }
                try await group.run()
            }
            try await tasks.waitForAll()
        }
    }
}
