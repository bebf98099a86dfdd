/// Why a connection gave no answer: refused, lost, timed out, a response too large, a URL that cannot be used.
/// For an order, the request may or may not have been acted on.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
