import Foundation
import NIOHTTP1
import Testing

@testable import ReflexExchange

struct BinanceErrorMappingTests {
    func map(_ status: Int, _ body: String, retryAfter: String? = nil) -> ExchangeError {
        var headers = HTTPHeaders()
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        return BinanceRESTClient.error(status: status, headers: headers, body: Data(body.utf8))
    }

    @Test func venueCodesAreKept() {
        let error = map(400, "{\"code\":-2019,\"msg\":\"Margin is insufficient.\"}")
        #expect(error.code == ExchangeError.binanceMarginInsufficient)
        #expect(error.message == "Margin is insufficient.")
        #expect(error.httpStatus == 400)
        #expect(!error.isRetryable)
        #expect(!error.isOutcomeUnknown)
    }

    @Test func clockAndSignatureErrors() {
        #expect(map(400, "{\"code\":-1021,\"msg\":\"Timestamp outside recvWindow.\"}").isRetryable)
        #expect(!map(401, "{\"code\":-1022,\"msg\":\"Signature for this request is not valid.\"}").isRetryable)
        #expect(!map(400, "{\"code\":-4120,\"msg\":\"Order type not supported for this endpoint.\"}").isRetryable)
    }

    @Test func rateLimitsCarryRetryAfter() {
        let limited = map(429, "{\"code\":-1003,\"msg\":\"Too many requests.\"}", retryAfter: "7")
        #expect(limited.retryAfter == .seconds(7))
        #expect(limited.isRetryable)
        let banned = map(418, "", retryAfter: "120")
        #expect(banned.code == ExchangeError.ipBanned)
        #expect(banned.retryAfter == .seconds(120))
    }

    @Test func unknown503IsNotAFailure() {
        let unknown = map(
            503, "{\"code\":-1000,\"msg\":\"Unknown error, please check your request or try again later.\"}")
        #expect(unknown.code == ExchangeError.executionUnknown)
        #expect(unknown.isOutcomeUnknown)
        let unavailable = map(503, "{\"code\":-1001,\"msg\":\"Service Unavailable.\"}")
        #expect(!unavailable.isOutcomeUnknown)
        #expect(unavailable.isRetryable)
        #expect(map(400, "{\"code\":-1007,\"msg\":\"Timeout waiting for response.\"}").isOutcomeUnknown)
    }

    @Test func bodiesThatAreNotJSONKeepTheStatus() {
        let error = map(502, "<html>Bad Gateway</html>")
        #expect(error.code == ExchangeError.httpError)
        #expect(error.httpStatus == 502)
        #expect(error.isRetryable)
        #expect(error.message.contains("Bad Gateway"))
    }
}
