import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ReflexCore
import Testing

@testable import ReflexWebhook

/// `POST /webhooks/tradingview` through real HTTP on loopback.
struct TradingViewRouteTests {
    private func alert(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/webhooks/tradingview", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: body))
    }

    @Test func modeAndControlActionsAreRouted() async throws {
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(Fixture.configuration(), recorder: recorder)
        let secret = Fixture.tradingViewSecret
        try await listener.makeApplication().test(.live) { client in
            for body in [
                #"{"secret":"\#(secret)","mode":"trend","reason":"ADX>25"}"#,
                #"{"secret":"\#(secret)","mode":"range"}"#,
                #"{"secret":"\#(secret)","action":"pause"}"#,
                #"{"secret":"\#(secret)","action":"resume"}"#,
                #"{"secret":"\#(secret)","action":"flatten"}"#,
            ] {
                let response = try await alert(client, body)
                #expect(response.status == .ok)
            }
        }
        let deliveries = recorder.deliveries
        let now = Timestamp.seconds(Fixture.now)
        #expect(
            deliveries.map(\.event) == [
                .regimeShift(RegimeShift(mode: .trend, source: .tradingView, reason: "ADX>25", time: now)),
                .regimeShift(RegimeShift(mode: .range, source: .tradingView, time: now)),
                .control(ControlCommand(action: .pause, source: "tradingview", time: now)),
                .control(ControlCommand(action: .resume, source: "tradingview", time: now)),
                .control(ControlCommand(action: .flatten, source: "tradingview", time: now)),
            ])
        #expect(Set(deliveries.map(\.id)).count == 5)
        #expect(deliveries.allSatisfy { !$0.jsonLine.contains(secret) })
    }

    @Test func wrongOrMissingSecretIs401() async throws {
        let recorder = DeliveryRecorder()
        let folder = try Fixture.temporaryDirectory()
        let deadLetter = folder.appendingPathComponent("dead.jsonl").path
        let listener = try Fixture.listener(Fixture.configuration(deadLetterPath: deadLetter), recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            for body in [
                #"{"secret":"tv-shared-secret-012345678","mode":"trend"}"#, #"{"mode":"trend"}"#,
                #"{"secret":7,"mode":"trend"}"#, "mode=trend", "",
            ] {
                let response = try await alert(client, body)
                #expect(response.status == .unauthorized, "\(body)")
            }
        }
        #expect(recorder.deliveries.isEmpty)
        #expect(try Fixture.deadLetters(at: deadLetter).isEmpty)
    }

    @Test func invalidAlertIs422AndDeadLetteredWithoutItsSecret() async throws {
        let recorder = DeliveryRecorder()
        let folder = try Fixture.temporaryDirectory()
        let deadLetter = folder.appendingPathComponent("dead.jsonl").path
        let listener = try Fixture.listener(Fixture.configuration(deadLetterPath: deadLetter), recorder: recorder)
        let secret = Fixture.tradingViewSecret
        try await listener.makeApplication().test(.live) { client in
            let response = try await alert(client, #"{"secret":"\#(secret)","mode":"sideways"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(String(buffer: response.body).contains("\"field\":\"mode\""))
            let both = try await alert(client, #"{"secret":"\#(secret)","mode":"trend","action":"pause"}"#)
            #expect(both.status == .unprocessableContent)
            #expect(try await alert(client, #"{"secret":"\#(secret)"}"#).status == .unprocessableContent)
        }
        #expect(recorder.deliveries.isEmpty)
        let lines = try Fixture.deadLetters(at: deadLetter)
        #expect(lines.count == 3)
        #expect(lines.first?["body"] as? String == #"{"secret":"[redacted]","mode":"sideways"}"#)
        let text = try String(contentsOfFile: deadLetter, encoding: .utf8)
        #expect(!text.contains(secret))
    }

    @Test func oneLogLinePerRequestAndNoSecretInAny() async throws {
        let capture = LogCapture()
        let recorder = DeliveryRecorder()
        let listener = try WebhookListener(
            configuration: Fixture.configuration(), logger: capture.logger, clock: { .seconds(Fixture.now) },
            deliver: { recorder.record($0) })
        let secret = Fixture.tradingViewSecret
        try await listener.makeApplication().test(.live) { client in
            _ = try await alert(client, #"{"secret":"\#(secret)","action":"pause"}"#)
            _ = try await alert(client, #"{"secret":"\#(secret)x","action":"pause"}"#)
            _ = try await alert(client, #"{"secret":"\#(secret)","mode":"nope"}"#)
            let body = Fixture.orderFilled()
            _ = try await client.execute(
                uri: "/webhooks/events", method: .post, headers: Fixture.headers(id: "log-1", body: body),
                body: ByteBuffer(string: body))
            _ = try await client.execute(uri: "/healthz", method: .get)
        }
        let requests = capture.all.filter { $0.hasPrefix("info webhook ") }
        #expect(requests.count == 5)
        #expect(requests.filter { $0.contains("route=/webhooks/tradingview") }.count == 3)
        #expect(
            requests.contains {
                $0.contains("id=log-1") && $0.contains("status=200") && $0.contains("type=order.filled")
            })
        #expect(requests.allSatisfy { $0.contains("latency_us=") && $0.contains("source=") })
        let encoded = Fixture.secret.encoded.dropFirst("whsec_".count)
        #expect(capture.all.allSatisfy { !$0.contains(secret) && !$0.contains(encoded) })
    }

    @Test func allowListRefusesOtherAddresses() async throws {
        let recorder = DeliveryRecorder()
        let body = #"{"secret":"\#(Fixture.tradingViewSecret)","action":"pause"}"#
        let closed = try Fixture.listener(Fixture.configuration(allow: ["52.89.214.238"]), recorder: recorder)
        try await closed.makeApplication().test(.live) { client in
            let response = try await alert(client, body)
            #expect(response.status == .forbidden)
        }
        #expect(recorder.deliveries.isEmpty)
        let open = try Fixture.listener(
            Fixture.configuration(allow: ["52.89.214.238", "127.0.0.1", "::1"]), recorder: recorder)
        try await open.makeApplication().test(.live) { client in
            let response = try await alert(client, body)
            #expect(response.status == .ok)
        }
        #expect(recorder.deliveries.count == 1)
    }
}
