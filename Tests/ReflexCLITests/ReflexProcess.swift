import Foundation

/// Runs the built `reflex` executable as a user would and captures what it prints.
///
/// Waiting for a child happens on a thread of its own, never on one of Swift concurrency's cooperative threads: a
/// 2-core CI machine has only two of those for the whole parallel suite, and a test that holds one for a child's
/// lifetime starves every timing-sensitive test running beside it.
struct ReflexProcess {
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `reflex` binary next to the test bundle (SwiftPM builds it because the tests depend on it).
    static var executable: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("reflex")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return repoRoot.appendingPathComponent(".build/debug/reflex")
    }

    /// Runs `reflex arguments` to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        try await onOwnThread { try runBlocking(arguments, environment: environment) }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = repoRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Files rather than pipes: neither stream can fill up and block the child while the other is read.
        let out = try OutputFile()
        let err = try OutputFile()
        process.standardOutput = out.handle
        process.standardError = err.handle
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: try out.text(), stderr: try err.text())
    }

    /// A temporary file a child writes to, removed once read.
    private final class OutputFile {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-out-\(UUID().uuidString)")
        let handle: FileHandle

        init() throws {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            handle = try FileHandle(forWritingTo: url)
        }

        func text() throws -> String {
            try handle.close()
            defer { try? FileManager.default.removeItem(at: url) }
            return String(decoding: try Data(contentsOf: url), as: UTF8.self)
        }
    }
}

extension ReflexProcess {
    /// A long-running `reflex` process (the venue, the bot), its output kept in files.
    struct Running {
        let process: Process
        let log: URL

        /// SIGTERM, then wait.
        func terminate() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }

        /// SIGKILL: no shutdown at all, as a crash would.
        func kill() {
            guard process.isRunning else { return }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = repoRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Running(process: process, log: log)
    }
}

/// Runs blocking `work` on a new thread and awaits its result without holding a cooperative thread meanwhile.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
