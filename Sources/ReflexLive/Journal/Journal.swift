import Foundation
import ReflexBacktest
public import ReflexCore

/// The engine's journal: every event it receives and every command it emits, appended before the commands are
/// acted on, so that a restart — even after `kill -9` — recovers the engine exactly, and a session can be replayed
/// offline to the same commands.
///
/// One record a line, tab-separated tag and payload:
/// - `P\t<portfolio JSON>` a snapshot of every market's engine and the portfolio's risk layer (the first line of
///   every journal file, and after compaction); journals of the one-market bot began with `S\t<engine JSON>`;
/// - `T\t[<symbol>,]<time_ns>,<trade_id>,<price>,<quantity>,<B|S>` a tick (compact: ticks are most of the
///   traffic); the symbol is there when the bot trades several markets;
/// - `E\t[<market>\t]<event JSON>` any other event; with several markets, the market it was applied to (its
///   symbol, `*` for every market, `?` for none: logged and not applied);
/// - `C\t<command JSON>` a command the engine emitted for the record before it.
///
/// Writes go to the OS with `write(2)` before any order leaves, which survives a crash of the process; `sync()`
/// (on shutdown and snapshots) also survives a crash of the machine.
public final class Journal {
    public let path: String
    private var descriptor: Int32
    private var pending: [UInt8] = []
    /// Snapshots (rare, large): Foundation's encoder, keys sorted for readable diffs.
    private let encoder: JSONEncoder
    /// Events and commands (every order and fill, on the path to the next order): ``JournalEncoder``.
    private let records = JournalEncoder()
    /// Records written since the last snapshot.
    public private(set) var recordsSinceSnapshot = 0
    /// Bytes buffered and not yet handed to the OS.
    public var pendingBytes: Int { pending.count }

    /// Opens (creating if needed) the journal at `path` for appending.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JournalError(message: "cannot open journal \(path): \(String(cString: strerror(errno)))")
        }
        descriptor = fd
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    deinit {
        try? flush()
        close(descriptor)
    }

    /// Appends an event; `market` (several markets only) is where it was applied.
    public func append(_ event: EngineEvent, market: String? = nil) throws {
        if case .tick(let tick) = event {
            pending.append(UInt8(ascii: "T"))
            pending.append(UInt8(ascii: "\t"))
            if let market {
                pending.append(contentsOf: market.utf8)
                pending.append(UInt8(ascii: ","))
            }
            ReflexTickFile.appendLine(tick, to: &pending)
        } else {
            var line: [UInt8] = [UInt8(ascii: "E"), 9]
            if let market {
                line.append(contentsOf: market.utf8)
                line.append(9)
            }
            try records.encode(event, into: &line)
            line.append(10)
            pending.append(contentsOf: line)
        }
        recordsSinceSnapshot += 1
    }

    public func append(_ commands: [EngineCommand]) throws {
        // Built whole before any of it is buffered: a command that fails to encode leaves no half record.
        var lines: [UInt8] = []
        for command in commands {
            lines += [UInt8(ascii: "C"), 9]
            try records.encode(command, into: &lines)
            lines.append(10)
        }
        pending.append(contentsOf: lines)
    }

    /// A one-market snapshot as the one-market bot wrote it (`S`); recovery reads both kinds.
    public func appendSnapshot(_ engine: Engine) throws {
        pending.append(contentsOf: Array("S\t".utf8))
        pending.append(contentsOf: try encoder.encode(engine))
        pending.append(10)
        recordsSinceSnapshot = 0
    }

    public func compact(to engine: Engine) throws { try compact(to: Portfolio(engine: engine)) }

    public func appendSnapshot(_ portfolio: Portfolio) throws {
        pending.append(contentsOf: Array("P\t".utf8))
        pending.append(contentsOf: try encoder.encode(portfolio))
        pending.append(10)
        recordsSinceSnapshot = 0
    }

    /// Hands buffered records to the OS. Call before acting on commands.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let written = pending.withUnsafeBytes { buffer -> Int in
            var offset = 0
            while offset < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                offset += n
            }
            return offset
        }
        guard written == pending.count else {
            throw JournalError(message: "journal write failed: \(String(cString: strerror(errno)))")
        }
        pending.removeAll(keepingCapacity: true)
    }

    static func openForAppending(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JournalError(message: "cannot open journal \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Replaces the whole journal with one snapshot of `portfolio` (so recovery stays fast and the file bounded),
    /// atomically: the snapshot is written and synced to a side file, renamed over the journal, and appending
    /// continues in the new file. A crash at any point leaves either the old journal or the new one, whole.
    public func compact(to portfolio: Portfolio) throws {
        try flush()
        let temporary = path + ".compact"
        do {
            let side = try Journal(path: temporary)
            try side.appendSnapshot(portfolio)
            try side.sync()
        }
        guard rename(temporary, path) == 0 else {
            throw JournalError(message: "cannot replace journal: \(String(cString: strerror(errno)))")
        }
        let replaced = descriptor
        descriptor = try Self.openForAppending(path)
        close(replaced)
        recordsSinceSnapshot = 0
    }

    /// Flushes and asks the OS to put the journal on disk.
    public func sync() throws {
        try flush()
        fsync(descriptor)
    }
}

public struct JournalError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
