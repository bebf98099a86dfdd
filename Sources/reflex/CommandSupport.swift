import Foundation
import ReflexCore

/// An error the CLI reports as one line and a non-zero exit status.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads and decodes a strategy file, naming the file in any error.
func loadStrategy(_ path: String) throws -> StrategyParameters {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure("cannot read strategy file \(path)")
    }
    do {
        return try StrategyFile.decode(String(decoding: data, as: UTF8.self))
    } catch {
        throw CommandFailure("strategy file \(path): \(error)")
    }
}

/// Parses `--from`/`--to`: ISO-8601 (`2024-08-08T23:55:00Z`, `2024-08-08`) or epoch milliseconds.
func parseTime(_ text: String, option: String) throws -> Timestamp {
    if let ms = Int64(text) { return .milliseconds(ms) }
    let full = ISO8601DateFormatter()
    full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let plain = ISO8601DateFormatter()
    let day = ISO8601DateFormatter()
    day.formatOptions = [.withFullDate]
    for formatter in [full, plain, day] {
        if let date = formatter.date(from: text) {
            return .milliseconds(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
    }
    throw CommandFailure(
        "\(option): expected ISO-8601 time (2024-08-08T23:55:00Z or 2024-08-08) or epoch ms, got \"\(text)\"")
}

/// Standard error, unbuffered, for progress and warnings.
func printError(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

var standardErrorIsTerminal: Bool { isatty(2) == 1 }
