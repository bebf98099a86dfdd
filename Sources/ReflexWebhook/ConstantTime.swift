/// Byte comparisons whose running time does not depend on where the inputs differ.
enum ConstantTime {
    /// Compares two byte sequences of equal length without an early exit; unequal lengths are unequal.
    /// Only the length may leak, which is public for MACs (always 32 bytes).
    static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }
}
