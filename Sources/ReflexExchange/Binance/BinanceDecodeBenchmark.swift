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

    /// Reads a recording file (`.gz` is decompressed with the system's `gzip -dc`) and returns its trade messages.
    /// - Throws: when the file cannot be read or decompressed.
    public static func tradeMessages(fromRecordingAt path: String) throws -> [[UInt8]] {
        let data: Data
        if path.hasSuffix(".gz") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ExchangeError(code: ExchangeError.malformedResponse, message: "gzip -dc \(path) failed")
            }
        } else {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return tradeMessages(fromRecording: String(decoding: data, as: UTF8.self))
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
