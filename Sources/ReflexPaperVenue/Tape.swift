import ReflexBacktest
public import ReflexCore

/// A recorded tape the venue can replay any number of times: each pass opens a fresh reader, so a file of any size
/// replays in constant memory.
public struct Tape: Sendable {
    /// Opens a pass over the tape; the returned closure yields the next trade, nil at the end.
    public let open: @Sendable () throws -> () throws -> Tick?

    /// A tape from any source that can be opened repeatedly.
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
            // A malformed line mid-tape is skipped (the reader counts it) rather than stopping the venue.
            let reader = try TickFileReader(path: path, skipBadLines: true)
            return { try reader.nextTick() }
        }
    }

    /// The symbol a tick file names: its own symbol column, else a Binance-style file name (`BTCUSDT-trades-…`).
    /// - Throws: `TickFileError` when the file cannot be opened or is no known format.
    public static func symbol(ofFile path: String) throws -> String? {
        try TickFileReader(path: path).symbol
    }

    /// The venue's symbol: the file's own wins, then `option` (`--symbol`), then a Binance-style file name.
    ///
    /// The reader reports either the file's symbol or the name's, so a reader symbol equal to the name-derived one
    /// is taken as coming from the name (and `option` overrides it).
    public static func resolveSymbol(fileSymbol: String?, option: String?, path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let prefix = name.split(separator: "-").first.map(String.init) ?? ""
        let fromName =
            name.contains("-") && prefix.count >= 5
                && prefix.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) })
            ? prefix : nil
        if let fileSymbol, fileSymbol != fromName { return fileSymbol.uppercased() }
        return option?.uppercased() ?? fromName
    }
}
