import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two processes reject drops of one name at the same instant, on a filesystem without `RENAME_NOREPLACE`
/// (forced): each bad drop must end in `rejected/`, byte for byte, next to its own reason; neither may
/// replace the other.
@Suite(.serialized) struct RejectRaceTests {
    @Test(.timeLimit(.minutes(1)))
    func twoDropsOfOneNameRejectedAtOnceAreBothKept() async throws {
        try await TemporarySpool.with("reject-race") { directory in
            let root = directory.path
            let spool = try directory.openWithoutRenameFlags()
            #expect(spool.renameFlagsDescription == "none")
            let first = "first, not JSON"
            let second = "second, not JSON either"
            try SpoolFiles.write(first, to: "\(root)/incoming/bad.json")

            // The child claims the first drop and stops just before it links it into rejected/.
            let child = try ChildProcess(
                try TestWorkerLocator.resolve(),
                ["ingest", root, "bad.json", "--stop-at", "linkat:0"],
                environment: ["SPOOL_RENAME_FLAGS": "off"]
            )
            guard await waitUntilStopped(child.pid) else {
                child.send(SIGKILL)
                _ = await child.waitForExit()
                Issue.record("the child never stopped: \(child.output) \(child.errorOutput)")
                return
            }
            // Meanwhile a second drop of the same name comes, and this process rejects it.
            try SpoolFiles.write(second, to: "\(root)/incoming/bad.json")
            guard case .rejected(let name, _) = try spool.ingest("bad.json") else {
                Issue.record("the second drop was not rejected")
                child.send(SIGCONT)
                _ = await child.waitForExit()
                return
            }
            #expect(name == "bad.json")
            child.send(SIGCONT)
            let exit = await child.waitForExit()
            #expect(exit == .exited(0), "\(child.output)\(child.errorOutput)")
            #expect(child.output.hasPrefix("rejected bad.json."), "the child took another name: \(child.output)")

            let names = SpoolFiles.names("\(root)/rejected").sorted()
            let drops = names.filter { !$0.hasSuffix(".reason") }
            #expect(drops.count == 2, "\(names)")
            #expect(Set(names) == Set(drops + drops.map { $0 + ".reason" }), "each drop next to its reason: \(names)")
            let contents = try drops.map {
                String(decoding: try SpoolFiles.read("\(root)/rejected/\($0)"), as: UTF8.self)
            }
            #expect(Set(contents) == [first, second])
            #expect(try String(decoding: SpoolFiles.read("\(root)/rejected/bad.json"), as: UTF8.self) == second)
            for drop in drops {
                let reason = String(decoding: try SpoolFiles.read("\(root)/rejected/\(drop).reason"), as: UTF8.self)
                #expect(reason.hasPrefix("invalid JSON"), "\(drop).reason: \(reason)")
            }
            #expect(SpoolFiles.names("\(root)/tmp").isEmpty)
            #expect(SpoolFiles.names("\(root)/incoming").isEmpty)
        }
    }

    /// A drop the system will not hard-link (`fs.protected_hardlinks` and a drop of another user) is rejected
    /// all the same, by a check of the name and a rename, next to an earlier drop of its name.
    @Test func aDropThatCannotBeLinkedIsRejectedByRename() throws {
        try TemporarySpool.with { directory in
            let root = directory.path
            let spool = try directory.openWithoutRenameFlags()
            for text in ["first {", "second {"] {
                try SpoolFiles.write(text, to: "\(root)/incoming/bad.json")
                let noLinks = SyscallFaults().inject(.fail(.notPermitted), into: "linkat", times: 10)
                let outcome = try SyscallFaults.withFaults(noLinks) { try spool.ingest("bad.json") }
                guard case .rejected = outcome else {
                    Issue.record("not rejected: \(outcome)")
                    return
                }
                #expect(noLinks.count("linkat") >= 1, "a link was tried first")
            }
            let names = SpoolFiles.names("\(root)/rejected")
            #expect(names.count == 4, "\(names)")
            #expect(names.contains("bad.json") && names.contains("bad.json.reason"))
            #expect(SpoolFiles.names("\(root)/tmp").isEmpty)
        }
    }
}
