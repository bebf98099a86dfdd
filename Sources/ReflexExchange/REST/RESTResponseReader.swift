import NIOCore
import NIOHTTP1
import NIOSSL

/// The last handler of a ``KeepAliveConnectionPool`` connection: gathers one response (head, body up to a limit,
/// end) and hands it over whole; reports the connection's end.
final class RESTResponseReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let maximumBodyBytes: Int
    private let onResponse: (Result<(RESTResponse, keepAlive: Bool), TransportError>) -> Void
    private let onClose: () -> Void
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    /// Set after a failed response: the rest of it is ignored while the connection closes.
    private var discarding = false

    init(
        maximumBodyBytes: Int,
        onResponse: @escaping (Result<(RESTResponse, keepAlive: Bool), TransportError>) -> Void,
        onClose: @escaping () -> Void
    ) {
        self.maximumBodyBytes = maximumBodyBytes
        self.onResponse = onResponse
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !discarding else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            guard body.readableBytes + part.readableBytes <= maximumBodyBytes else {
                discarding = true
                onResponse(.failure(TransportError("response larger than \(maximumBodyBytes) bytes")))
                context.close(promise: nil)
                return
            }
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            self.head = nil
            let response = RESTResponse(status: Int(head.status.code), headers: head.headers, body: body)
            body = ByteBuffer()
            onResponse(.success((response, head.isKeepAlive)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A TLS connection closed without its goodbye: the close that follows ends a response framed by the
        // connection's end, or fails an incomplete one (as "closed before the response").
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls { return }
        // A malformed response or a TLS failure (an untrusted certificate): the request in flight fails with the
        // reason, and the connection cannot be trusted for the next request.
        if !discarding {
            discarding = true
            onResponse(.failure(TransportError("connection failed: \(error)")))
        }
        context.close(promise: nil)
    }
}
