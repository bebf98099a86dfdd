import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

extension BybitRESTClient {
    /// Sends a GET (query) request and returns the envelope of a `retCode == 0` answer.
    func send(_ method: HTTPMethod, _ path: String, query: BybitQuery, signed: Bool) async throws -> BybitEnvelope {
        try await send(method, path, payload: .query(query.encoded), signed: signed)
    }

    /// Sends a signed POST with `body` as the exact JSON bytes.
    func send(_ method: HTTPMethod, _ path: String, body: String) async throws -> BybitEnvelope {
        try await send(method, path, payload: .body(body), signed: true)
    }

    enum Payload {
        case query(String)
        case body(String)

        /// What goes after `timestamp + apiKey + recvWindow` in the signed string.
        var signed: String {
            switch self {
            case .query(let query): return query
            case .body(let body): return body
            }
        }
    }

    /// Sends one request: waits out an exhausted limit window, signs, retries once after a `10002` clock resync
    /// and up to `rateLimitRetries` times after `10006`.
    /// - Throws: `ExchangeError` for every outcome but `retCode == 0`.
    func send(_ method: HTTPMethod, _ path: String, payload: Payload, signed: Bool) async throws -> BybitEnvelope {
        var resynchronised = false
        var rateLimitRetries = 0
        if signed && !state.withLock({ $0.synced }) { try await synchronizeTime() }
        while true {
            try await waitOutLimit(path)
            var target = path
            if case .query(let query) = payload, !query.isEmpty { target += "?\(query)" }
            var request = RESTRequest(method: method, target: target, timeout: configuration.requestTimeout)
            request.headers.add(name: "User-Agent", value: "reflex")
            if case .body(let body) = payload {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = ByteBuffer(string: body)
            }
            if signed {
                guard let signer else {
                    throw ExchangeError(
                        code: ExchangeError.bybitInvalidAPIKey, message: "no API credentials configured")
                }
                let timestamp = configuration.wallClock() + serverTimeOffset
                let signature = signer.restSignature(
                    timestamp: timestamp, recvWindow: configuration.recvWindow, payload: payload.signed)
                request.headers.add(name: "X-BAPI-API-KEY", value: signer.apiKey)
                request.headers.add(name: "X-BAPI-TIMESTAMP", value: String(timestamp))
                request.headers.add(name: "X-BAPI-RECV-WINDOW", value: String(configuration.recvWindow))
                request.headers.add(name: "X-BAPI-SIGN", value: signature)
                request.headers.add(name: "X-BAPI-SIGN-TYPE", value: "2")
            }
            let response: RESTResponse
            do {
                response = try await transport.execute(request)
            } catch {
                // Sent or not, no answer: for an order the caller must look it up before deciding.
                throw ExchangeError(code: ExchangeError.transport, message: "\(method) \(path): \(error)")
            }
            let status = response.status
            let text = String(buffer: response.body)
            recordLimit(path, headers: response.headers)
            if status == 403 {
                // "access too frequent": Bybit bans the IP for a while; hammering it only extends the ban.
                let until = ContinuousClock.now + configuration.ipBanWait
                state.withLock { $0.ipBlockedUntil = until }
                logger.error("bybit HTTP 403, pausing requests", metadata: ["path": "\(path)"])
                throw ExchangeError(
                    code: ExchangeError.httpError, message: "HTTP 403: \(Self.truncated(text))", httpStatus: status,
                    retryAfter: configuration.ipBanWait)
            }
            let envelope: BybitEnvelope
            do {
                envelope = try BybitParse.envelope(text)
            } catch {
                if status >= 500 {
                    throw ExchangeError(
                        code: ExchangeError.executionUnknown, message: "\(method) \(path): \(Self.truncated(text))",
                        httpStatus: status)
                }
                throw ExchangeError(
                    code: status == 200 ? ExchangeError.malformedResponse : ExchangeError.httpError,
                    message: "\(method) \(path): \(error.message) in \(Self.truncated(text))", httpStatus: status)
            }
            if envelope.retCode == 0 { return envelope }
            let error = ExchangeError.bybit(
                retCode: envelope.retCode, retMessage: envelope.retMessage, httpStatus: status,
                retryAfter: resetWait(response.headers))
            if error.code == ExchangeError.bybitTimestampOutsideWindow && signed && !resynchronised {
                resynchronised = true
                logger.warning("bybit 10002, resynchronising server time", metadata: ["path": "\(path)"])
                try await synchronizeTime()
                continue
            }
            if error.code == ExchangeError.bybitTooManyVisits {
                let wait = error.retryAfter ?? configuration.defaultRateLimitWait
                let until = ContinuousClock.now + wait
                state.withLock { $0.blockedUntil[path] = max($0.blockedUntil[path] ?? until, until) }
                logger.warning("bybit rate limit (10006)", metadata: ["path": "\(path)", "wait": "\(wait)"])
                if wait <= configuration.maximumRateLimitWait && rateLimitRetries < configuration.rateLimitRetries {
                    rateLimitRetries += 1
                    continue
                }
            }
            throw error
        }
    }

    /// Remembers `X-Bapi-Limit-Status` and, when the window is used up, blocks the path until
    /// `X-Bapi-Limit-Reset-Timestamp` so the next request does not earn a `10006`.
    private func recordLimit(_ path: String, headers: HTTPHeaders) {
        guard let remaining = headers.first(name: "X-Bapi-Limit-Status").flatMap({ Int($0) }) else { return }
        let wait = remaining <= 0 ? resetWait(headers) : nil
        state.withLock { state in
            state.remaining[path] = remaining
            if let wait { state.blockedUntil[path] = ContinuousClock.now + wait }
        }
    }

    /// Time until `X-Bapi-Limit-Reset-Timestamp` (ms since the epoch), by the local clock corrected to the server's.
    private func resetWait(_ headers: HTTPHeaders) -> Duration? {
        guard let reset = headers.first(name: "X-Bapi-Limit-Reset-Timestamp").flatMap({ Int64($0) }) else { return nil }
        let now = configuration.wallClock() + serverTimeOffset
        return .milliseconds(max(0, reset - now))
    }

    /// Waits while a limit window or an IP pause runs; throws when the wait is longer than the client sits out.
    private func waitOutLimit(_ path: String) async throws {
        let (pathUntil, ipUntil) = state.withLock { ($0.blockedUntil[path], $0.ipBlockedUntil) }
        let now = ContinuousClock.now
        if let ipUntil, ipUntil > now {
            throw ExchangeError(
                code: ExchangeError.httpError, message: "requests paused after HTTP 403", httpStatus: 403,
                retryAfter: ipUntil - now)
        }
        guard let until = pathUntil, until > now else { return }
        if until - now > configuration.maximumRateLimitWait {
            throw ExchangeError(
                code: ExchangeError.bybitTooManyVisits, message: "rate-limit window of \(path) exhausted",
                retryAfter: until - now)
        }
        try await Task.sleep(until: until, clock: .continuous)
    }

    static func truncated(_ text: String, limit: Int = 256) -> String {
        text.utf8.count <= limit ? text : String(decoding: text.utf8.prefix(limit), as: UTF8.self) + "…"
    }
}
