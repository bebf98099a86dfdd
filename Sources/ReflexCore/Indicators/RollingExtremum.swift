/// The maximum (or minimum) of the last `window` values, O(1) amortised per update, O(window) memory.
///
/// A monotonic deque in a fixed ring buffer: each value enters once and leaves once, and the front is
/// always the extremum of the window. No allocation after `init`.
public struct RollingExtremum: Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case maximum, minimum }

    public let window: Int
    public let kind: Kind
    private var values: [Double]
    private var indices: [Int]
    private var head = 0
    private var count = 0
    private var seen = 0

    public init(window: Int, kind: Kind) {
        precondition(window > 0, "window must be positive")
        self.window = window
        self.kind = kind
        values = Array(repeating: 0, count: window)
        indices = Array(repeating: 0, count: window)
    }

    /// Values seen so far.
    public var samples: Int { seen }
    /// The extremum of the last `window` values (nil before the first value).
    public var value: Double? { count == 0 ? nil : values[head] }

    public mutating func update(_ x: Double) {
        let index = seen
        seen += 1
        // Drop the front once it falls out of the window.
        if count > 0 && indices[head] <= index - window {
            head = (head + 1) % window
            count -= 1
        }
        // Drop from the back every value the new one dominates.
        while count > 0 {
            let back = (head + count - 1) % window
            let dominated = kind == .maximum ? values[back] <= x : values[back] >= x
            guard dominated else { break }
            count -= 1
        }
        let slot = (head + count) % window
        values[slot] = x
        indices[slot] = index
        count += 1
    }
}
