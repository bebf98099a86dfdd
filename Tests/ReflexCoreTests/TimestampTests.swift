import Testing

@testable import ReflexCore

@Suite("Timestamps")
struct TimestampTests {
    @Test("RFC 3339 in UTC with milliseconds, leap days and the epoch included")
    func rfc3339() {
        #expect(Timestamp.milliseconds(1_723_161_256_322).rfc3339 == "2024-08-08T23:54:16.322Z")
        #expect(Timestamp.milliseconds(0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.milliseconds(951_782_400_005).rfc3339 == "2000-02-29T00:00:00.005Z")
        #expect(Timestamp(nanoseconds: 1_723_161_256_322_999_999).rfc3339 == "2024-08-08T23:54:16.322Z")
        #expect(Timestamp(nanoseconds: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
    }
}
