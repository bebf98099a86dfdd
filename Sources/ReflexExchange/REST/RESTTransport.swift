public import NIOCore
public import NIOHTTP1

/// How a REST adapter's requests reach the venue: one request, one response, over connections the transport keeps.
///
/// The adapters (signing, error mapping, retries) sit on top and do not care which transport carries them:
/// ``KeepAliveConnectionPool`` (the default, built for the order path) or ``AsyncHTTPClientTransport``.
public protocol RESTTransport: Sendable {
    /// Sends `request` and returns the venue's response, whatever its status.
    /// - Throws: when no complete response came back (connection refused or lost, timeout, response too large):
    ///   the request may or may not have been acted on.
    func execute(_ request: RESTRequest) async throws -> RESTResponse

    /// Closes the transport's connections; requests made afterwards fail. A server waits for its open connections
    /// when it stops, and one that no request ever used can keep it waiting for ever.
    func shutdown()
}

extension RESTTransport {
    public func shutdown() {}
}

/// One REST request, relative to the transport's base URL.
public struct RESTRequest: Sendable {
    public var method: HTTPMethod
    /// Path and encoded query, e.g. `/fapi/v1/order?symbol=BTCUSDT&…`.
    public var target: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer?
    /// Deadline for the whole exchange, from the call to the last byte of the response.
    public var timeout: Duration

    public init(
        method: HTTPMethod, target: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
        timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A complete response.
public struct RESTResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
