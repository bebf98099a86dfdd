import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text bound for a file descriptor, written in batches by one task so that the request path only appends to a
/// buffer: at thousands of requests a second, one `write` per line (and per log line) would cost more than the
/// request itself. Nothing appended is dropped: ``finish()`` lets ``run()`` drain the buffer before it returns.
final class BatchedOutput: Sendable {
    private struct Buffer {
        var bytes: [UInt8] = []
        var finished = false
    }

    private let fileDescriptor: Int32
    private let buffer = Mutex(Buffer())
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues text; never blocks on the descriptor.
    func append(_ text: String) {
        buffer.withLock { $0.bytes.append(contentsOf: text.utf8) }
        ring.yield()
    }

    /// Lets ``run()`` return once everything queued is written.
    func finish() {
        buffer.withLock { $0.finished = true }
        ring.finish()
    }

    /// Writes batches until ``finish()`` has been called and the buffer is empty.
    func run() async {
        var iterator = doorbell.makeAsyncIterator()
        while true {
            let (batch, finished) = buffer.withLock { buffer -> ([UInt8], Bool) in
                defer { buffer.bytes.removeAll(keepingCapacity: true) }
                return (buffer.bytes, buffer.finished)
            }
            if !batch.isEmpty { writeAll(batch) }
            if finished && batch.isEmpty { return }
            if batch.isEmpty, await iterator.next() == nil, buffer.withLock({ $0.bytes.isEmpty }) { return }
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fileDescriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // a closed pipe: nothing sensible left to do with the text
            offset += written
        }
    }
}

/// One log line per call (`2024-08-08T23:54:00.123Z info label: message key=value …`), through a ``BatchedOutput``.
struct BatchedLogHandler: LogHandler {
    let label: String
    let output: BatchedOutput
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level, output: BatchedOutput) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = Self.utcNow() + " \(event.level) \(label): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() { line += " \(key)=\(merged[key]!)" }
        output.append(line + "\n")
    }

    /// UTC wall time with milliseconds, formatted by hand (no locale or time-zone lookups per line).
    static func utcNow() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}
