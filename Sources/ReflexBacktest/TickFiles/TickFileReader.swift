import Foundation
public import ReflexCore

/// Streams ticks from a recorded tick file in any ``TickFileFormat``, plain or gzip.
///
/// Reads in 1 MiB chunks and parses bytes in place: memory is flat in the number of ticks. A malformed line is
/// an error naming file, line and column, unless `skipBadLines`, when it is counted (``badLines``). Ticks whose
/// time goes backwards are passed on as they are and counted (``outOfOrderTicks``): reordering would hide a
/// recording fault.
public final class TickFileReader {
    public let path: String
    public let format: TickFileFormat
    /// The instrument, when the file says (Tardis, Reflex) or its name does (`BTCUSDT-trades-…`).
    public let symbol: String?
    public let skipBadLines: Bool

    /// The parsing state lives in one struct so the hot loop pays one exclusivity check per record, not one per
    /// field access of a class.
    private var cursor: TickFileCursor

    /// Lines skipped as malformed (only with `skipBadLines`).
    public var badLines: Int { cursor.badLines }
    /// The first few skipped lines' errors, for the report.
    public var badLineSamples: [TickFileError] { cursor.badLineSamples }
    /// Ticks whose time is earlier than the tick before.
    public var outOfOrderTicks: Int { cursor.outOfOrderTicks }
    /// Line number of the first out-of-order tick.
    public var firstOutOfOrderLine: Int? { cursor.firstOutOfOrderLine }
    /// Ticks returned so far.
    public var ticksRead: Int { cursor.ticksRead }
    /// Bytes consumed so far (for progress).
    public var bytesRead: Int { cursor.bytesRead }

    /// Opens `path` and detects its format from the first line.
    /// - Throws: ``TickFileError`` when the file cannot be opened or its first line is no known format.
    public init(path: String, skipBadLines: Bool = false) throws {
        self.path = path
        self.skipBadLines = skipBadLines
        let source = try ByteSource(path: path)
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        var start = 0
        var end = 0
        var atEndOfData = false
        var lineNumber = 0
        // Read the first line to detect the format.
        var firstLine: String?
        var firstRange: Range<Int>?
        TickFileCursor.fill(source: source, buffer: &buffer, start: &start, end: &end, atEnd: &atEndOfData)
        if let range = TickFileCursor.nextLine(buffer: buffer, start: start, end: end, atEnd: atEndOfData) {
            firstRange = range
            firstLine = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
        guard let line = firstLine, let range = firstRange else {
            buffer.deallocate()
            throw TickFileError(file: path, line: 0, column: 0, message: "the file is empty")
        }
        guard let (format, isHeader) = TickFileFormat.detect(firstLine: line) else {
            buffer.deallocate()
            throw TickFileError(
                file: path, line: 1, column: 0,
                message:
                    "unrecognised tick-file format; expected Binance aggTrades/trades CSV, Tardis trades CSV or a Reflex recording, got \"\(line.prefix(120))\""
            )
        }
        self.format = format
        var symbol: String?
        if format == .reflex, let eq = line.range(of: "symbol=") {
            symbol = String(line[eq.upperBound...].prefix { !$0.isWhitespace })
        }
        if isHeader {
            start = range.upperBound + 1
            lineNumber = 1
            if format == .reflex {
                // The column-name line follows the magic line.
                if let next = TickFileCursor.nextLine(buffer: buffer, start: start, end: end, atEnd: atEndOfData) {
                    start = next.upperBound + 1
                    lineNumber = 2
                }
            }
        }
        if symbol == nil && format == .tardis,
            let next = TickFileCursor.nextLine(buffer: buffer, start: start, end: end, atEnd: atEndOfData)
        {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[next]), as: UTF8.self)
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count > 1 { symbol = String(fields[1]) }
        }
        self.symbol = symbol ?? Self.symbol(fromFileName: path)
        cursor = TickFileCursor(
            path: path, skipBadLines: skipBadLines, columns: format.columns, source: source, buffer: buffer,
            start: start,
            end: end, atEndOfData: atEndOfData, lineNumber: lineNumber)
    }

    deinit {
        cursor.buffer.deallocate()
        cursor.fieldStarts.deallocate()
    }

    /// A Binance-style download name (`BTCUSDT-trades-2024-08-08.csv`) names its symbol first.
    static func symbol(fromFileName path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let first = name.split(separator: "-").first, first.count >= 5, first.count <= 20,
            first.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }), first != Substring(name)
        else { return nil }
        return String(first)
    }

    /// The next tick, skipping recorded regime lines; nil at end of data.
    public func nextTick() throws -> Tick? {
        try cursor.nextTick()
    }

    /// The next record; nil at end of data.
    public func next() throws -> TapeItem? {
        try cursor.next()
    }
}

/// The reader's mutable state and its byte-level parsing.
struct TickFileCursor {
    let path: String
    let skipBadLines: Bool
    let columns: TickFileFormat.Columns
    let source: ByteSource
    var buffer: UnsafeMutableRawBufferPointer
    var start: Int
    var end: Int
    var atEndOfData: Bool
    var lineNumber: Int
    var lastTime = Int64.min
    /// Field offsets of the line being parsed (reused: no allocation per line).
    let fieldStarts = UnsafeMutablePointer<Int>.allocate(capacity: 9)
    var badLines = 0
    var badLineSamples: [TickFileError] = []
    var outOfOrderTicks = 0
    var firstOutOfOrderLine: Int?
    var ticksRead = 0
    var bytesRead = 0

    init(
        path: String, skipBadLines: Bool, columns: TickFileFormat.Columns, source: ByteSource,
        buffer: UnsafeMutableRawBufferPointer, start: Int, end: Int, atEndOfData: Bool, lineNumber: Int
    ) {
        self.path = path
        self.skipBadLines = skipBadLines
        self.columns = columns
        self.source = source
        self.buffer = buffer
        self.start = start
        self.end = end
        self.atEndOfData = atEndOfData
        self.lineNumber = lineNumber
    }

    mutating func nextTick() throws -> Tick? {
        while let item = try next() {
            if case .tick(let tick) = item { return tick }
        }
        return nil
    }

    mutating func next() throws -> TapeItem? {
        while true {
            guard let range = try nextLineRange() else { return nil }
            lineNumber += 1
            if range.isEmpty { continue }
            do {
                if let item = try parse(range) { return item }
            } catch let error as TickFileError {
                guard skipBadLines else { throw error }
                badLines += 1
                if badLineSamples.count < 5 { badLineSamples.append(error) }
            }
        }
    }

    // MARK: - Buffering

    mutating func nextLineRange() throws -> Range<Int>? {
        while true {
            if let range = Self.nextLine(buffer: buffer, start: start, end: end, atEnd: atEndOfData) {
                start = range.upperBound + 1
                bytesRead += range.count + 1
                var trimmed = range
                if trimmed.count > 0 && buffer[trimmed.upperBound - 1] == 13 {
                    trimmed = trimmed.lowerBound..<(trimmed.upperBound - 1)
                }
                return trimmed
            }
            if atEndOfData {
                let status = source.finish()
                if status != 0 {
                    throw TickFileError(
                        file: path, line: lineNumber, column: 0,
                        message: "gzip failed (exit \(status)): the compressed file is corrupt or truncated")
                }
                return nil
            }
            if start == 0 && end == buffer.count {
                // A line longer than the buffer: grow.
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 8)
                bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                buffer.deallocate()
                buffer = bigger
            }
            Self.fill(source: source, buffer: &buffer, start: &start, end: &end, atEnd: &atEndOfData)
        }
    }

    /// Moves the unread tail to the front and reads more.
    static func fill(
        source: ByteSource, buffer: inout UnsafeMutableRawBufferPointer, start: inout Int, end: inout Int,
        atEnd: inout Bool
    ) {
        if start > 0 {
            let remaining = end - start
            if remaining > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: remaining)
            }
            start = 0
            end = remaining
        }
        while end < buffer.count {
            let n = (try? source.read(into: buffer.baseAddress! + end, count: buffer.count - end)) ?? 0
            if n == 0 {
                atEnd = true
                return
            }
            end += n
            if end - start >= 64 * 1024 { return }
        }
    }

    /// The next line's byte range (without the newline); at end of data, the unterminated last line.
    static func nextLine(buffer: UnsafeMutableRawBufferPointer, start: Int, end: Int, atEnd: Bool)
        -> Range<Int>?
    {
        guard start < end else { return nil }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if let p = memchr(base + start, 10, end - start) {
            let index = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            return start..<index
        }
        if atEnd {
            // Pretend a newline follows the last line.
            return start..<end
        }
        return nil
    }

    // MARK: - Parsing

    mutating func parse(_ range: Range<Int>) throws -> TapeItem? {
        let base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        if base[range.lowerBound] == UInt8(ascii: "#") {
            return try parseDirective(range)
        }
        // Split into at most 8 fields; a line with another count is malformed.
        let starts = fieldStarts
        starts[0] = range.lowerBound
        var count = 1
        var cursor = range.lowerBound
        while cursor < range.upperBound {
            if base[cursor] == 44 {
                if count < 8 { starts[count] = cursor + 1 }
                count += 1
            }
            cursor += 1
        }
        guard count == columns.count else {
            throw error(column: 0, "expected \(columns.count) comma-separated fields, found \(count)")
        }
        do {
            func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
                let s = starts[i]
                let e = i + 1 < count ? starts[i + 1] - 1 : range.upperBound
                return UnsafeBufferPointer(start: base + s, count: e - s)
            }
            let c = columns
            guard let (priceRaw, pricePrecision) = FixedPoint.parse(field(c.price)), priceRaw > 0 else {
                throw error(column: c.price + 1, "price: expected a positive decimal, got \(text(field(c.price)))")
            }
            guard let (qtyRaw, qtyPrecision) = FixedPoint.parse(field(c.quantity)), qtyRaw > 0 else {
                throw error(
                    column: c.quantity + 1, "quantity: expected a positive decimal, got \(text(field(c.quantity)))")
            }
            guard let id = Self.integer(field(c.id)) else {
                throw error(column: c.id + 1, "trade id: expected an integer, got \(text(field(c.id)))")
            }
            guard let rawTime = Self.integer(field(c.time)), rawTime > 0 else {
                throw error(column: c.time + 1, "time: expected an integer timestamp, got \(text(field(c.time)))")
            }
            let aggressor: Side
            let sideField = field(c.side)
            if c.sideIsBuyerMaker {
                guard let maker = Self.boolean(sideField) else {
                    throw error(column: c.side + 1, "is_buyer_maker: expected true or false, got \(text(sideField))")
                }
                aggressor = maker ? .sell : .buy
            } else {
                guard let side = Self.side(sideField) else {
                    throw error(column: c.side + 1, "side: expected buy/sell (or B/S), got \(text(sideField))")
                }
                aggressor = side
            }
            let time = Self.timestamp(rawTime)
            if time.nanoseconds < lastTime {
                outOfOrderTicks += 1
                if firstOutOfOrderLine == nil { firstOutOfOrderLine = lineNumber }
            }
            lastTime = time.nanoseconds
            ticksRead += 1
            return .tick(
                Tick(
                    time: time, price: Price(raw: priceRaw, precision: pricePrecision),
                    quantity: Quantity(raw: qtyRaw, precision: qtyPrecision), aggressor: aggressor, tradeID: id))
        }
    }

    func parseDirective(_ range: Range<Int>) throws -> TapeItem? {
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        guard line.hasPrefix("#regime,") else { return nil }  // a comment
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 4 else { throw error(column: 0, "#regime: expected #regime,<time_ns>,<mode>,<source>") }
        guard let nanos = Int64(fields[1]) else { throw error(column: 2, "#regime time: expected integer nanoseconds") }
        guard let mode = TradingMode(rawValue: String(fields[2])) else {
            throw error(column: 3, "#regime mode: expected trend or range, got \"\(fields[2])\"")
        }
        let source = RegimeSource(rawValue: String(fields[3])) ?? .recording
        return .regimeShift(
            RegimeShift(
                mode: mode, source: source, reason: "recorded \(fields[3])", time: Timestamp(nanoseconds: nanos)))
    }

    func error(column: Int, _ message: String) -> TickFileError {
        TickFileError(file: path, line: lineNumber, column: column, message: message)
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        "\"" + String(decoding: bytes.prefix(40), as: UTF8.self) + "\""
    }

    /// Seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude (any date 1973–2286).
    static func timestamp(_ value: Int64) -> Timestamp {
        if value < 100_000_000_000 { return .seconds(value) }
        if value < 100_000_000_000_000 { return .milliseconds(value) }
        if value < 100_000_000_000_000_000 { return .microseconds(value) }
        return Timestamp(nanoseconds: value)
    }

    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return value
    }

    static func boolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch bytes.count {
        case 4 where bytes[0] | 0x20 == 116 && bytes[1] == 114 && bytes[2] == 117 && bytes[3] == 101: return true
        case 5 where bytes[0] | 0x20 == 102 && bytes[1] == 97 && bytes[2] == 108 && bytes[3] == 115 && bytes[4] == 101:
            return false
        default: return nil
        }
    }

    static func side(_ bytes: UnsafeBufferPointer<UInt8>) -> Side? {
        switch String(decoding: bytes, as: UTF8.self) {
        case "buy", "B", "BUY": return .buy
        case "sell", "S", "SELL": return .sell
        default: return nil
        }
    }
}
