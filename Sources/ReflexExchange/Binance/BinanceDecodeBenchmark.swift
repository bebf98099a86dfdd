import Foundation
import ReflexCore

/// Measures the market-message hot path: raw JSON bytes → `Tick`, as the stream does for every message.
public enum BinanceDecodeBenchmark {
    /// Decodes every line `repetitions` times and times it.
    ///
    /// - Parameters:
    ///   - lines: raw messages (one JSON object each; non-trade messages count as decoded and ignored).
    ///   - repetitions: passes over `lines`, so short inputs still run long enough to time.
    /// - Returns: messages decoded, trades among them, and wall seconds.
    public static func run(lines: [[UInt8]], repetitions: Int = 1) -> (messages: Int, trades: Int, seconds: Double) {
        var trades = 0
        var checksum: Int64 = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<max(1, repetitions) {
            for line in lines {
                let message = line.withUnsafeBufferPointer { BinanceParse.trade(bytes: $0) }
                if case .trade(let tick) = message {
                    trades += 1
                    checksum &+= tick.price.raw  // keeps the optimiser from dropping the work
                }
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        precondition(checksum != .min)
        return (lines.count * max(1, repetitions), trades, seconds)
    }

    /// Reads a recording in the `<local ns> <raw JSON>` line format (already decompressed) and returns the JSON of
    /// each line whose stream is a trade stream (`@trade` / `@aggTrade`).
    public static func tradeMessages(fromRecording text: String) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard line.contains("@trade\"") || line.contains("@aggTrade\""),
                let space = line.firstIndex(of: " ")
            else { continue }
            messages.append(Array(line[line.index(after: space)...].utf8))
        }
        return messages
    }
}
