import SpoolCore
import SpoolTestSupport
import Testing

/// The format version: stamped in a new spool, a version-1 spool (a copy made by the version-1 code,
/// `Fixtures/spool-v1.tar`) migrated on open with every task kept, and a newer or damaged stamp refused.
struct FormatMigrationTests {
    static let fixture =
        String(#filePath).split(separator: "/").dropLast().map { "/\($0)" }.joined() + "/Fixtures/spool-v1.tar"

    /// Unpacks the version-1 spool into `directory` (as `<directory>/spool`).
    private func unpackVersion1(into directory: TemporarySpool) throws -> String {
        let result = try ChildProcess.run("/bin/tar", ["-xf", FormatMigrationTests.fixture, "-C", directory.path])
        try #require(result.status == 0, "\(result.error)")
        return "\(directory.path)/spool"
    }

    /// A clock on the day the fixture was made, so that nothing in it has passed its retention.
    let clock = ManualClock(Timestamp(rfc3339: "2026-12-04T22:10:00Z")!)

    /// The entries of the key index, as paths relative to `root`.
    private func keyEntries(_ root: String) -> [String] {
        SpoolFiles.files(under: "\(root)/keys").map { "keys/\($0)" }
    }

    @Test func aNewSpoolIsStamped() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect(try spool.formatVersion() == SpoolLayout.formatVersion)
            #expect(try SpoolFiles.read("\(directory.path)/format") == Array("2\n".utf8))
            #expect(SpoolFiles.names(directory.path).contains("cron"))
        }
    }

    @Test func aVersion1SpoolIsMigratedOnOpenAndKeepsEveryTask() throws {
        try TemporarySpool.with { directory in
            let root = try unpackVersion1(into: directory)
            let before = SpoolFiles.files(under: root).sorted()
            // Reading does not migrate.
            let reader = try Spool(root: root, clock: clock, access: .readOnly)
            #expect(try reader.formatVersion() == 1)
            #expect(reader.find(id: "order-1")?.state == .done)
            #expect(!SpoolFiles.names(root).contains("format"))

            let spool = try Spool(root: root, clock: clock, access: .existing)
            #expect(try spool.formatVersion() == 2)
            #expect(SpoolFiles.names(root).contains("cron"))
            #expect(
                SpoolFiles.files(under: root).sorted()
                    == (before + ["format", "unique/default/.lock", "unique/default/invoice-7"]
                    + ["done/default/20261211/order-1.key"] + keyEntries(root)).sorted(),
                "only the stamp, the reservation of the one unique key and the key index added"
            )
            #expect(spool.find(id: "order-1")?.state == .done)
            #expect(spool.find(id: "doomed-1")?.state == .dead)
            #expect(spool.find(id: "later-1")?.state == .scheduled)
            #expect(try spool.pausedQueues() == ["reports"])
            #expect(
                try spool.record(at: #require(spool.find(id: "order-1"))).payload["to"] == .string("ada@example.com")
            )
            #expect(throws: SpoolError.self) { try spool.enqueue(NewTask(id: "order-1", type: "t")) }
            // Two waiting tasks had one unique key (version 1 did not enforce it): one of them holds it now.
            let holder = SpoolFiles.readLink("\(root)/unique/default/invoice-7").flatMap {
                try? JSONParser.parse(Array($0.utf8))["task"]?.stringValue
            }
            #expect(holder == "keyed-1" || holder == "keyed-2")
            #expect(throws: SpoolError.self) { try spool.enqueue(NewTask(type: "t", uniqueKey: "invoice-7")) }
            // Business keys are indexed, waiting and finished tasks alike.
            #expect(spool.tasks(withKey: "INV-7").map(\.id) == ["keyed-1"])
            #expect(spool.tasks(withKey: "ORDER-1").map(\.state) == [.done])
            #expect(keyEntries(root).count == 2)
            #expect(try spool.ingest("drop.json") == .accepted(id: "drop-1", queue: "default"))
            let janitor = spool.runJanitor(atStart: true)
            #expect(janitor == JanitorReport(), "nothing to recover in a migrated spool: \(janitor)")
            // Opened again: nothing more to do.
            let again = try Spool(root: root, clock: clock)
            #expect(try again.formatVersion() == 2)
            let entry = try CronEntry(name: "n", spec: "@daily", task: [JSONMember("type", .string("t"))])
            #expect(try again.fireCron(entry, at: clock.now) == .fired(id: "cron-n-\(clock.now.milliseconds)"))
        }
    }

    @Test(arguments: [
        ("3\n", "is a spool of format 3; this Spool reads format 2 and older"),
        ("two\n", "holds \"two\", not a format version"),
    ])
    func aNewerOrDamagedStampIsRefusedWithTheReason(stamp: String, message: String) throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            try SpoolFiles.write(stamp, to: "\(directory.path)/format")
            for access in [SpoolAccess.create, .existing, .readOnly] {
                #expect {
                    _ = try Spool(root: directory.path, access: access)
                } throws: { error in
                    "\(error)".contains(message)
                }
            }
        }
    }

    @Test func anEmptyStampLeftByAPowerLossIsWrittenAgain() throws {
        try TemporarySpool.with { directory in
            let id = try directory.open().enqueue(NewTask(type: "t"))
            try SpoolFiles.write("", to: "\(directory.path)/format")
            #expect(try Spool(root: directory.path, access: .readOnly).formatVersion() == 1)
            let spool = try directory.open()
            #expect(try spool.formatVersion() == 2)
            #expect(spool.find(id: id)?.state == .active)
        }
    }
}
