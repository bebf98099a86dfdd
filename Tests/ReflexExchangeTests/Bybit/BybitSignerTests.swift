import ReflexCore
import Testing

@testable import ReflexExchange

/// Spec B1 documents the signed strings but not the secret; the expected MACs below were computed for the secret
/// `reflex-test-secret` with Python's `hmac` module, independently of this code.
struct BybitSignerTests {
    let signer = BybitSigner(credentials: BybitCredentials(apiKey: "XXXXXXXXXX", secret: "reflex-test-secret"))

    @Test func getPayloadIsTimestampKeyWindowAndQuery() {
        let payload = signer.restPayload(
            timestamp: 1_658_384_314_791, recvWindow: 5000, payload: "category=option&symbol=BTC-29JUL22-25000-C")
        #expect(payload == "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C")
        #expect(
            signer.restSignature(
                timestamp: 1_658_384_314_791, recvWindow: 5000, payload: "category=option&symbol=BTC-29JUL22-25000-C")
                == "0f38a3ad5e2ff2274ffb176903fe770010a4ceda5d834fe5ef0cb3d0752961fd")
    }

    @Test func postPayloadIsTheExactBody() {
        let body = #"{"category": "option"}"#
        #expect(
            signer.restPayload(timestamp: 1_658_385_579_423, recvWindow: 5000, payload: body)
                == #"1658385579423XXXXXXXXXX5000{"category": "option"}"#)
        #expect(
            signer.restSignature(timestamp: 1_658_385_579_423, recvWindow: 5000, payload: body)
                == "18d9b16eb65a6c817ead44cd5b193be5ac6b99f65adb74d59c98ede76fe644b0")
    }

    @Test func privateStreamAuthSignsGetRealtimePlusExpires() throws {
        #expect(
            signer.streamSignature(expires: 1_662_350_400_000)
                == "16cca8bef506fc87f398ec75cdb9db451a58bca519f7cff1ea0dc803989d42cd")
        let message = try JSONValue.parse(signer.authMessage(expires: 1_662_350_400_000, requestID: "10001"))
        #expect(
            message
                == .object([
                    ("req_id", .string("10001")), ("op", .string("auth")),
                    (
                        "args",
                        .array([
                            .string("XXXXXXXXXX"), .number("1662350400000"),
                            .string("16cca8bef506fc87f398ec75cdb9db451a58bca519f7cff1ea0dc803989d42cd"),
                        ])
                    ),
                ]))
    }

    @Test func queryIsSortedByKeyAndPercentEncoded() {
        let query = BybitQuery([("symbol", "BTCUSDT"), ("category", "linear"), ("cursor", "a b&c"), ("skip", nil)])
        #expect(query.encoded == "category=linear&cursor=a%20b%26c&symbol=BTCUSDT")
    }

    @Test func credentialsNeverPrintTheSecret() {
        let credentials = BybitCredentials(apiKey: "abcdefghij", secret: "very-secret")
        #expect(!credentials.description.contains("very-secret"))
    }
}
