/// Maps a venue's string trade id to the `Int64` that `Tick.tradeID` holds.
///
/// Bybit trade ids are UUID strings (`20f43950-d8dd-5b31-9112-a178eb6023af`), not consecutive integers. The tick
/// carries the 64-bit FNV-1a hash of the id's UTF-8 bytes, which is stable across processes and machines (unlike
/// `Hasher`), so a recorded tape and a replay agree. The hash is only a label: de-duplication compares the original
/// strings (`BybitTapeSequencer`), so a collision can never drop a trade. Deribit ids that are decimal integers
/// are kept as they are.
public enum TradeIDHash {
    /// FNV-1a 64 of `id`, reinterpreted as a signed integer.
    public static func fnv1a(_ id: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// The id itself when it is a decimal integer, else its FNV-1a hash.
    public static func integerOrHash(_ id: String) -> Int64 { Int64(id) ?? fnv1a(id) }
}
