import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `examples/events`, beanstalkd with Redis dedup moved to Spool, run as its users would: three producers
/// deliver the same 100 events over HTTP with a unique key each, a scheduler and two worker daemons
/// consume them, and each event is queued once and consumed once.
@Suite(.timeLimit(.minutes(2))) struct EventsExampleTests {
    @Test func eachEventIsQueuedOnceAndConsumedOnceWhateverTheProducers() async throws {
        try await TemporarySpool.with { directory in
            let port = freePort()
            let example = String(
                decoding: try SpoolFiles.read("\(repositoryRoot)/examples/events/spool.yaml"),
                as: UTF8.self
            )
            try SpoolFiles.write(
                example.replacing("127.0.0.1:8470", with: "127.0.0.1:\(port)")
                    .replacing(
                        "exec: examples/events/consume.sh",
                        with: "exec: \(repositoryRoot)/examples/events/consume.sh"
                    ),
                to: "\(directory.path)/spool.yaml"
            )
            let daemons = try ["scheduler", "worker", "worker", "api"].map { mode in
                try ChildProcess("spoold", ["--spool", directory.path, "--mode", mode, "--log-level", "warning"])
            }
            defer { for daemon in daemons { daemon.send(SIGKILL) } }
            #expect(await waitForListener(port: port))
            let producers = try (0..<3).map { _ in
                try ChildProcess(
                    "/usr/bin/env",
                    ["python3", "\(repositoryRoot)/examples/events/produce.py", "127.0.0.1:\(port)", "100"]
                )
            }
            var accepted = 0
            var refused = 0
            for producer in producers {
                #expect(await producer.wait() == 0, "\(producer.errorOutput)")
                let words = producer.output.split(whereSeparator: { $0 == " " || $0 == "\n" })
                accepted += Int(words.count > 1 ? words[1] : "") ?? 0
                refused += Int(words.count > 3 ? words[3] : "") ?? 0
            }
            #expect(
                accepted == 100 && refused == 200,
                "each event queued once: \(accepted) accepted, \(refused) refused"
            )

            let log = "\(directory.path)/consumed.log"
            #expect(await eventually(within: 30) { lines(of: log).count >= 100 })
            try await Task.sleep(for: .milliseconds(500))
            let consumed = lines(of: log)
            #expect(consumed.count == 100, "each task consumed once")
            #expect(Set(consumed.map { $0.split(separator: " ")[0] }).count == 100, "every event")
            #expect(consumed.allSatisfy { $0.hasSuffix(" 1") }, "at the first attempt")
            for daemon in daemons { daemon.send(SIGTERM) }
            for daemon in daemons { #expect(await daemon.wait() == 0, "\(daemon.errorOutput)") }
        }
    }
}
