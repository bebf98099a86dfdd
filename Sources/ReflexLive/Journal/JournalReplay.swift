import Foundation
import ReflexBacktest
public import ReflexCore

/// Rebuilds an engine from a journal: the last snapshot, then every later event through `handle`.
///
/// Because the engine is pure, the commands it gives on replay must equal the ones journaled after each event;
/// any difference is counted (a non-deterministic engine would be a bug worth knowing about).
public struct JournalReplay {
    public var engine: Engine
    /// Events applied after the snapshot.
    public var eventsReplayed = 0
    /// Commands re-derived during replay that differ from the journaled ones.
    public var commandMismatches = 0
    /// All commands re-derived during replay, in order (for offline analysis and tests).
    public var commands: [EngineCommand] = []
    /// A line that could not be read (a torn last write after `kill -9`), if any.
    public var tornTail: String?

    /// Replays the journal at `path`; a missing file gives a fresh engine.
    /// - Throws: `JournalError` for a journal that is unreadable before its last line.
    public init(path: String, fresh: Engine) throws {
        engine = fresh
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let decoder = JSONDecoder()
        let lines = data.split(separator: 10, omittingEmptySubsequences: true)
        var expected: [EngineCommand] = []
        var derived: [EngineCommand] = []
        func settle(_ replay: inout JournalReplay) {
            if derived != expected { replay.commandMismatches += 1 }
            derived = []
            expected = []
        }
        for (index, line) in lines.enumerated() {
            guard line.count >= 2, line[line.startIndex + 1] == 9 else {
                if index == lines.count - 1 {
                    tornTail = String(decoding: line.prefix(80), as: UTF8.self)
                    break
                }
                throw JournalError(message: "\(path): line \(index + 1): not a journal record")
            }
            let tag = line[line.startIndex]
            let payload = line.dropFirst(2)
            do {
                switch tag {
                case UInt8(ascii: "S"):
                    settle(&self)
                    engine = try decoder.decode(Engine.self, from: Data(payload))
                    eventsReplayed = 0
                    commands = []
                case UInt8(ascii: "T"):
                    settle(&self)
                    let tick = try Self.tick(from: payload)
                    derived = engine.handle(.tick(tick))
                    commands += derived
                    eventsReplayed += 1
                case UInt8(ascii: "E"):
                    settle(&self)
                    let event = try decoder.decode(EngineEvent.self, from: Data(payload))
                    derived = engine.handle(event)
                    commands += derived
                    eventsReplayed += 1
                case UInt8(ascii: "C"):
                    expected.append(try decoder.decode(EngineCommand.self, from: Data(payload)))
                default:
                    throw JournalError(message: "unknown record tag")
                }
            } catch {
                if index == lines.count - 1 {
                    tornTail = String(decoding: line.prefix(80), as: UTF8.self)
                    break
                }
                throw JournalError(message: "\(path): line \(index + 1): \(error)")
            }
        }
        settle(&self)
    }

    static func tick(from payload: Data.SubSequence) throws -> Tick {
        let fields = payload.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard fields.count == 5, let nanos = Int64(String(decoding: fields[0], as: UTF8.self)),
            let id = Int64(String(decoding: fields[1], as: UTF8.self)),
            let price = Price(String(decoding: fields[2], as: UTF8.self)),
            let quantity = Quantity(String(decoding: fields[3], as: UTF8.self))
        else { throw JournalError(message: "malformed tick record") }
        let side: Side = fields[4].first == UInt8(ascii: "S") ? .sell : .buy
        return Tick(time: Timestamp(nanoseconds: nanos), price: price, quantity: quantity, aggressor: side, tradeID: id)
    }
}
