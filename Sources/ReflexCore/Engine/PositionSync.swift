/// What the engine knows about how its position relates to the venue's: which snapshots it has seen, which fills
/// it applied, which fills the last reconciliation read already contains.
///
/// The venue reports one position through several channels that overtake one another (webhooks retried and
/// reordered, the account stream, REST reads). Fills are deltas and are applied once each (by trade id); a
/// snapshot is an absolute value as of its venue time, so the engine never adopts one from a stream, where an
/// older one can arrive last. It checks the newest against its own fills and, when they disagree for longer than
/// a fill takes to arrive, reads the venue over REST — the one adoption path, fenced so that a fill the read
/// already contains is not applied on top of it.
public struct PositionSync: Sendable, Hashable, Codable {
    /// One fill as applied to the position (what a snapshot older than it cannot contain yet).
    struct AppliedFill: Sendable, Hashable, Codable {
        /// Venue time of the execution.
        var time: Timestamp
        var side: Side
        var quantity: Quantity

        var signed: Quantity { Quantity(raw: quantity.raw * side.sign, precision: quantity.precision) }
    }

    /// Which fills a reconciliation read contains: every fill of an order numbered up to `sequence` that was no
    /// longer open when it was read; of an order still open then, `openFilled[id]` more (what the venue had filled
    /// beyond the fills the engine had seen), used up as those fills arrive.
    struct Fence: Sendable, Hashable, Codable {
        var sequence: Int64
        var openFilled: [String: Quantity]
    }

    /// A reconciliation asked for and not answered yet.
    struct Pending: Sendable, Hashable, Codable {
        var request: ReconcileRequest
        /// Budget-clock time of the request (an unanswered one is asked again).
        var requestedAt: Timestamp
    }

    /// The newest position snapshot seen on a stream or webhook (by venue time).
    var latestSnapshot: PositionUpdate?
    /// Stream snapshots older than `latestSnapshot` or than the last reconciliation: ignored.
    public internal(set) var staleSnapshots = 0
    /// Budget-clock time since which the newest snapshot disagrees with the local position.
    var suspectSince: Timestamp?
    var recentFills: [AppliedFill] = []
    /// The newest venue time of any fill seen (applied or contained).
    var newestFillTime: Timestamp?
    /// Snapshots at or before this venue time are older than the last reconciliation's picture.
    var snapshotFloor: Timestamp?
    var fence: Fence?
    var pending: Pending?
    /// A reconciliation that failed or could not be asked for yet: asked (again) at `retryAt`.
    var wanted: String?
    var retryAt: Timestamp?
    /// Requests made (the next one's id), answers ignored because a newer request overtook them.
    var requestsMade: Int64 = 0
    public internal(set) var overtakenAnswers = 0
    /// Reconciliations answered, differences adopted, fills found already contained in a read.
    public internal(set) var reconciliations = 0
    public internal(set) var differences = 0
    public internal(set) var containedFills = 0

    /// Fills remembered for re-checking the newest snapshot against the position.
    static let rememberedFills = 64

    mutating func record(_ fill: AppliedFill) {
        recentFills.append(fill)
        if recentFills.count > Self.rememberedFills {
            recentFills.removeFirst(recentFills.count - Self.rememberedFills)
        }
    }
}
