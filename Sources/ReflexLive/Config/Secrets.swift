public import Foundation

/// Resolves secrets from the environment (and a `.env` file, if present) once, at start-up.
/// A missing secret is an error at start, never at the first order.
public struct SecretStore: Sendable {
    private let values: [String: String]

    /// The process environment overlaid on `.env` (the environment wins).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, dotEnvPath: String? = ".env") {
        var merged: [String: String] = [:]
        if let dotEnvPath, let text = try? String(contentsOfFile: dotEnvPath, encoding: .utf8) {
            merged = Self.parseDotEnv(text)
        }
        for (k, v) in environment { merged[k] = v }
        values = merged
    }

    /// `KEY=value` lines; `#` comments; optional `export`; single or double quotes stripped.
    static func parseDotEnv(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let f = value.first, let l = value.last, f == l, f == "\"" || f == "'" {
                value = String(value.dropFirst().dropLast())
            }
            out[key] = value
        }
        return out
    }

    /// The value of `name`, or an error that says which variable is missing and what for.
    public func require(_ name: String, for purpose: String) throws -> String {
        guard let value = values[name], !value.isEmpty else {
            throw SecretError(message: "environment variable \(name) (\(purpose)) is not set; set it or put it in .env")
        }
        return value
    }

    public func optional(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }
}

public struct SecretError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
