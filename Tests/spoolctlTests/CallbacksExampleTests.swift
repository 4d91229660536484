import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `examples/callbacks`, the cron-mode web app moved to Spool, run as its users would: its `spool.yaml`,
/// its app, and `spoold` with its clock set just before a 3-minute tick (libfaketime).
@Suite(.timeLimit(.minutes(2))) struct CallbacksExampleTests {
    @Test func theCronEntryHandsFailedCallbacksToSpoolWhichRetriesThemThroughTheTiers() async throws {
        try await TemporarySpool.with { directory in
            let appPort = freePort()
            let apiPort = freePort()
            let example = String(
                decoding: try SpoolFiles.read("\(repositoryRoot)/examples/callbacks/spool.yaml"),
                as: UTF8.self
            )
            try SpoolFiles.write(
                example.replacing("127.0.0.1:8472", with: "127.0.0.1:\(appPort)")
                    .replacing("127.0.0.1:8470", with: "127.0.0.1:\(apiPort)"),
                to: "\(directory.path)/spool.yaml"
            )
            let app = try ChildProcess(
                "/usr/bin/env",
                ["python3", "\(repositoryRoot)/examples/callbacks/app.py", "\(appPort)", "http://127.0.0.1:\(apiPort)"]
            )
            defer { app.send(SIGKILL) }
            #expect(await waitForListener(port: appPort))
            #expect(
                try callAPI(port: appPort, ["call('POST', '/orders/42/paid')"]).first?.arrayValue?.first
                    == .number("200")
            )

            // The daemon's clock two seconds before the next 3-minute tick (at least four seconds away).
            let now = SystemClock().now.milliseconds / 1000
            var tick = (now / 180 + 1) * 180
            if tick - now < 4 { tick += 180 }
            let spoold = try fakedSpoold("+\(tick - 2 - now)", "--spool", directory.path)
            defer { stopFaked(spoold) }
            let spool = try directory.open()
            let fire = "cron-refire-failed-\(tick * 1000)"
            #expect(await eventually(within: 30) { spool.find(id: fire)?.state == .done }, "\(spoold.errorOutput)")

            // The app handed order 42 to Spool; the merchant failed the first call, and the tiers retry it
            // in 3 minutes, with no max_attempts set.
            #expect(
                await eventually(within: 20) {
                    guard let location = spool.find(id: "cb-42"), location.state == .scheduled else { return false }
                    return (try? spool.record(at: location))?.attempts.count == 1
                }
            )
            let location = try #require(spool.find(id: "cb-42"))
            let record = try spool.record(at: location)
            #expect(record.maxAttempts == nil && record.backoff == nil)
            let failedAt = try #require(record.attempts.first?.finishedAt)
            let wait = Double(try #require(location.due).milliseconds - failedAt.milliseconds) / 1000
            #expect(abs(wait - 180) < 1, "the first tier: every 3 minutes (\(wait) s)")

            // Handing the same order again is refused by its id, not doubled.
            let again = try callAPI(port: appPort, ["call('POST', '/orders/42/paid')", "call('POST', '/cron/refire')"])
            #expect(again.last?.arrayValue?.first == .number("200"))
            #expect(try spool.record(at: #require(spool.find(id: "cb-42"))).attempts.count == 1)

            // An operator runs it now twice (spoolctl retry): 503 again, then the merchant takes it.
            for _ in 0..<2 {
                let attempts = try spool.record(at: #require(spool.find(id: "cb-42"))).attempts.count
                #expect(try ChildProcess.run("spoolctl", ["--spool", directory.path, "retry", "cb-42"]).status == 0)
                #expect(
                    await eventually(within: 20) {
                        guard let location = spool.find(id: "cb-42") else { return false }
                        return location.state == .done
                            || ((try? spool.record(at: location))?.attempts.count ?? 0) > attempts
                    }
                )
            }
            #expect(await eventually(within: 20) { spool.find(id: "cb-42")?.state == .done })
            let state = try callAPI(port: appPort, ["call('GET', '/state')"]).first?.arrayValue?.last
            #expect(state?["merchant_calls"]?["42"] == .number("3"))
            #expect(state?["handed"] == .array([.string("42"), .string("42")]))
        }
    }
}
