import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

extension BinanceRESTClient {
    /// Sends a request and decodes a 2xx body as `T`.
    func send<T: Decodable>(
        _ method: HTTPMethod, _ path: String, _ parameters: BinanceQuery, _ security: Security, as type: T.Type
    ) async throws -> T {
        let body = try await sendRaw(method, path, parameters, security)
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw ExchangeError(
                code: ExchangeError.malformedResponse,
                message: "\(method) \(path): \(error) in \(Self.truncated(String(decoding: body, as: UTF8.self)))")
        }
    }

    /// Sends a request; retries once after a `-1021` clock resync, waits out 429/418 `Retry-After`, and retries a
    /// read (GET) that met a passing failure (`readRetries`).
    /// - Returns: the body of a 2xx response.
    /// - Throws: `ExchangeError` for every other outcome.
    func sendRaw(
        _ method: HTTPMethod, _ path: String, _ parameters: BinanceQuery, _ security: Security
    ) async throws -> Data {
        var resynchronised = false
        var rateLimitRetries = 0
        var readRetries = method == .GET ? configuration.readRetries[...] : []
        if security == .signed && !state.withLock({ $0.synced }) { try await synchronizeTime() }
        while true {
            try await waitOutBlock()
            let query = try authenticatedQuery(parameters, security)
            var headers = HTTPHeaders()
            if security != .none, let credentials { headers.add(name: "X-MBX-APIKEY", value: credentials.apiKey) }
            let request = RESTRequest(
                method: method, target: query.isEmpty ? path : "\(path)?\(query)", headers: headers,
                timeout: configuration.requestTimeout)
            configuration.requestObserver?(method.rawValue, path)
            let response: RESTResponse
            do {
                response = try await transport.execute(request)
            } catch {
                if let delay = readRetries.popFirst() {
                    try await Task.sleep(for: delay)
                    continue
                }
                // Sent or not, no answer: for an order the caller must look it up before deciding.
                throw ExchangeError(code: ExchangeError.transport, message: "\(method) \(path): \(error)")
            }
            let status = response.status
            let body = Data(response.body.readableBytesView)
            if (200..<300).contains(status) { return body }
            let error = Self.error(status: status, headers: response.headers, body: body)
            if status >= 500, let delay = readRetries.popFirst() {
                logger.debug("binance read failed, retrying", metadata: ["path": "\(path)", "status": "\(status)"])
                try await Task.sleep(for: delay)
                continue
            }
            if error.code == ExchangeError.binanceInvalidTimestamp && !resynchronised {
                resynchronised = true
                logger.warning("binance -1021, resynchronising server time", metadata: ["path": "\(path)"])
                try await synchronizeTime()
                continue
            }
            if status == 429 || status == 418 {
                let wait = error.retryAfter ?? configuration.defaultRateLimitWait
                let until = ContinuousClock.now + wait
                state.withLock { $0.blockedUntil = max($0.blockedUntil ?? until, until) }
                logger.warning(
                    "binance rate limit", metadata: ["status": "\(status)", "retryAfter": "\(wait)", "path": "\(path)"])
                if wait <= configuration.maximumRateLimitWait && rateLimitRetries < configuration.rateLimitRetries {
                    rateLimitRetries += 1
                    continue
                }
            }
            throw error
        }
    }

    /// Waits while a 429/418 back-off is running, so no request adds to the ban; a ban longer than
    /// `maximumRateLimitWait` (418 bans last minutes to days) is thrown instead of waited out.
    private func waitOutBlock() async throws {
        guard let until = state.withLock({ $0.blockedUntil }) else { return }
        let remaining = until - ContinuousClock.now
        guard remaining > .zero else { return }
        guard remaining <= configuration.maximumRateLimitWait else {
            throw ExchangeError(
                code: ExchangeError.rateLimited, message: "rate-limit back-off in force for \(remaining)",
                retryAfter: remaining)
        }
        try await Task.sleep(until: until, clock: .continuous)
    }

    private func authenticatedQuery(_ parameters: BinanceQuery, _ security: Security) throws -> String {
        guard security == .signed else { return parameters.encoded }
        guard let signer else {
            throw ExchangeError(code: ExchangeError.binanceRejectedAPIKey, message: "no API credentials configured")
        }
        var query = parameters
        query.append("recvWindow", String(configuration.recvWindow))
        query.append("timestamp", String(configuration.wallClock() + serverTimeOffset))
        return signer.signed(query: query.encoded)
    }

    /// Maps a non-2xx response to a typed error (spec A2, A8).
    static func error(status: Int, headers: HTTPHeaders, body: Data) -> ExchangeError {
        let retryAfter = headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            .map { Duration.seconds($0) }
        let decoded = try? JSONDecoder().decode(BinanceErrorBody.self, from: body)
        let message = decoded?.msg ?? truncated(String(decoding: body, as: UTF8.self))
        if status == 503 && (decoded == nil || message.localizedCaseInsensitiveContains("unknown")) {
            // "Unknown error, please check your request…": the request may have executed.
            return ExchangeError(
                code: ExchangeError.executionUnknown, message: message, httpStatus: status, retryAfter: retryAfter)
        }
        if let decoded {
            return ExchangeError(code: decoded.code, message: decoded.msg, httpStatus: status, retryAfter: retryAfter)
        }
        let code =
            status == 429 ? ExchangeError.rateLimited : status == 418 ? ExchangeError.ipBanned : ExchangeError.httpError
        return ExchangeError(code: code, message: message, httpStatus: status, retryAfter: retryAfter)
    }

    static func truncated(_ text: String, limit: Int = 256) -> String {
        text.utf8.count <= limit ? text : String(decoding: text.utf8.prefix(limit), as: UTF8.self) + "…"
    }
}
