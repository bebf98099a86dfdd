import Foundation
import ReflexBacktest
public import ReflexCore

/// Rebuilds the markets' engines from a journal: the last snapshot, then every later event through the same
/// routing and handling as live.
///
/// Because the engines and the portfolio's risk layer are pure, the commands they give on replay must equal the
/// ones journaled after each event; any difference is counted (a non-deterministic engine would be a bug worth
/// knowing about). A journal of the one-market bot (an `S` engine snapshot, ticks without a symbol) recovers
/// into the market of that engine's symbol.
public struct JournalReplay {
    public var portfolio: Portfolio
    /// Events applied after the snapshot.
    public var eventsReplayed = 0
    /// Commands re-derived during replay that differ from the journaled ones.
    public var commandMismatches = 0
    /// All commands re-derived during replay, in order (for offline analysis and tests).
    public var commands: [EngineCommand] = []
    /// A line that could not be read (a torn last write after `kill -9`), if any.
    public var tornTail: String?
    /// Markets the journal holds that the deployment no longer trades (not recovered).
    public var droppedMarkets: [String] = []

    /// The first market's engine (the only one of a one-market deployment).
    public var engine: Engine { portfolio.markets[0] }

    /// Replays the journal at `path` into `fresh` (the deployment's markets); a missing file leaves it as is.
    /// - Throws: `JournalError` for a journal that is unreadable before its last line.
    public init(path: String, fresh: Portfolio) throws {
        portfolio = fresh
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
                    (portfolio, droppedMarkets) = fresh.continuing(
                        from: try decoder.decode(Engine.self, from: Data(payload)))
                    eventsReplayed = 0
                    commands = []
                case UInt8(ascii: "P"):
                    settle(&self)
                    (portfolio, droppedMarkets) = fresh.continuing(
                        from: try decoder.decode(Portfolio.self, from: Data(payload)))
                    eventsReplayed = 0
                    commands = []
                case UInt8(ascii: "T"):
                    settle(&self)
                    let (symbol, tick) = try Self.tick(from: payload)
                    if let symbol {
                        guard let market = portfolio.market(symbol: symbol) else { continue }
                        derived = portfolio.handle(tick: tick, market: market)
                    } else {
                        derived = portfolio.handle(tick: tick, market: 0)
                    }
                    commands += derived
                    eventsReplayed += 1
                case UInt8(ascii: "E"):
                    settle(&self)
                    var json = payload
                    if let first = json.first, first != UInt8(ascii: "{"), let tab = json.firstIndex(of: 9) {
                        json = json[json.index(after: tab)...]
                    }
                    let event = try decoder.decode(EngineEvent.self, from: Data(json))
                    derived = portfolio.handle(event).commands
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

    /// Replays a one-market journal into `fresh`.
    public init(path: String, fresh: Engine) throws {
        try self.init(path: path, fresh: Portfolio(engine: fresh))
    }

    static func tick(from payload: Data.SubSequence) throws -> (symbol: String?, tick: Tick) {
        var fields = payload.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        var symbol: String?
        if fields.count == 6 { symbol = String(decoding: fields.removeFirst(), as: UTF8.self) }
        guard fields.count == 5, let nanos = Int64(String(decoding: fields[0], as: UTF8.self)),
            let id = Int64(String(decoding: fields[1], as: UTF8.self)),
            let price = Price(String(decoding: fields[2], as: UTF8.self)),
            let quantity = Quantity(String(decoding: fields[3], as: UTF8.self))
        else { throw JournalError(message: "malformed tick record") }
        let side: Side = fields[4].first == UInt8(ascii: "S") ? .sell : .buy
        return (
            symbol,
            Tick(time: Timestamp(nanoseconds: nanos), price: price, quantity: quantity, aggressor: side, tradeID: id)
        )
    }
}
