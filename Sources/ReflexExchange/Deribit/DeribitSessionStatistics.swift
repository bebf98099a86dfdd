/// Counters kept by a `DeribitSession`.
public struct DeribitSessionStatistics: Hashable, Sendable {
    /// Connections opened.
    public var connections = 0
    /// Successful `public/auth`s.
    public var authentications = 0
    /// Refused `public/auth`s.
    public var authenticationFailures = 0
    /// Heartbeat notifications received (`test_request`s are answered).
    public var heartbeats = 0
    /// Account events delivered.
    public var accountEvents = 0
    /// Messages that were not valid Deribit messages.
    public var malformed = 0

    public init() {}
}
