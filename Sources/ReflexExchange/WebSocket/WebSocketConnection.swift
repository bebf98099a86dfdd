import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// One client WebSocket connection on SwiftNIO whose text messages are handled inside the channel's read, on its
/// event loop: no queue and no task switch between the socket and the consumer. ``ResilientWebSocket`` opens one per
/// connection attempt.
///
/// Server pings are answered, a close frame is answered and the connection closed; fragmented messages are joined
/// up to a size limit (larger ones close the connection: the stream cannot be trusted after a lost message).
enum WebSocketConnection {
    /// What arrives on a connection, on its event loop.
    struct Handlers: Sendable {
        /// A whole text message and the instant it was read.
        var text: @Sendable (ByteBuffer, ContinuousClock.Instant) -> Void
        /// A binary message (unexpected from the venues Reflex speaks).
        var binary: @Sendable (Int, ContinuousClock.Instant) -> Void
    }

    /// Connects and upgrades; the returned channel speaks WebSocket frames (write text with ``textFrame(_:)``).
    static func connect(
        url: String, maximumMessageSize: Int, connectTimeout: TimeAmount, handlers: Handlers,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any(),
        tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
    ) async throws -> any Channel {
        let target = try ServerAddress(url, schemes: ("ws", "wss"))
        let tls = try target.secure ? NIOSSLContext(configuration: tlsConfiguration) : nil
        let upgraded = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: target.serverName))
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(
                        maxFrameSize: maximumMessageSize,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    WebSocketMessageReader(maximumMessageSize: maximumMessageSize, handlers: handlers))
                                return true
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: target.authority)
                    headers.add(name: "Content-Length", value: "0")
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: HTTPRequestHead(
                            version: .http1_1, method: .GET, uri: target.target, headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) })
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    // Frames the server sends right behind its 101 (a first message) arrive in the same read.
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    // The timeout covers the TLS handshake and the upgrade too: a server that accepts the connection
                    // and never answers must not hold the stream for ever (closing the channel fails the upgrade).
                    let stalled = channel.eventLoop.scheduleTask(in: connectTimeout) { channel.close(promise: nil) }
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: pipeline
                    ).always { _ in stalled.cancel() }.map { (channel, $0) }
                }
            }
        let (channel, accepted) = try await upgraded.get()
        guard accepted else {
            channel.close(promise: nil)
            throw TransportError("\(url): the server did not upgrade to WebSocket")
        }
        return channel
    }

    /// A masked text frame, as a client must send it.
    static func textFrame(_ text: String) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text))
    }
}

/// Joins frames into messages and hands them over in the read; answers pings and close frames.
final class WebSocketMessageReader: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let maximumMessageSize: Int
    private let handlers: WebSocketConnection.Handlers
    /// A fragmented message being joined, and whether it is text.
    private var partial: (buffer: ByteBuffer, text: Bool)?
    private var closing = false

    init(maximumMessageSize: Int, handlers: WebSocketConnection.Handlers) {
        self.maximumMessageSize = maximumMessageSize
        self.handlers = handlers
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let text = frame.opcode == .text
            if frame.fin {
                deliver(frame.unmaskedData, text: text)
            } else {
                partial = (frame.unmaskedData, text)
            }
        case .continuation:
            guard let (joined, text) = partial else { return }
            var buffer = joined
            var data = frame.unmaskedData
            guard buffer.readableBytes + data.readableBytes <= maximumMessageSize else {
                partial = nil
                close(context, code: .messageTooLarge)
                return
            }
            buffer.writeBuffer(&data)
            if frame.fin {
                partial = nil
                deliver(buffer, text: text)
            } else {
                partial = (buffer, text)
            }
        case .ping:
            guard !closing else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            // Echo the close (RFC 6455 §5.5.1), then the TCP connection goes.
            guard !closing else {
                context.close(promise: nil)
                return
            }
            closing = true
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            var body = context.channel.allocator.buffer(capacity: 2)
            body.write(webSocketErrorCode: code)
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: body)
            context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    private func deliver(_ buffer: ByteBuffer, text: Bool) {
        let now = ContinuousClock.now
        if text { handlers.text(buffer, now) } else { handlers.binary(buffer.readableBytes, now) }
    }

    private func close(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
        guard !closing else { return }
        closing = true
        var body = context.channel.allocator.buffer(capacity: 2)
        body.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: body)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
