import Testing
import WaggleP2P

@Suite struct ByteRateLimiterTests {
    @Test func oneSecondOfAllowanceThenTheRate() {
        var r = ByteRateLimiter(bytesPerSecond: 1_000, nowNs: 0)
        #expect(r.trySpend(600, nowNs: 0) == true)
        #expect(r.trySpend(600, nowNs: 0) == true, "a positive balance lets a message go, leaving a debt")
        #expect(r.trySpend(1, nowNs: 0) == false)
        #expect(r.waitNs(nowNs: 0) > 200_000_000 && r.waitNs(nowNs: 0) <= 202_000_000)
        #expect(r.trySpend(1, nowNs: 150_000_000) == false)
        #expect(r.trySpend(1, nowNs: 202_000_000) == true)
    }

    @Test func unusedAllowanceIsCappedAtOneSecond() {
        var r = ByteRateLimiter(bytesPerSecond: 1_000, nowNs: 0)
        #expect(r.spend(0, nowNs: 3_600_000_000_000) == 0)
        #expect(r.spend(1_000, nowNs: 3_600_000_000_000) > 0, "an hour idle still allows only one second's worth")
    }

    @Test func readsReportHowLongToPause() {
        var r = ByteRateLimiter(bytesPerSecond: 100_000, nowNs: 0)
        #expect(r.spend(50_000, nowNs: 0) == 0)
        let wait = r.spend(150_000, nowNs: 0)
        #expect(wait >= 1_000_000_000 && wait < 1_000_100_000)
        #expect(r.spend(0, nowNs: wait) == 0)
    }

    @Test func aLargeMessageIsNeverStuck() {
        var r = ByteRateLimiter(bytesPerSecond: 10, nowNs: 0)
        #expect(r.trySpend(10_000_000, nowNs: 0) == true)
        #expect(r.trySpend(1, nowNs: 1_000_000_000) == false)
        let wait = r.waitNs(nowNs: 1_000_000_000)
        #expect(wait > 999_000 * 1_000_000_000 && wait < 1_000_000 * 1_000_000_000, "about 10^6 s")
        #expect(r.trySpend(1, nowNs: 1_000_000_000 + wait / 2) == false)
        #expect(r.trySpend(1, nowNs: 1_000_000_000 + wait) == true)
    }
}
