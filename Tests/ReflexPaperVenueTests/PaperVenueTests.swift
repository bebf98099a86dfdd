import Testing

/// Every paper-venue suite, run one test at a time: they replay paced tapes over real sockets, and on a busy
/// two-core machine parallel venues would starve each other's timing.
@Suite("PaperVenue", .serialized)
struct PaperVenueTests {}
