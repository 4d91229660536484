import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The watcher under more events than it can hold: the daemon stopped (SIGSTOP) while 20,000 drops arrive,
/// so that the kernel's queue overflows (16,384 events by default), then continued. Each drop is ingested
/// exactly once; none is lost.
@Suite(.timeLimit(.minutes(3))) struct WatcherStressTests {
    @Test func twentyThousandDropsWhileTheDaemonIsStoppedAreEachIngestedOnce() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            try SpoolFiles.write("durability: none\n", to: "\(directory.path)/spool.yaml")
            let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "scheduler"])
            let incoming = "\(directory.path)/incoming"
            #expect(await eventually { daemon.errorOutput.contains("spoold started") })
            try await Task.sleep(for: .milliseconds(300))
            daemon.send(SIGSTOP)
            let count = 20_000
            for index in 0..<count {
                let hidden = "\(incoming)/.d\(index)"
                try SpoolFiles.write(#"{"type":"t","id":"d-\#(index)"}"#, to: hidden)
                #expect(rename(hidden, "\(incoming)/d\(index).json") == 0)
            }
            daemon.send(SIGCONT)
            #expect(
                await eventually(within: 120) { spool.stats().queues.first?[.active] == count },
                "ingested \(spool.stats().queues.first?[.active] ?? 0) of \(count)"
            )
            #expect(SpoolFiles.names(incoming).isEmpty)
            #expect(SpoolFiles.names("\(directory.path)/rejected").isEmpty, "no drop ingested twice")
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }
}
