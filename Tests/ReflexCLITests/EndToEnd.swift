import Testing

/// The suites that run `reflex venue` and `reflex run` as processes, one suite at a time: each pair keeps a core
/// busy, and two pairs at once on a two-core machine starved the in-process network tests of their timing.
@Suite(.serialized) enum EndToEnd {}

typealias LiveLoopTests = EndToEnd.LiveLoopTests
