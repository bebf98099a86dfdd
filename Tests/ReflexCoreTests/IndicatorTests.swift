import Foundation
import Testing

@testable import ReflexCore

@Suite("Indicators against the StockCharts sheets")
struct IndicatorTests {
    @Test("Donchian(20) with the current bar included equals cs-dc.csv")
    func donchianIncludingCurrentBar() throws {
        let sheet = try FixtureSheet("stockcharts_cs-dc")
        var channel = DonchianChannel(length: 20)
        var checked = 0
        for row in sheet.rows.indices {
            channel.update(high: sheet.number(row, "high")!, low: sheet.number(row, "low")!)
            if let upper = sheet.number(row, "upper_band") {
                let value = try #require(channel.value, "channel should be warm at row \(row)")
                #expect(abs(value.upper - upper) < 1e-9)
                #expect(abs(value.lower - sheet.number(row, "lower_band")!) < 1e-9)
                #expect(abs(value.middle - sheet.number(row, "middle_band")!) < 0.005 + 1e-9)  // sheet rounds to 2 dp
                checked += 1
            } else {
                #expect(channel.value == nil, "channel must not be warm before the sheet at row \(row)")
            }
        }
        #expect(checked == 11)
    }

    @Test("Channel of the previous 20 bars (offset 1) equals cs-dc2.csv")
    func donchianPreviousBars() throws {
        let sheet = try FixtureSheet("stockcharts_cs-dc2")
        var channel = DonchianChannel(length: 20)
        var checked = 0
        for row in sheet.rows.indices {
            // Judged before this bar is added: the breakout reference.
            if let upper = sheet.number(row, "upper_band") {
                let value = try #require(channel.value)
                #expect(abs(value.upper - upper) < 1e-9)
                #expect(abs(value.lower - sheet.number(row, "lower_band")!) < 1e-9)
                checked += 1
            }
            channel.update(high: sheet.number(row, "high")!, low: sheet.number(row, "low")!)
        }
        #expect(checked == 10)
    }

    @Test("ATR(14) with Wilder smoothing equals cs-atr.csv")
    func averageTrueRange() throws {
        let sheet = try FixtureSheet("stockcharts_cs-atr")
        var atr = AverageTrueRange(length: 14)
        var checked = 0
        for row in sheet.rows.indices {
            atr.update(
                high: sheet.number(row, "High")!, low: sheet.number(row, "Low")!, close: sheet.number(row, "Close")!)
            #expect(abs(atr.trueRange! - sheet.number(row, "TR")!) < 1e-9, "TR at row \(row)")
            let expected = sheet.number(row, "ATR")!
            if row < 13 {
                #expect(atr.value == nil)
            } else {
                #expect(abs(atr.value! - expected) < 1e-6, "ATR at row \(row): \(atr.value!) vs \(expected)")
                checked += 1
            }
        }
        #expect(checked == sheet.rows.count - 13 && checked >= 16)
    }

    @Test("Realised volatility equals a direct sample standard deviation of log returns")
    func realizedVolatility() {
        var generator = SplitMix64(seed: 7)
        var vol = RealizedVolatility(length: 20)
        var closes: [Double] = []
        var price = 100.0
        for _ in 0..<500 {
            price *= 1 + (Double(generator.next() % 2001) - 1000) / 100_000
            closes.append(price)
            vol.update(close: price)
            let returns = zip(closes.dropFirst(), closes).map { log($0 / $1) }
            if returns.count < 20 {
                #expect(vol.value == nil)
                continue
            }
            let window = returns.suffix(20)
            let mean = window.reduce(0, +) / 20
            let expected = (window.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 19).squareRoot()
            #expect(abs(vol.value! - expected) < 1e-12)
        }
    }

    @Test("The monotonic deque agrees with a brute-force window maximum and minimum")
    func rollingExtremum() {
        var generator = SplitMix64(seed: 42)
        for window in [1, 2, 5, 20] {
            var maximum = RollingExtremum(window: window, kind: .maximum)
            var minimum = RollingExtremum(window: window, kind: .minimum)
            var values: [Double] = []
            for _ in 0..<2000 {
                let x = Double(generator.next() % 50)  // many ties on purpose
                values.append(x)
                maximum.update(x)
                minimum.update(x)
                #expect(maximum.value == values.suffix(window).max())
                #expect(minimum.value == values.suffix(window).min())
            }
        }
    }
}

/// A small deterministic generator for reproducible test data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
