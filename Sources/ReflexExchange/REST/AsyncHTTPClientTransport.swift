public import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A ``RESTTransport`` on AsyncHTTPClient's shared connection pool. Kept for comparison (`reflex bench`) and for
/// callers that already own an `HTTPClient`; the adapters default to ``KeepAliveConnectionPool``.
public struct AsyncHTTPClientTransport: RESTTransport {
    /// Scheme, host and port, without a trailing slash (`https://fapi.binance.com`).
    public let baseURL: String
    let client: HTTPClient
    let maximumResponseBytes: Int

    public init(baseURL: String, client: HTTPClient = .shared, maximumResponseBytes: Int = 16 << 20) {
        self.baseURL = baseURL
        self.client = client
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func execute(_ request: RESTRequest) async throws -> RESTResponse {
        var outgoing = HTTPClientRequest(url: baseURL + request.target)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body { outgoing.body = .bytes(body) }
        let response = try await client.execute(
            outgoing, timeout: .nanoseconds(request.timeout.nanoseconds), logger: nil)
        let body = try await response.body.collect(upTo: maximumResponseBytes)
        return RESTResponse(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// Nothing to close: the `HTTPClient` belongs to the caller (by default the process-wide shared one).
    public func shutdown() {}
}
