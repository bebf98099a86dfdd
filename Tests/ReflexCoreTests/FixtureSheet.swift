import Foundation
import Testing

/// A CSV reference sheet from `Fixtures/` as rows of optional numbers by column name.
struct FixtureSheet {
    let columns: [String]
    let rows: [[String]]

    init(_ name: String) throws {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        columns = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func number(_ row: Int, _ column: String) -> Double? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return Double(rows[row][index])
    }
}
