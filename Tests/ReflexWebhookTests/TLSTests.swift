import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReflexCore
import Testing

@testable import ReflexWebhook

/// HTTPS with a throw-away certificate made by `openssl` for this test only.
struct TLSTests {
    private func makeCertificate(in folder: URL) async throws -> WebhookConfiguration.TLSFiles {
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
            "-keyout", key, "-out", certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Awaited, not waited for: blocking one of the two cooperative threads of a 2-core CI machine for the key
        // generation would stall every timing-sensitive test running beside this one.
        let status = try await withCheckedThrowingContinuation { (done: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { done.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { done.resume(throwing: error) }
        }
        try #require(status == 0)
        return .init(certificatePath: certificate, keyPath: key)
    }

    @Test func servesHTTPSWithAGivenCertificate() async throws {
        let folder = try Fixture.temporaryDirectory()
        var configuration = Fixture.configuration()
        configuration.tls = try await makeCertificate(in: folder)
        let recorder = DeliveryRecorder()
        let listener = try Fixture.listener(configuration, recorder: recorder)
        try await listener.makeApplication().test(.ahc(.https)) { client in
            let body = Fixture.orderFilled()
            var headers = Fixture.headers(id: "tls", body: body)
            // Without it the test waits for the idle keep-alive connection at shutdown.
            headers[.connection] = "close"
            let response = try await client.execute(
                uri: "/webhooks/events", method: .post, headers: headers,
                body: ByteBuffer(string: body))
            #expect(response.status == .ok)
        }
        #expect(recorder.deliveries.map(\.id) == ["tls"])
    }

    @Test func unreadableCertificateIsAConfigurationError() throws {
        var configuration = Fixture.configuration()
        configuration.tls = .init(certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem")
        let listener = try Fixture.listener(configuration, recorder: DeliveryRecorder())
        #expect(throws: WebhookConfigurationError.self) { try listener.makeApplication() }
    }
}
