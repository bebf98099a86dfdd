import ReflexCore
import Testing

@testable import ReflexWebhook

struct StandardWebhookVerifierTests {
    let secret = try! WebhookSecret(Fixture.vectorSecret)
    var verifier: StandardWebhookVerifier { StandardWebhookVerifier(secrets: [secret]) }
    let payload = Array(Fixture.vectorPayload.utf8)
    let now = Timestamp.seconds(Fixture.vectorTimestamp)

    private func verify(
        id: String? = Fixture.vectorID, timestamp: String? = String(Fixture.vectorTimestamp),
        signature: String? = Fixture.vectorSignature, body: [UInt8]? = nil, now: Timestamp? = nil,
        verifier: StandardWebhookVerifier? = nil
    ) -> Result<VerifiedDelivery, WebhookRejection> {
        Result { () throws(WebhookRejection) in
            try (verifier ?? self.verifier).verify(
                id: id, timestamp: timestamp, signature: signature, body: body ?? payload, now: now ?? self.now)
        }
    }

    @Test func signerReproducesTheOfficialVector() {
        let signature = StandardWebhookSigner(secret: secret).signature(
            id: Fixture.vectorID, timestamp: Fixture.vectorTimestamp, body: payload)
        #expect(signature == Fixture.vectorSignature)
    }

    @Test func officialVectorVerifiesAtItsOwnTime() throws {
        let delivery = try verify().get()
        #expect(delivery == VerifiedDelivery(id: Fixture.vectorID, timestamp: Fixture.vectorTimestamp))
    }

    @Test func anyMatchingEntryInAListPasses() throws {
        let header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc \(Fixture.vectorSignature)"
        #expect(throws: Never.self) { try verify(signature: header).get() }
    }

    @Test func anyConfiguredSecretMayHaveSigned() throws {
        let rotated = StandardWebhookVerifier(secrets: [WebhookSecret.generate(), secret])
        #expect(throws: Never.self) { try verify(verifier: rotated).get() }
    }

    @Test(arguments: [
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
        "v1,",
        "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1,not base64!",
        "",
    ])
    func badSignaturesFail(signature: String) {
        let failure = verify(signature: signature).failure
        #expect(failure?.kind == .unauthenticated)
        #expect(failure?.field == "webhook-signature")
    }

    @Test func wrongSecretFails() {
        let other = StandardWebhookVerifier(secrets: [WebhookSecret.generate()])
        #expect(verify(verifier: other).failure?.field == "webhook-signature")
    }

    @Test func tamperedBodyFails() {
        #expect(verify(body: Array(#"{"test": 2432232315}"#.utf8)).failure?.field == "webhook-signature")
    }

    @Test func missingHeadersFail() {
        #expect(verify(id: nil).failure?.field == "webhook-id")
        #expect(verify(timestamp: nil).failure?.field == "webhook-timestamp")
        #expect(verify(signature: nil).failure?.field == "webhook-signature")
        for bad in ["hello", "-1", "+1614265330", " 1614265330", "1614265330.5", "999999999999", "9223372036"] {
            #expect(verify(timestamp: bad).failure?.field == "webhook-timestamp")
        }
    }

    @Test func timestampToleranceIsFiveMinutesEitherWay() {
        let edge = Timestamp.Duration.seconds(300)
        let beyond = Timestamp.Duration.seconds(301)
        #expect((try? verify(now: now + edge).get()) != nil)
        #expect(verify(now: now + beyond).failure?.reason == "too old")
        #expect(
            verify(now: Timestamp(nanoseconds: now.nanoseconds - beyond.nanoseconds)).failure?.reason
                == "too far in the future")
    }

    @Test func secretsParseAndPrintRedacted() throws {
        #expect(throws: WebhookSecret.FormatError.self) { try WebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }
        #expect(throws: WebhookSecret.FormatError.self) { try WebhookSecret("whsec_c2hvcnQ=") }
        #expect(try WebhookSecret.list("\(Fixture.vectorSecret) \(WebhookSecret.generate().encoded)").count == 2)
        #expect("\(secret)" == "whsec_[redacted]")
        #expect(try WebhookSecret(secret.encoded).encoded == secret.encoded)
    }

    @Test func sharedSecretComparesAndRedacts() throws {
        let shared = try #require(SharedSecret("s3cret"))
        #expect(shared.matches("s3cret"))
        #expect(!shared.matches("s3cre"))
        #expect(!shared.matches("s3cret "))
        #expect(SharedSecret("") == nil)
        let body = Array(#"{"secret":"s3cret","mode":"x"}"#.utf8)
        #expect(String(decoding: shared.redacting(body), as: UTF8.self) == #"{"secret":"[redacted]","mode":"x"}"#)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
