/// Why a delivery was refused, precise enough for the sender to fix it and never revealing a secret.
public struct WebhookRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of failure; it decides the HTTP status.
    public enum Kind: Hashable, Sendable {
        /// Missing or bad signature, stale or future timestamp, wrong shared secret (401).
        case unauthenticated
        /// The source address is not on the allow-list (403).
        case forbidden
        /// The body is larger than the configured limit (413).
        case tooLarge
        /// Authenticated, but the body is not JSON (400).
        case malformed
        /// Authenticated JSON with a missing, mistyped or out-of-range field (422).
        case invalid
        /// The replay guard is full; refused rather than risk accepting a replay (503).
        case overloaded
    }

    public var kind: Kind
    /// The offending field as a path (`data.price`), or the header name, when one is to blame.
    public var field: String?
    public var reason: String

    public init(_ kind: Kind, field: String? = nil, _ reason: String) {
        self.kind = kind
        self.field = field
        self.reason = reason
    }

    /// HTTP status code for this rejection.
    public var statusCode: Int {
        switch kind {
        case .unauthenticated: return 401
        case .forbidden: return 403
        case .tooLarge: return 413
        case .malformed: return 400
        case .invalid: return 422
        case .overloaded: return 503
        }
    }

    /// Whether the raw body is kept in the dead-letter file: only authenticated bodies that could not be used.
    public var isDeadLettered: Bool { kind == .malformed || kind == .invalid }

    public var description: String { field.map { "\($0): \(reason)" } ?? reason }
}
