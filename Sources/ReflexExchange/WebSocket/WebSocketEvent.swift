/// What a `ResilientWebSocket` reports to its consumer, in order.
public enum WebSocketEvent: Hashable, Sendable {
    /// Connection number `connection` (1 = first) is open and subscriptions have been replayed.
    case connected(connection: Int)
    /// A text message, reassembled from its frames.
    case message(String)
    /// The connection closed; a reconnect follows unless the service is stopping.
    case disconnected(connection: Int, reason: WebSocketDisconnectReason)
}

/// Why a connection ended.
public enum WebSocketDisconnectReason: Hashable, Sendable, CustomStringConvertible {
    /// The server closed the connection (or the TCP stream ended).
    case closedByServer
    /// No message arrived within the configured silence timeout.
    case silent
    /// The connection reached its maximum age and is being replaced before the venue cuts it.
    case maximumAge
    /// A consumer asked for a fresh connection (new listen key, detected inconsistency).
    case requested
    /// Connecting or reading failed.
    case failed(String)

    public var description: String {
        switch self {
        case .closedByServer: return "closed by server"
        case .silent: return "silent stream"
        case .maximumAge: return "maximum connection age"
        case .requested: return "reconnect requested"
        case .failed(let reason): return "failed: \(reason)"
        }
    }

    /// Planned replacements reconnect at once; failures wait out the back-off.
    var isPlanned: Bool { self == .maximumAge || self == .requested }
}
