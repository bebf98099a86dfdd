import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

@testable import ReflexExchange

/// HTTPS and WSS as the real venues speak them, against a loopback server with a throw-away certificate for
/// `localhost` made by `openssl` for these tests only: the REST pool and the WebSocket connection verify the
/// certificate and the host name, and send the host name by SNI.
@Suite struct TLSConnectionTests {
    struct Certificate {
        let server: TLSConfiguration
        /// Trusts this certificate only.
        let client: TLSConfiguration
    }

    /// A self-signed certificate for `name` (its subject alternative name).
    private static func makeCertificate(for name: String = "localhost") async throws -> Certificate {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=\(name)", "-addext", "subjectAltName=DNS:\(name)", "-days", "1", "-keyout", key,
            "-out", certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Awaited rather than waited for, so no cooperative thread blocks on it.
        let status = try await withCheckedThrowingContinuation { (done: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { done.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { done.resume(throwing: error) }
        }
        try #require(status == 0, "openssl could not make a certificate")
        let chain = try NIOSSLCertificate.fromPEMFile(certificate)
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .certificates(chain)
        return Certificate(
            server: .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))),
            client: client)
    }

    private static func router() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/fapi/v1/time") { request, _ -> String in
            // The Host header the pool sent: the name the certificate was checked against.
            #"{"serverTime":1,"host":"\#(request.head.authority ?? "")"}"#
        }
        router.ws("/market/ws/btcusdt@aggTrade") { _, outbound, _ in
            try await outbound.write(.text(#"{"e":"aggTrade","a":1}"#))
            try await Task.sleep(for: .seconds(2))
        }
        return router
    }

    @Test func restOverHTTPSVerifiesTheCertificateAndKeepsTheConnection() async throws {
        let certificate = try await Self.makeCertificate()
        try await withLoopbackServer(Self.router(), tls: certificate.server) { port in
            let pool = KeepAliveConnectionPool(
                baseURL: "https://localhost:\(port)", tlsConfiguration: certificate.client)
            defer { pool.shutdown() }
            for _ in 0..<3 {
                let response = try await pool.execute(RESTRequest(method: .GET, target: "/fapi/v1/time"))
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == #"{"serverTime":1,"host":"localhost:\#(port)"}"#)
            }
            #expect(pool.openConnections == 1, "one TLS connection, kept alive")
        }
    }

    @Test func restOverHTTPSRefusesACertificateItDoesNotTrust() async throws {
        let certificate = try await Self.makeCertificate()
        try await withLoopbackServer(Self.router(), tls: certificate.server) { port in
            // The system's trust roots: a self-signed certificate must not pass.
            let pool = KeepAliveConnectionPool(baseURL: "https://localhost:\(port)")
            defer { pool.shutdown() }
            let error = await #expect(throws: TransportError.self) {
                try await pool.execute(RESTRequest(method: .GET, target: "/fapi/v1/time", timeout: .seconds(10)))
            }
            #expect(error?.description.contains("https://localhost:\(port)") == true, "\(String(describing: error))")
            #expect(error?.description.contains("connection failed") == true, "\(String(describing: error))")
        }
    }

    @Test func restOverHTTPSRefusesATrustedCertificateForAnotherHost() async throws {
        // Trusted, but issued to another name than the one dialled: host-name verification must refuse it.
        let certificate = try await Self.makeCertificate(for: "fapi.example.com")
        try await withLoopbackServer(Self.router(), tls: certificate.server) { port in
            let pool = KeepAliveConnectionPool(
                baseURL: "https://localhost:\(port)", tlsConfiguration: certificate.client)
            defer { pool.shutdown() }
            let error = await #expect(throws: TransportError.self) {
                try await pool.execute(RESTRequest(method: .GET, target: "/fapi/v1/time", timeout: .seconds(10)))
            }
            #expect(error?.description.contains("connection failed") == true, "\(String(describing: error))")
        }
    }

    @Test func webSocketOverWSSVerifiesTheCertificateAndDeliversMessages() async throws {
        let certificate = try await Self.makeCertificate()
        try await withLoopbackServer(Self.router(), tls: certificate.server) { port in
            let (messages, continuation) = AsyncStream.makeStream(of: String.self)
            let channel = try await WebSocketConnection.connect(
                url: "wss://localhost:\(port)/market/ws/btcusdt@aggTrade", maximumMessageSize: 1 << 16,
                connectTimeout: .seconds(10),
                handlers: .init(
                    text: { buffer, _ in continuation.yield(String(buffer: buffer)) }, binary: { _, _ in }),
                tlsConfiguration: certificate.client)
            let first = try await withTimeout { await messages.first { _ in true } }
            #expect(first == #"{"e":"aggTrade","a":1}"#)
            try await channel.close()

            // The system's trust roots: the handshake fails, and says so.
            await #expect(throws: NIOSSLError.self) {
                _ = try await WebSocketConnection.connect(
                    url: "wss://localhost:\(port)/market/ws/btcusdt@aggTrade", maximumMessageSize: 1 << 16,
                    connectTimeout: .seconds(10), handlers: .init(text: { _, _ in }, binary: { _, _ in }))
            }
        }
    }
}
