public import Hummingbird
import NIOCore

/// Per-request context of the listener: Hummingbird's core storage plus the peer address (for rate limiting,
/// the allow-list and logs).
public struct WebhookRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address as text; an IPv4-mapped IPv6 address is shown as plain IPv4 so allow-lists match.
    public var sourceAddress: String {
        guard let address = remoteAddress?.ipAddress else { return "unknown" }
        return address.hasPrefix("::ffff:") && address.contains(".") ? String(address.dropFirst(7)) : address
    }
}
