import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The dashboard of a real `spoold`, driven in headless Chromium by Tests/browser/dashboard.py (Selenium
/// with Debian's chromium and chromium-driver, which `make test-deps` installs): log in, see the charts,
/// find a failed task by its error text, retry it, watch it succeed. Screenshots of every page, at a
/// desktop's and a phone's width, are left in `.build/screenshots/`.
@Suite(.serialized) struct DashboardBrowserTests {
    /// The Python that has Selenium.
    static let python = repositoryRoot + "/.build/venv/bin/python3"

    /// Whether the browser, its driver and Selenium are installed; `make test` sets `SPOOL_BROWSER_TESTS=1`
    /// so that their absence fails the test instead of skipping it.
    static var canRun: Bool {
        let programs: [String] = ["/usr/bin/chromium", "/usr/bin/chromedriver", python]
        return Environment.value("SPOOL_BROWSER_TESTS") == "1" || programs.allSatisfy { access($0, X_OK) == 0 }
    }

    @Test(.enabled(if: canRun, "needs chromium, chromium-driver and selenium: make test-deps"), .timeLimit(.minutes(3)))
    func aPersonLogsInFindsAFailedTaskRetriesItAndWatchesItSucceed() async throws {
        try await TemporarySpool.with { directory in
            let port = freePort()
            let password = "correct horse battery"
            let hash = try ChildProcess.run("spoolctl", ["hash-password", "--cost", "4"], input: password)
            #expect(hash.status == 0, "\(hash.error)")
            // Fails each task once, with an error a person searches for, then succeeds; a task with the key
            // expired-card fails for good.
            try writeScript(
                "\(directory.path)/charge.sh",
                """
                if [ "$SPOOL_TASK_KEY" = expired-card ]; then echo "card expired" >&2; exit 65; fi
                if [ ! -e "\(directory.path)/tried-$SPOOL_TASK_ID" ]; then
                  touch "\(directory.path)/tried-$SPOOL_TASK_ID"
                  echo "card declined by the issuing bank" >&2
                  exit 65
                fi
                echo '{"charged": true}'
                """
            )
            try writeScript("\(directory.path)/send.sh", "echo sent")
            try SpoolFiles.write(
                """
                api:
                  listen: "127.0.0.1:\(port)"
                  auth: {users: {ada: "\(hash.output.filter { !$0.isNewline })"}}
                queues: {payments: {handler: charge}, mail: {handler: send}}
                handlers:
                  charge: {exec: ["\(directory.path)/charge.sh"]}
                  send: {exec: ["\(directory.path)/send.sh"]}
                cron:
                  - {name: nightly-report, spec: "0 30 2 * * *", task: {type: report, queue: mail}}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            defer { daemon.send(SIGKILL) }
            #expect(await waitForListener(port: port))
            for index in 0..<12 {
                try spool.enqueue(NewTask(queue: "mail", type: "welcome", payload: .integer(Int64(index))))
            }
            let id = try spool.enqueue(
                NewTask(
                    queue: "payments",
                    type: "charge",
                    payload: .object([JSONMember("order", .integer(42)), JSONMember("amount", .string("19.90"))])
                )
            )
            let expired = try spool.enqueue(NewTask(queue: "payments", type: "charge", key: "expired-card"))
            #expect(await eventually { spool.find(id: id)?.state == .dead && spool.find(id: expired)?.state == .dead })
            try SpoolFiles.write("{\"type\": ", to: "\(directory.path)/incoming/order-17.json")

            let run = try ChildProcess.run(
                Self.python,
                [
                    repositoryRoot + "/Tests/browser/dashboard.py", "--url", "http://127.0.0.1:\(port)", "--user",
                    "ada",
                    "--password", password, "--error", "declined by the issuing", "--task", id,
                    "--screenshots", repositoryRoot + "/.build/screenshots",
                ]
            )
            #expect(run.status == 0, "\(run.error)\n\(run.output)")
            #expect(run.output.contains("\nok\n"), "\(run.output)")
            #expect(spool.find(id: id)?.state == .done)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }
}
