import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOHTTP1
import Testing

@testable import ReflexExchange

/// The order path's HTTP/1.1 transport against a real Hummingbird server on loopback.
@Suite struct KeepAliveConnectionPoolTests {
    private static func router() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/echo") { request, _ -> String in
            "\(request.uri.query ?? "")|\(request.headers[HTTPField.Name("X-Probe")!] ?? "")"
        }
        router.post("/echo") { request, _ -> String in
            String(buffer: try await request.body.collect(upTo: 1 << 20))
        }
        router.get("/slow") { request, _ -> String in
            let millis = Int(request.uri.queryParameters["ms"] ?? "") ?? 2000
            try await Task.sleep(for: .milliseconds(millis))
            return "slow"
        }
        router.get("/big") { _, _ -> String in String(repeating: "x", count: 4096) }
        router.get("/status") { _, _ -> Response in
            Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "{\"code\":-1}")))
        }
        return router
    }

    private func text(_ response: RESTResponse) -> String { String(buffer: response.body) }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await withLoopbackServer(Self.router()) { port in
            let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:\(port)")
            for index in 1...5 {
                let response = try await pool.execute(
                    RESTRequest(method: .GET, target: "/echo?n=\(index)", headers: ["X-Probe": "p\(index)"]))
                #expect(response.status == 200)
                #expect(text(response) == "n=\(index)|p\(index)")
                #expect(pool.openConnections == 1)
            }
        }
    }

    @Test func concurrentRequestsQueueWithinTheConnectionLimitAndEachGetsItsOwnAnswer() async throws {
        try await withLoopbackServer(Self.router()) { port in
            let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:\(port)/", maximumConnections: 3)
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<24 {
                    group.addTask {
                        let response = try await pool.execute(
                            RESTRequest(method: .POST, target: "/echo", body: ByteBuffer(string: "body-\(index)")))
                        #expect(pool.openConnections <= 3)
                        return (index, String(buffer: response.body))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(answers.count == 24)
            for (index, answer) in answers { #expect(answer == "body-\(index)") }
            #expect(pool.openConnections <= 3)
        }
    }

    @Test func aRequestPastItsDeadlineFailsAndItsConnectionIsReplaced() async throws {
        try await withLoopbackServer(Self.router()) { port in
            let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:\(port)")
            let error = await #expect(throws: TransportError.self) {
                try await pool.execute(RESTRequest(method: .GET, target: "/slow?ms=1000", timeout: .milliseconds(200)))
            }
            #expect(error?.description.contains("no response within") == true)
            // The late answer must not be taken for the next request's.
            let next = try await pool.execute(RESTRequest(method: .GET, target: "/echo?after=timeout"))
            #expect(text(next) == "after=timeout|")
        }
    }

    @Test func nonSuccessStatusesAreResponsesNotErrors() async throws {
        try await withLoopbackServer(Self.router()) { port in
            let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:\(port)")
            let response = try await pool.execute(RESTRequest(method: .GET, target: "/status"))
            #expect(response.status == 503)
            #expect(text(response) == "{\"code\":-1}")
        }
    }

    @Test func anOversizedResponseFailsAndTheNextRequestStillWorks() async throws {
        try await withLoopbackServer(Self.router()) { port in
            let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:\(port)", maximumResponseBytes: 1024)
            let error = await #expect(throws: TransportError.self) {
                try await pool.execute(RESTRequest(method: .GET, target: "/big"))
            }
            #expect(error?.description.contains("larger than 1024 bytes") == true)
            let next = try await pool.execute(RESTRequest(method: .GET, target: "/echo?x=1"))
            #expect(text(next) == "x=1|")
        }
    }

    @Test func connectionsClosedByTheServerAreForgotten() async throws {
        let pool = try await withLoopbackServer(Self.router()) { port in
            let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:\(port)")
            _ = try await pool.execute(RESTRequest(method: .GET, target: "/echo"))
            #expect(pool.openConnections == 1)
            return pool
        }
        // The server's graceful shutdown closed the idle connection.
        try await withTimeout {
            while pool.openConnections > 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    @Test func shutdownClosesEveryConnectionAndFailsWhatIsPendingOrComesLater() async throws {
        try await withLoopbackServer(Self.router()) { port in
            let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:\(port)", maximumConnections: 1)
            _ = try await pool.execute(RESTRequest(method: .GET, target: "/echo"))
            #expect(pool.openConnections == 1)
            // One request in flight on the only connection, then one waiting for it.
            let inFlight = Task { try await pool.execute(RESTRequest(method: .GET, target: "/slow?ms=4000")) }
            try await withTimeout { while pool.requestsInFlight < 1 { try await Task.sleep(for: .milliseconds(5)) } }
            let waiting = Task { try await pool.execute(RESTRequest(method: .GET, target: "/echo?queued")) }
            try await withTimeout { while pool.requestsWaiting < 1 { try await Task.sleep(for: .milliseconds(5)) } }
            let started = ContinuousClock.now
            pool.shutdown()
            var outcomes: [String] = []
            do { outcomes.append("answered: \(try await inFlight.value.status)") } catch { outcomes.append("\(error)") }
            do { outcomes.append("answered: \(try await waiting.value.status)") } catch { outcomes.append("\(error)") }
            #expect(outcomes.count == 2 && outcomes.allSatisfy { $0.contains("shut down") }, "\(outcomes)")
            #expect(ContinuousClock.now - started < .seconds(3), "failed at once, not at the slow answer")
            #expect(pool.requestsInFlight == 0 && pool.requestsWaiting == 0)
            try await withTimeout { while pool.openConnections > 0 { try await Task.sleep(for: .milliseconds(10)) } }
            let later = await #expect(throws: TransportError.self) {
                try await pool.execute(RESTRequest(method: .GET, target: "/echo"))
            }
            #expect(later?.description.contains("shut down") == true)
            #expect(pool.openConnections == 0)
        }
    }

    @Test func aRefusedConnectionIsAnError() async throws {
        let pool = KeepAliveConnectionPool(baseURL: "http://127.0.0.1:1")
        let error = await #expect(throws: TransportError.self) {
            try await pool.execute(RESTRequest(method: .GET, target: "/fapi/v1/time"))
        }
        #expect(error?.description.contains("cannot connect") == true)
        #expect(pool.openConnections == 0)
    }

    @Test(arguments: ["ftp://example.com", "http://", "http://host/path", "http://host:99999", "127.0.0.1:80"])
    func aBadBaseURLIsNamed(url: String) async throws {
        let pool = KeepAliveConnectionPool(baseURL: url)
        let error = await #expect(throws: TransportError.self) {
            try await pool.execute(RESTRequest(method: .GET, target: "/"))
        }
        #expect(error?.description.contains("\"\(url)\"") == true)
    }
}
