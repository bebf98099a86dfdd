import Foundation
import ReflexBacktest
import ReflexCore
import Testing

@testable import ReflexLive

@Suite("Journal")
struct JournalTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func configuration() throws -> EngineConfiguration {
        let text = try String(
            contentsOf: root.appendingPathComponent("Strategies/donchian-trend.json"), encoding: .utf8)
        return EngineConfiguration(strategy: try StrategyFile.decode(text))
    }

    /// Runs the sample tape through an engine and a simulated venue, journaling like the live runtime does.
    static func journaledSession(
        path: String, ticks limit: Int, snapshotAt: Int? = nil, compactAt: Int? = nil
    ) throws -> (Engine, [EngineCommand]) {
        let journal = try Journal(path: path)
        var engine = Engine(configuration: try configuration())
        try journal.appendSnapshot(engine)
        var venue = SimulatedVenue(symbol: "BTCUSDT")
        var all: [EngineCommand] = []
        func feed(_ event: EngineEvent) throws {
            let commands = engine.handle(event)
            try journal.append(event)
            try journal.append(commands)
            try journal.flush()
            all += commands
            for command in commands {
                switch command {
                case .place(let intent): for e in venue.submit(intent, at: event.time) { try feed(e) }
                case .cancel(let c): for e in venue.cancel(c.clientOrderID, at: event.time) { try feed(e) }
                default: break
                }
            }
        }
        let reader = try TickFileReader(
            path: root.appendingPathComponent("Data/BTCUSDT-trades-2024-08-08-2354.csv").path)
        var n = 0
        while n < limit, let tick = try reader.nextTick() {
            for fill in venue.process(tick) { try feed(fill) }
            try feed(.tick(tick))
            n += 1
            if n == snapshotAt { try journal.appendSnapshot(engine) }
            if n == compactAt { try journal.compact(to: engine) }
        }
        try journal.sync()
        return (engine, all)
    }

    static func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).log").path
    }

    @Test("Replaying the journal recovers the engine exactly and re-derives the same commands")
    func recovers() throws {
        let path = Self.scratch()
        let (live, commands) = try Self.journaledSession(path: path, ticks: 15_000)
        #expect(live.fillCount > 0, "the session must trade for the test to mean something")
        let replay = try JournalReplay(path: path, fresh: Engine(configuration: try Self.configuration()))
        #expect(replay.commandMismatches == 0)
        #expect(replay.commands == commands)
        #expect(replay.engine.position == live.position)
        #expect(replay.engine.workingOrders == live.workingOrders)
        #expect(replay.engine.realizedPnl == live.realizedPnl)
        #expect(replay.engine.ticks == live.ticks)
        #expect(replay.tornTail == nil)
        // The next client order id continues the sequence: no id is ever reused after a restart.
        #expect(replay.engine.ordersPlaced == live.ordersPlaced && live.ordersPlaced > 0)
    }

    @Test("A snapshot in the middle gives the same engine")
    func snapshot() throws {
        let path = Self.scratch()
        let (live, _) = try Self.journaledSession(path: path, ticks: 15_000, snapshotAt: 9_000)
        let replay = try JournalReplay(path: path, fresh: Engine(configuration: try Self.configuration()))
        #expect(replay.eventsReplayed < 15_000)
        #expect(replay.engine.position == live.position && replay.engine.fillCount == live.fillCount)
        #expect(replay.engine.workingOrders == live.workingOrders)
    }

    @Test("Records appended after a compaction land in the compacted journal")
    func compaction() throws {
        let path = Self.scratch()
        let (live, _) = try Self.journaledSession(path: path, ticks: 15_000, compactAt: 5_000)
        let replay = try JournalReplay(path: path, fresh: Engine(configuration: try Self.configuration()))
        #expect(replay.engine.ticks == live.ticks)
        #expect(replay.engine.position == live.position && replay.engine.fillCount == live.fillCount)
        #expect(replay.engine.workingOrders == live.workingOrders)
        #expect(!FileManager.default.fileExists(atPath: path + ".compact"))
    }

    @Test("A torn last record after kill -9 is ignored; garbage in the middle is an error")
    func torn() throws {
        let path = Self.scratch()
        let (live, _) = try Self.journaledSession(path: path, ticks: 3_000)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("E\t{\"orderFil".utf8))
        try handle.close()
        let replay = try JournalReplay(path: path, fresh: Engine(configuration: try Self.configuration()))
        #expect(replay.tornTail != nil)
        #expect(replay.engine.ticks == live.ticks)

        let broken = Self.scratch()
        try "S\tnot json\nT\t1,1,1,1,B\n".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(throws: JournalError.self) {
            try JournalReplay(path: broken, fresh: Engine(configuration: try Self.configuration()))
        }
    }
}
