import Foundation
public import ReflexCore

/// Appends ticks and regime switches to a Reflex recording (``ReflexTickFile``), buffered, flushed on demand.
public final class ReflexTickWriter {
    private let handle: FileHandle
    private var pending = ""

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
        pending += ReflexTickFile.line(tick)
        if pending.utf8.count >= 64 * 1024 { flush() }
    }

    public func append(_ shift: RegimeShift) {
        pending += ReflexTickFile.line(shift)
    }

    public func flush() {
        guard !pending.isEmpty else { return }
        handle.write(Data(pending.utf8))
        pending = ""
    }

    deinit {
        flush()
        try? handle.close()
    }
}
