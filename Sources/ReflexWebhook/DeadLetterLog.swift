import Foundation
public import ReflexCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An append-only JSON-lines file of authenticated deliveries that could not be used, so none is lost silently.
///
/// Each line holds the raw body in base64 (byte-for-byte recoverable; also as text when it is UTF-8), the
/// request headers, the route, the source, and why it was refused. Every line is written with one `write` on
/// an `O_APPEND` descriptor and then `fsync`ed before the sender gets its answer.
public final class DeadLetterLog: Sendable {
    /// One refused delivery.
    public struct Entry: Sendable {
        public var receivedAt: Timestamp
        public var route: String
        public var source: String
        public var status: Int
        public var field: String?
        public var reason: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(
            receivedAt: Timestamp, route: String, source: String, status: Int, field: String?, reason: String,
            headers: [(name: String, value: String)], body: [UInt8]
        ) {
            self.receivedAt = receivedAt
            self.route = route
            self.source = source
            self.status = status
            self.field = field
            self.reason = reason
            self.headers = headers
            self.body = body
        }
    }

    public let path: String
    private let descriptor: Mutex<Int32>

    /// Opens (creating if needed, mode 0600) `path` for appending; creates missing parent folders.
    public init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WebhookConfigurationError("cannot open dead-letter file \(path): errno \(errno)") }
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit { descriptor.withLock { _ = close($0) } }

    /// Appends one entry and flushes it to disk.
    public func append(_ entry: Entry) throws {
        var line = Array(Self.line(for: entry).utf8)
        line.append(0x0A)
        try descriptor.withLock { fd in
            var offset = 0
            while offset < line.count {
                let written = line[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WebhookConfigurationError("dead-letter write failed: errno \(errno)")
                }
                offset += written
            }
            _ = fsync(fd)
        }
    }

    static func line(for entry: Entry) -> String {
        // Credentials a proxy might add are not worth keeping; the signature headers are not secret.
        let redacted: Set<String> = ["authorization", "cookie", "proxy-authorization"]
        var headers: [(key: String, value: JSONValue)] = []
        for header in entry.headers {
            let name = header.name.lowercased()
            headers.append((name, .string(redacted.contains(name) ? "[redacted]" : header.value)))
        }
        var members: [(key: String, value: JSONValue)] = [
            ("receivedAt", .number(String(entry.receivedAt.milliseconds))),
            ("route", .string(entry.route)),
            ("source", .string(entry.source)),
            ("status", .number(String(entry.status))),
            ("field", entry.field.map { .string($0) } ?? .null),
            ("reason", .string(entry.reason)),
            ("headers", .object(headers)),
            ("bodyBase64", .string(Data(entry.body).base64EncodedString())),
        ]
        if let text = String(validating: entry.body, as: UTF8.self) { members.append(("body", .string(text))) }
        return JSONValue.object(members).jsonText
    }
}
