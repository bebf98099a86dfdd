/// Why a venue message could not be read: the field and what was wrong with it.
public struct WireFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Human-readable reason, naming the field.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
