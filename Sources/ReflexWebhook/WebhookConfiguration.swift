public import ReflexCore

/// Everything the listener needs, as one value. Secrets are already resolved (from environment variables, by the
/// caller) and print redacted.
public struct WebhookConfiguration: Sendable {
    /// Certificate chain and private key, both PEM files.
    public struct TLSFiles: Hashable, Sendable {
        public var certificatePath: String
        public var keyPath: String
        public init(certificatePath: String, keyPath: String) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }

    /// Address to bind.
    public var host: String
    /// Port to bind; 0 picks a free one.
    public var port: Int
    /// Standard Webhooks secrets for `/webhooks/events`; any of them may sign (rotation). Empty disables the route.
    public var secrets: [WebhookSecret]
    /// Shared secret for `/webhooks/tradingview`; nil disables the route.
    public var tradingViewSecret: SharedSecret?
    /// Source addresses allowed on `/webhooks/tradingview`; empty allows any.
    public var tradingViewAllowList: Set<String>
    /// Symbols accepted in events; nil accepts any well-formed symbol.
    public var symbols: Set<String>?
    /// Append-only JSON-lines file for authenticated bodies that could not be used; nil only logs them.
    public var deadLetterPath: String?
    /// Largest body accepted, in bytes (413 above).
    public var maxBodyBytes: Int
    /// Requests per second per source address; 0 turns rate limiting off.
    public var rateLimit: Double
    /// Requests a source may send at once before the rate applies.
    public var rateBurst: Double
    /// How far `webhook-timestamp` may be from now, either way.
    public var tolerance: Timestamp.Duration
    /// Most delivery ids remembered at once (503 beyond, rather than forgetting one).
    public var replayCapacity: Int
    /// Serve HTTPS with these files; nil serves plain HTTP.
    public var tls: TLSFiles?
    /// Allow plain HTTP on a non-loopback address (behind a TLS-terminating proxy). Logged loudly.
    public var allowPlainHTTPOffLoopback: Bool

    /// - Parameters:
    ///   - host: address to bind (default loopback).
    ///   - port: port to bind (default 8787).
    ///   - secrets: Standard Webhooks secrets.
    ///   - tradingViewSecret: shared secret for TradingView alerts.
    ///   - tradingViewAllowList: addresses allowed to send TradingView alerts.
    ///   - symbols: accepted symbols.
    ///   - deadLetterPath: dead-letter file.
    ///   - maxBodyBytes: body limit (default 64 KiB).
    ///   - rateLimit: per-source rate (default 50/s).
    ///   - rateBurst: per-source burst (default 100).
    ///   - tolerance: timestamp tolerance (default 5 minutes).
    ///   - replayCapacity: ids remembered at most.
    ///   - tls: certificate and key for HTTPS.
    ///   - allowPlainHTTPOffLoopback: allow plain HTTP beyond loopback.
    public init(
        host: String = "127.0.0.1", port: Int = 8787, secrets: [WebhookSecret] = [],
        tradingViewSecret: SharedSecret? = nil, tradingViewAllowList: Set<String> = [], symbols: Set<String>? = nil,
        deadLetterPath: String? = nil, maxBodyBytes: Int = 64 * 1024, rateLimit: Double = 50, rateBurst: Double = 100,
        tolerance: Timestamp.Duration = .seconds(300), replayCapacity: Int = 1_000_000, tls: TLSFiles? = nil,
        allowPlainHTTPOffLoopback: Bool = false
    ) {
        self.host = host
        self.port = port
        self.secrets = secrets
        self.tradingViewSecret = tradingViewSecret
        self.tradingViewAllowList = tradingViewAllowList
        self.symbols = symbols
        self.deadLetterPath = deadLetterPath
        self.maxBodyBytes = maxBodyBytes
        self.rateLimit = rateLimit
        self.rateBurst = rateBurst
        self.tolerance = tolerance
        self.replayCapacity = replayCapacity
        self.tls = tls
        self.allowPlainHTTPOffLoopback = allowPlainHTTPOffLoopback
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// A configuration the listener refuses to start with.
public struct WebhookConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
