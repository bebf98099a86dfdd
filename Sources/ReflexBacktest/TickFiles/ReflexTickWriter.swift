import Foundation
public import ReflexCore

/// Appends ticks and regime switches to a Reflex recording (``ReflexTickFile``), buffered, flushed on demand.
public final class ReflexTickWriter {
    private let handle: FileHandle
    private var pending: [UInt8] = []

    /// Creates (or appends to) `path`, writing the header when the file is new.
    public init(path: String, symbol: String) throws {
        let manager = FileManager.default
        let isNew = !manager.fileExists(atPath: path)
        if isNew { _ = manager.createFile(atPath: path, contents: Data(ReflexTickFile.header(symbol: symbol).utf8)) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw TickFileError(file: path, line: 0, column: 0, message: "cannot open for writing")
        }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    public func append(_ tick: Tick) {
        ReflexTickFile.appendLine(tick, to: &pending)
        if pending.count >= 64 * 1024 { flush() }
    }

    public func append(_ shift: RegimeShift) {
        pending.append(contentsOf: ReflexTickFile.line(shift).utf8)
    }

    public func flush() {
        guard !pending.isEmpty else { return }
        handle.write(Data(pending))
        pending.removeAll(keepingCapacity: true)
    }

    deinit {
        flush()
        try? handle.close()
    }
}
