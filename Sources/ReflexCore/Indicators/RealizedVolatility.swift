import Foundation

/// Realised volatility: the sample standard deviation (divisor n − 1) of ln(cᵢ / cᵢ₋₁) over the last n returns,
/// per bar (not annualised). O(1) per bar with running sums, recomputed exactly every `length` bars so that
/// rounding error cannot accumulate.
public struct RealizedVolatility: Sendable, Codable {
    public let length: Int
    private var returns: [Double]
    private var next = 0
    private var filled = 0
    private var sum = 0.0
    private var sumOfSquares = 0.0
    private var previousClose: Double?
    private var sinceRecompute = 0

    public init(length: Int) {
        precondition(length > 1, "volatility needs at least two returns")
        self.length = length
        returns = Array(repeating: 0, count: length)
    }

    public mutating func update(close: Double) {
        defer { previousClose = close }
        guard let previous = previousClose, previous > 0, close > 0 else { return }
        let r = log(close / previous)
        if filled == length {
            let old = returns[next]
            sum -= old
            sumOfSquares -= old * old
        } else {
            filled += 1
        }
        returns[next] = r
        sum += r
        sumOfSquares += r * r
        next = (next + 1) % length
        sinceRecompute += 1
        if sinceRecompute >= length {
            sinceRecompute = 0
            sum = 0
            sumOfSquares = 0
            for i in 0..<filled {
                sum += returns[i]
                sumOfSquares += returns[i] * returns[i]
            }
        }
    }

    /// The volatility once `length` returns are in.
    public var value: Double? {
        guard filled == length else { return nil }
        let n = Double(length)
        let mean = sum / n
        let variance = max(0, (sumOfSquares - n * mean * mean) / (n - 1))
        return variance.squareRoot()
    }
}
