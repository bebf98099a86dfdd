import Foundation

/// Test fixtures, read by path from `Tests/ReflexExchangeTests/Fixtures`: the test target declares no resources,
/// and a user's clone has no shared data folder, so the files live in the repository.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The file as UTF-8 text, without a trailing newline.
    static func text(_ name: String) throws -> String {
        var text = try String(contentsOf: url(name), encoding: .utf8)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// A gzip file decompressed with the system's `gzip -dc`.
    static func gunzipped(_ name: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url(name).path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError.gzipFailed(process.terminationStatus) }
        return String(decoding: data, as: UTF8.self)
    }

    enum FixtureError: Error { case gzipFailed(Int32) }
}
