/// A tick file that cannot be read, with where and why.
public struct TickFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line number, 0 when the problem is the file itself.
    public var line: Int
    /// 1-based column number, 0 when the problem is the whole line.
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if line == 0 { return "\(file): \(message)" }
        if column == 0 { return "\(file):\(line): \(message)" }
        return "\(file):\(line): column \(column): \(message)"
    }
}
