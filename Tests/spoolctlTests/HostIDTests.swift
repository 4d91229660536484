import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A host's id names its workers, from `--host-id`, else `SPOOL_HOST_ID`; a bad one is refused in one line.
@Suite(.timeLimit(.minutes(1))) struct HostIDTests {
    @Test(arguments: [(["--host-id", "web-3"], [:]), ([], ["SPOOL_HOST_ID": "web-4"])])
    func theHostIDNamesTheDaemonsWorkers(arguments: [String], environment: [String: String]) async throws {
        try await TemporarySpool.with { directory in
            let expected = arguments.last ?? environment["SPOOL_HOST_ID"]!
            let daemon = try ChildProcess(
                "spoold",
                ["--spool", directory.path, "--mode", "worker", "--log-level", "info"] + arguments,
                environment: environment
            )
            // The engine's line comes from inside the service group, once SIGTERM is trapped; so does the start line.
            let reported = await eventually(within: 10) {
                daemon.errorOutput.contains("spool.rename_flags=") && daemon.errorOutput.contains("spoold started")
            }
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
            #expect(reported, "\(daemon.errorOutput)")
            #expect(daemon.errorOutput.contains("spool.worker=\(expected).\(daemon.pid)."), "\(daemon.errorOutput)")
            // On a local filesystem, with the renameat2 flags.
            #expect(daemon.errorOutput.contains("spool.rename_flags=noreplace,exchange"))
        }
    }

    @Test(arguments: ["", "web 3", "web.3", "café", String(repeating: "a", count: 61)])
    func aBadHostIDIsRefusedInOneLine(hostID: String) throws {
        try TemporarySpool.with { directory in
            let result = try ChildProcess.run("spoold", ["--spool", directory.path, "--host-id", hostID])
            #expect(result.status == 64)
            #expect(result.error.contains("--host-id"), "\(result.error)")
            #expect(result.error.split(separator: "\n").count == 1, "one line: \(result.error)")
        }
    }

    @Test func hostIDsAreCheckedAndCleaned() {
        #expect(HostIdentity.isValid("web-3"))
        #expect(!HostIdentity.isValid("web.3"))
        #expect(HostIdentity.sanitized("db 1.example") == "db-1-example")
        #expect(HostIdentity.sanitized("") == "host")
        #expect(HostIdentity.sanitized(String(repeating: "x", count: 80)).utf8.count == 60)
    }

    /// A worker of another host id is never judged gone, whatever its pid: its leases expire instead.
    @Test func aWorkerOfAnotherHostIsNeverJudgedGone() {
        let other = WorkerName(host: "elsewhere", pid: 999_999, startTicks: 1)
        #expect(!other.isGoneFromThisHost)
        let local = WorkerName(host: WorkerName.current.host, pid: 999_999, startTicks: 1)
        #expect(local.isGoneFromThisHost)
    }
}
