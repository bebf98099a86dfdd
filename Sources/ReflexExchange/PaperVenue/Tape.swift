import ReflexBacktest
public import ReflexCore

/// A recorded tape the venue can replay any number of times: each pass opens a fresh reader, so a file of any size
/// replays in constant memory.
public struct Tape: Sendable {
    /// Opens a pass over the tape; the returned closure yields the next trade, nil at the end.
    public let open: @Sendable () throws -> () throws -> Tick?

    public init(open: @escaping @Sendable () throws -> () throws -> Tick?) {
        self.open = open
    }

    /// Trades held in memory (tests, short synthetic tapes).
    public static func ticks(_ ticks: [Tick]) -> Tape {
        Tape {
            var index = 0
            return {
                guard index < ticks.count else { return nil }
                defer { index += 1 }
                return ticks[index]
            }
        }
    }

    /// A recorded tick file in any format the backtester reads (Binance aggTrades/trades CSV, Tardis, Reflex; gzip).
    public static func file(path: String) -> Tape {
        Tape {
            let reader = try TickFileReader(path: path)
            return { try reader.nextTick() }
        }
    }

    /// The symbol a tick file names: its own symbol column, else a Binance-style file name (`BTCUSDT-trades-…`).
    public static func symbol(ofFile path: String) throws -> String? {
        try TickFileReader(path: path).symbol
    }
}
