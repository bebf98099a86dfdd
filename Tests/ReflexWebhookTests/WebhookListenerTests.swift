import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import ReflexCore
import Testing

@testable import ReflexWebhook

/// The listener through real HTTP on loopback (`.live` binds 127.0.0.1/localhost on a free port).
struct WebhookListenerTests {
    private func post(
        _ client: some TestClientProtocol, _ body: String, headers: HTTPFields, uri: String = "/webhooks/events"
    ) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    private func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as! [String: Any]
    }

    @Test func officialVectorPassesVerificationWithAnInjectedClock() async throws {
        let folder = try Fixture.temporaryDirectory()
        let deadLetter = folder.appendingPathComponent("dead.jsonl").path
        var configuration = Fixture.configuration(deadLetterPath: deadLetter)
        configuration.secrets = [try WebhookSecret(Fixture.vectorSecret)]
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(configuration, now: Fixture.vectorTimestamp, recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            var headers: HTTPFields = [:]
            headers[.testWebhookID] = Fixture.vectorID
            headers[.testWebhookTimestamp] = String(Fixture.vectorTimestamp)
            headers[.testWebhookSignature] = Fixture.vectorSignature
            // Authentic, but `{"test": …}` is not a Reflex event: past the signature check, refused as invalid.
            let response = try await post(client, Fixture.vectorPayload, headers: headers)
            #expect(response.status == .unprocessableContent)
            #expect(try json(response)["field"] as? String == "type")
            // One byte changed: refused at the signature.
            let tampered = try await post(client, #"{"test": 2432232315}"#, headers: headers)
            #expect(tampered.status == .unauthorized)
        }
        #expect(recorder.deliveries.isEmpty)
        let lines = try Fixture.deadLetters(at: deadLetter)
        #expect(lines.count == 1)
        #expect(lines.first?["body"] as? String == Fixture.vectorPayload)
    }

    @Test func validDeliveryIsRoutedOnceAndDuplicatesAreNotApplied() async throws {
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(Fixture.configuration(), recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            let body = Fixture.orderFilled()
            let first = try await post(client, body, headers: Fixture.headers(id: "msg_1", body: body))
            #expect(first.status == .ok)
            #expect(try json(first)["status"] as? String == "accepted")
            let again = try await post(client, body, headers: Fixture.headers(id: "msg_1", body: body))
            #expect(again.status == .ok)
            #expect(try json(again)["status"] as? String == "duplicate")
        }
        let deliveries = recorder.deliveries
        #expect(deliveries.count == 1)
        #expect(deliveries.first?.id == "msg_1")
        #expect(deliveries.first?.type == "order.filled")
        guard case .orderFilled(let fill) = deliveries.first?.event else {
            Issue.record("expected a fill")
            return
        }
        #expect(fill.price == Price("61800.30"))
        #expect(
            deliveries.first?.jsonLine.hasPrefix(#"{"id":"msg_1","route":"/webhooks/events","type":"order.filled""#)
                == true)
    }

    @Test func authenticationFailuresAre401AndApplyNothing() async throws {
        let recorder = DeliveryRecorder()
        let folder = try Fixture.temporaryDirectory()
        let deadLetter = folder.appendingPathComponent("dead.jsonl").path
        let listener = try Fixture.listener(Fixture.configuration(deadLetterPath: deadLetter), recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            let body = Fixture.orderFilled()
            var cases: [(String, HTTPFields, String)] = []
            cases.append(("wrong secret", Fixture.headers(id: "a", body: body, secret: .generate()), body))
            cases.append(
                (
                    "tampered", Fixture.headers(id: "b", body: body),
                    body.replacingOccurrences(of: "61800.30", with: "61800.31")
                ))
            cases.append(("stale", Fixture.headers(id: "c", body: body, timestamp: Fixture.now - 301), body))
            cases.append(("future", Fixture.headers(id: "d", body: body, timestamp: Fixture.now + 301), body))
            for name in [HTTPField.Name.testWebhookID, .testWebhookTimestamp, .testWebhookSignature] {
                var headers = Fixture.headers(id: "e", body: body)
                headers[name] = nil
                cases.append(("missing \(name)", headers, body))
            }
            var empty = Fixture.headers(id: "f", body: body)
            empty[.testWebhookSignature] = "v1,"
            cases.append(("v1, empty", empty, body))
            for (name, headers, body) in cases {
                let response = try await post(client, body, headers: headers)
                #expect(response.status == .unauthorized, "\(name)")
            }
            // Not even a wrongly signed non-JSON body reaches the parser or the dead-letter file.
            let garbage = try await post(client, "not json", headers: Fixture.headers(id: "g", body: "other"))
            #expect(garbage.status == .unauthorized)
        }
        #expect(recorder.deliveries.isEmpty)
        #expect(try Fixture.deadLetters(at: deadLetter).isEmpty)
    }

    @Test func oversizedBodyIs413() async throws {
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(Fixture.configuration(maxBodyBytes: 1_024), recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            let body = #"{"type":"ping","pad":""# + String(repeating: "x", count: 2_000) + #""}"#
            let response = try await post(client, body, headers: Fixture.headers(id: "big", body: body))
            #expect(response.status == .contentTooLarge)
            // Chunked, with no Content-Length: refused while reading, once past the limit.
            let port = try #require(client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/events")
            request.method = .POST
            for field in Fixture.headers(id: "chunked", body: body) {
                request.headers.add(name: field.name.canonicalName, value: field.value)
            }
            let chunks = [
                ByteBuffer(string: String(body.prefix(1_000))), ByteBuffer(string: String(body.dropFirst(1_000))),
            ]
            request.body = .stream(chunks.async, length: .unknown)
            let chunked = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(chunked.status.code == 413)
            let small = try await post(
                client, #"{"type":"ping"}"#, headers: Fixture.headers(id: "p", body: #"{"type":"ping"}"#))
            #expect(small.status == .ok)
        }
        #expect(recorder.deliveries.isEmpty)
    }

    @Test func malformedAndInvalidBodiesAreDeadLetteredByteForByte() async throws {
        let recorder = DeliveryRecorder()
        let folder = try Fixture.temporaryDirectory()
        let deadLetter = folder.appendingPathComponent("nested/dead.jsonl").path
        let listener = try Fixture.listener(Fixture.configuration(deadLetterPath: deadLetter), recorder: recorder)
        let malformed = "{\"type\": \"order.filled\", \u{7F}\n\t not json é"
        let invalid = Fixture.orderFilled(price: "\"-5\"")
        let notUTF8: [UInt8] = [0x7B, 0xFF, 0xFE, 0x7D]
        try await listener.makeApplication().test(.live) { client in
            let first = try await post(client, malformed, headers: Fixture.headers(id: "m1", body: malformed))
            #expect(first.status == .badRequest)
            let second = try await post(client, invalid, headers: Fixture.headers(id: "m2", body: invalid))
            #expect(second.status == .unprocessableContent)
            #expect(try json(second)["field"] as? String == "data.price")
            var headers = HTTPFields()
            for header in StandardWebhookSigner(secret: Fixture.secret).headers(
                id: "m3", timestamp: Fixture.now, body: notUTF8)
            {
                headers[HTTPField.Name(header.name)!] = header.value
            }
            let third = try await client.execute(
                uri: "/webhooks/events", method: .post, headers: headers, body: ByteBuffer(bytes: notUTF8))
            #expect(third.status == .badRequest)
        }
        #expect(recorder.deliveries.isEmpty)
        let lines = try Fixture.deadLetters(at: deadLetter)
        #expect(lines.count == 3)
        let bodies = lines.compactMap { ($0["bodyBase64"] as? String).flatMap { Data(base64Encoded: $0) } }
        #expect(bodies == [Data(malformed.utf8), Data(invalid.utf8), Data(notUTF8)])
        #expect(lines.map { $0["status"] as? Int } == [400, 422, 400])
        #expect(lines[1]["field"] as? String == "data.price")
        #expect((lines[0]["headers"] as? [String: String])?["webhook-id"] == "m1")
    }

    @Test(arguments: [
        (Fixture.orderFilled(price: "\"abc\""), "data.price"),
        (Fixture.orderFilled(quantity: "\"0\""), "data.quantity"),
        (Fixture.orderFilled(symbol: "ETHUSDT"), "data.symbol"),
        (Fixture.orderFilled().replacingOccurrences(of: "\"BUY\"", with: "\"HOLD\""), "data.side"),
        (
            Fixture.orderFilled().replacingOccurrences(of: #""time":1700000000000"#, with: #""time":"soon""#),
            "data.time"
        ),
    ])
    func eachInvalidFieldIs422NamingIt(body: String, field: String) async throws {
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(Fixture.configuration(symbols: ["BTCUSDT"]), recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            let response = try await post(client, body, headers: Fixture.headers(id: "v", body: body))
            #expect(response.status == .unprocessableContent)
            #expect(try json(response)["field"] as? String == field)
        }
        #expect(recorder.deliveries.isEmpty)
    }

    @Test func unknownTypeIs202AndPingIs200AndNeitherIsApplied() async throws {
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(Fixture.configuration(), recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            let unknown = #"{"type":"invoice.paid","timestamp":"2023-11-14T22:13:20Z","data":{}}"#
            let response = try await post(client, unknown, headers: Fixture.headers(id: "u", body: unknown))
            #expect(response.status == .accepted)
            #expect(try json(response)["status"] as? String == "ignored")
            let ping = #"{"type":"ping","timestamp":"2023-11-14T22:13:20Z","data":{}}"#
            #expect(try await post(client, ping, headers: Fixture.headers(id: "p", body: ping)).status == .ok)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
        #expect(recorder.deliveries.isEmpty)
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(Fixture.configuration(rateLimit: 1, rateBurst: 3), recorder: recorder)
        try await listener.makeApplication().test(.live) { client in
            for index in 0..<3 {
                let body = Fixture.orderFilled(tradeID: "\"t\(index)\"")
                #expect(
                    try await post(client, body, headers: Fixture.headers(id: "r\(index)", body: body)).status == .ok)
            }
            let body = Fixture.orderFilled(tradeID: "\"t3\"")
            let limited = try await post(client, body, headers: Fixture.headers(id: "r3", body: body))
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
        }
        #expect(recorder.deliveries.count == 3)
    }

    @Test func concurrentDeliveriesAreAppliedExactlyOnce() async throws {
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(Fixture.configuration(), recorder: recorder)
        let count = 100
        try await listener.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: String.self) { group in
                // Every delivery is sent twice at once, as a sender's retry racing its original would.
                for index in 0..<(count * 2) {
                    group.addTask {
                        let id = "c\(index % count)"
                        let body = Fixture.orderFilled(tradeID: "\"\(id)\"")
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/events")
                        request.method = .POST
                        for field in Fixture.headers(id: id, body: body) {
                            request.headers.add(name: field.name.canonicalName, value: field.value)
                        }
                        request.body = .bytes(ByteBuffer(string: body))
                        // Generous: the 200 requests queue for the client's few connections on a loaded machine.
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                        let answer = try await response.body.collect(upTo: 1_024)
                        return "\(response.status.code) " + String(buffer: answer)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(statuses.count == count * 2)
            #expect(statuses.filter { $0.contains("\"accepted\"") }.count == count)
            #expect(statuses.filter { $0.contains("\"duplicate\"") }.count == count)
            #expect(statuses.allSatisfy { $0.hasPrefix("200 ") })
        }
        let ids = recorder.deliveries.map(\.id)
        #expect(ids.count == count)
        #expect(Set(ids).count == count)
    }

    @Test func plainHTTPOffLoopbackNeedsExplicitConsent() throws {
        let recorder = DeliveryRecorder()
        var configuration = Fixture.configuration()
        configuration.host = "0.0.0.0"
        #expect(throws: WebhookConfigurationError.self) {
            try Fixture.listener(configuration, recorder: recorder).makeApplication()
        }
        configuration.allowPlainHTTPOffLoopback = true
        #expect(throws: Never.self) { try Fixture.listener(configuration, recorder: recorder).makeApplication() }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (for streamed request bodies).
    fileprivate var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
