import Foundation
import ReflexCore
import Testing

@testable import ReflexBacktest

@Suite("Tick files")
struct TickFileReaderTests {
    func readAll(_ path: String, skipBadLines: Bool = false) throws -> (TickFileReader, [Tick]) {
        let reader = try TickFileReader(path: path, skipBadLines: skipBadLines)
        var ticks: [Tick] = []
        while let tick = try reader.nextTick() { ticks.append(tick) }
        return (reader, ticks)
    }

    @Test("Binance futures trades CSV with header: every trade, exact strings, consecutive ids")
    func binanceFuturesTrades() throws {
        let (reader, ticks) = try readAll(TestFiles.sampleTrades)
        #expect(reader.format == .binanceFuturesTrades)
        #expect(reader.symbol == "BTCUSDT")
        #expect(ticks.count == 21_313)
        let first = try #require(ticks.first)
        #expect(first.tradeID == 5_266_583_935)
        #expect(first.price.description == "61800.30")
        #expect(first.quantity.description == "0.006")
        #expect(first.time == .milliseconds(1_723_161_256_322))
        #expect(first.aggressor == .buy)  // is_buyer_maker=false: the buyer took liquidity
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1.tradeID == $0.tradeID + 1 })
        #expect(reader.outOfOrderTicks == 0)
    }

    @Test("Binance aggTrades CSV (spot XRPETH) with header")
    func aggTrades() throws {
        let (reader, ticks) = try readAll(TestFiles.fixture("XRPETH-aggTrades-2019-10-11.csv"))
        #expect(reader.format == .binanceAggTrades)
        #expect(reader.symbol == "XRPETH")
        #expect(ticks.count == 12_477)
        #expect(ticks[0].price.description == "0.00141342")
        #expect(ticks[0].quantity.description == "23.00000000")
        #expect(ticks[0].aggressor == .sell)
        #expect(ticks[0].time == .milliseconds(1_570_752_011_620))
    }

    @Test("Tardis trades CSV: symbol from the file, microsecond times, buy/sell sides")
    func tardis() throws {
        let (reader, ticks) = try readAll(TestFiles.fixture("tardis-binance-futures-BTCUSDT-trades-2020-02-22.csv"))
        #expect(reader.format == .tardis)
        #expect(reader.symbol == "BTCUSDT")
        #expect(ticks.count == 9_999)
        #expect(ticks[0].time == .microseconds(1_582_329_602_111_000))
        #expect(ticks[0].price.description == "9682")
        #expect(ticks[0].aggressor == .buy)
        #expect(ticks.contains { $0.aggressor == .sell })
    }

    @Test("Files without a header are recognised by shape; seconds and microseconds too")
    func headerless() throws {
        let agg = try TestFiles.write(
            "1,0.5,2,1,1,1570752011620,true\n2,0.6,1,2,2,1570752011621,false\n", named: "x.csv")
        let (aggReader, aggTicks) = try readAll(agg)
        #expect(aggReader.format == .binanceAggTrades && aggTicks.count == 2)
        #expect(aggReader.symbol == nil)
        let spot = try TestFiles.write(
            "7,100.1,0.5,50.05,1735689600123456,true,true\n", named: "ETHBTC-trades-2025-01-01.csv")
        let (spotReader, spotTicks) = try readAll(spot)
        #expect(spotReader.format == .binanceSpotTrades)
        #expect(spotReader.symbol == "ETHBTC")
        #expect(spotTicks[0].time == .microseconds(1_735_689_600_123_456))
        let futures = try TestFiles.write("9,61800.30,0.006,370.8018,1723161256,false\n", named: "f.csv")
        let (futuresReader, futuresTicks) = try readAll(futures)
        #expect(futuresReader.format == .binanceFuturesTrades)
        #expect(futuresTicks[0].time == .seconds(1_723_161_256))
    }

    @Test("gzip input gives the same ticks")
    func gzip() throws {
        let folder = try TestFiles.scratch()
        let copy = folder.appendingPathComponent("BTCUSDT-trades.csv.gz").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c \"$0\" > \"$1\"", TestFiles.sampleTrades, copy]
        try process.run()
        process.waitUntilExit()
        let (_, plain) = try readAll(TestFiles.sampleTrades)
        let (reader, zipped) = try readAll(copy)
        #expect(reader.symbol == "BTCUSDT")
        #expect(zipped == plain)
    }

    @Test("A malformed line names file, line and column; --skip-bad-lines counts it instead")
    func malformed() throws {
        let text = """
            id,price,qty,quote_qty,time,is_buyer_maker
            1,100.0,1,100,1723161256322,false
            2,abc,1,100,1723161256323,false
            3,100.0,1,100,1723161256324,maybe
            4,100.0,1,100,1723161256325
            5,100.0,1,100,1723161256326,true

            """
        let path = try TestFiles.write(text, named: "BTCUSDT-bad.csv")
        do {
            _ = try readAll(path)
            Issue.record("a malformed line must fail")
        } catch let error as TickFileError {
            #expect(error.line == 3 && error.column == 2)
            #expect(error.description.hasPrefix(path + ":3: column 2: price"))
        }
        let (reader, ticks) = try readAll(path, skipBadLines: true)
        #expect(ticks.map(\.tradeID) == [1, 5])
        #expect(reader.badLines == 3)
        #expect(reader.badLineSamples.map(\.line) == [3, 4, 5])
    }

    @Test("Out-of-order times are reported, not reordered")
    func outOfOrder() throws {
        let path = try TestFiles.write(
            "id,price,qty,quote_qty,time,is_buyer_maker\n1,1,1,1,1723161256322,false\n2,1,1,1,1723161256000,false\n",
            named: "o.csv")
        let (reader, ticks) = try readAll(path)
        #expect(ticks.map(\.tradeID) == [1, 2])
        #expect(reader.outOfOrderTicks == 1 && reader.firstOutOfOrderLine == 3)
    }

    @Test("Unknown layouts and empty files get a clear error")
    func unknown() throws {
        let path = try TestFiles.write("hello,world\n", named: "h.csv")
        #expect(throws: TickFileError.self) { try TickFileReader(path: path) }
        let empty = try TestFiles.write("", named: "e.csv")
        #expect(throws: TickFileError.self) { try TickFileReader(path: empty) }
        #expect(throws: TickFileError.self) { try TickFileReader(path: "/nonexistent/file.csv") }
    }

    @Test("Reflex recordings round-trip ticks and regime switches")
    func reflexRecording() throws {
        let path = try TestFiles.scratch().appendingPathComponent("session.rticks").path
        let (_, ticks) = try readAll(TestFiles.sampleTrades)
        do {
            let writer = try ReflexTickWriter(path: path, symbol: "BTCUSDT")
            for tick in ticks.prefix(100) { writer.append(tick) }
            writer.append(RegimeShift(mode: .range, source: .operator_, time: ticks[99].time))
            for tick in ticks[100..<200] { writer.append(tick) }
            writer.flush()
        }
        // The venue's exact strings, trailing zeros included (equality of ticks would not notice a lost zero).
        #expect(ReflexTickFile.line(ticks[0]) == "1723161256322000000,5266583935,61800.30,0.006,B\n")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n")[2] == "1723161256322000000,5266583935,61800.30,0.006,B")
        let reader = try TickFileReader(path: path)
        #expect(reader.format == .reflex && reader.symbol == "BTCUSDT")
        var items: [TapeItem] = []
        while let item = try reader.next() { items.append(item) }
        #expect(items.count == 201)
        #expect(
            items[100]
                == .regimeShift(
                    RegimeShift(mode: .range, source: .operator_, reason: "recorded operator", time: ticks[99].time)))
        let replayed = items.compactMap { if case .tick(let t) = $0 { return t } else { return nil } }
        #expect(replayed == Array(ticks.prefix(200)))
    }
}
