import Foundation

/// The bot's state folder: journal, generated secrets, recordings. Created on first use.
public struct StateFolder: Sendable {
    public let path: String

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// A `whsec_…` secret kept in `name` (mode 0600), created at random the first time. This is how the paper
    /// default works without set-up: `reflex run` creates it, the operator commands on the same machine read it.
    public func generatedSecret(_ name: String) throws -> String {
        let path = file(name)
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let trimmed = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return trimmed }
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = "whsec_" + Data(bytes).base64EncodedString()
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw SecretError(message: "cannot write \(path)") }
        return secret
    }

    /// Reads a generated secret without creating it.
    public func existingSecret(_ name: String) -> String? {
        (try? String(contentsOfFile: file(name), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
