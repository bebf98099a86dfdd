import ReflexExchange
import Testing

struct ReconnectBackoffTests {
    @Test func growsFromOneSecondToTheCap() {
        let backoff = ReconnectBackoff()
        let delays = (1...8).map { backoff.delay(afterFailures: $0, random: 0) }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
        #expect(backoff.delay(afterFailures: 10_000, random: 0) == .seconds(30))
        #expect(backoff.delay(afterFailures: 0, random: 0) == .zero)
    }

    @Test func jitterOnlyShortensWithinItsFraction() {
        let backoff = ReconnectBackoff(jitter: 0.2)
        #expect(backoff.delay(afterFailures: 3, random: 0.5) == .milliseconds(3600))
        let shortest = backoff.delay(afterFailures: 3, random: 0.999_999)
        #expect(shortest > .milliseconds(3199) && shortest <= .milliseconds(3201))
    }
}
