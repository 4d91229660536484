import SpoolCore
import SpoolTestSupport
import Testing

@testable import SpoolConfig

@Suite struct DaemonConfigurationTests {
    @Test func aQueueMayHaveItsOwnRetention() throws {
        let text =
            "retention: {done: 2d}\nqueues:\n  hooks: {retention: {done: 1h, dead: 3d}}\n  media: {retention: {dead: 0}}\n"
        let spool = try DaemonConfiguration.parse(text, source: "spool.yaml").spool
        #expect(spool.retention(of: "hooks", succeeded: true) == 3600)
        #expect(spool.retention(of: "hooks", succeeded: false) == 3 * 86400)
        #expect(spool.retention(of: "media", succeeded: true) == 2 * 86400)
        #expect(spool.retention(of: "media", succeeded: false) == 0)
        #expect(spool.retention(of: "other", succeeded: false) == 30 * 86400)
    }

    @Test func aQueueMayHaveARateLimit() throws {
        let text = "queues:\n  mail: {rate: {per_second: 2.5, burst: 5}}\n  hooks: {rate: {per_second: 3}}\n"
        let engine = try DaemonConfiguration.parse(text, source: "spool.yaml").engine
        #expect(engine.rateLimits["mail"] == RateLimit(perSecond: 2.5, burst: 5))
        #expect(engine.rateLimits["hooks"] == RateLimit(perSecond: 3, burst: 3))
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse("queues:\n  mail: {rate: {burst: 5}}\n", source: "spool.yaml")
        }
    }

    @Test func cronEntriesKeepTheirTaskAsJSON() throws {
        let text = """
            cron:
              - name: refire-callbacks
                spec: "0 */3 * * * *"
                time_zone: Europe/Berlin
                missed: once
                task:
                  type: callbacks.refire
                  queue: callbacks
                  max_attempts: 5
                  payload: {since: "1h", dry: false, ratio: 0.5, tags: [a, "1"], none: ~, big: 12345678901234567890}
              - name: tick
                spec: "@every 10s"
                task: {type: t}
            """
        let entries = try DaemonConfiguration.parse(text, source: "spool.yaml").engine.cron
        #expect(entries.map(\.name) == ["refire-callbacks", "tick"])
        let first = try #require(entries.first)
        #expect(first.spec == "0 */3 * * * *" && first.timeZone == "Europe/Berlin" && first.missed == .once)
        #expect(first.missedLimit == 100 && entries[1].missed == .skip && entries[1].timeZone == "UTC")
        let payload = JSONValue.object([
            JSONMember("since", .string("1h")), JSONMember("dry", .bool(false)), JSONMember("ratio", .number("0.5")),
            JSONMember("tags", .array([.string("a"), .string("1")])), JSONMember("none", .null),
            JSONMember("big", .number("12345678901234567890")),
        ])
        #expect(
            first.task == [
                JSONMember("type", .string("callbacks.refire")), JSONMember("queue", .string("callbacks")),
                JSONMember("max_attempts", .number("5")), JSONMember("payload", payload),
            ]
        )
    }

    @Test(arguments: ["", "\n\n", "# only a comment\n", "---\n# a document with only comments\n", "~\n"])
    func emptyTextGivesDefaults(text: String) throws {
        let configuration = try DaemonConfiguration.parse(text, source: "spool.yaml")
        let defaults = DaemonConfiguration()
        #expect(configuration.spool.durability == defaults.spool.durability)
        #expect(configuration.spool.defaultBackoff == Backoff.standard)
        #expect(configuration.spool.defaultMaxAttempts == 25)
        #expect(configuration.engine.watchMode == .inotify)
        #expect(configuration.engine.workerConcurrency == 16)
        #expect(configuration.handlers.isEmpty && configuration.routes.isEmpty && configuration.queueHandlers.isEmpty)
        #expect(configuration.api == nil)
    }

    @Test func mapsEverySetting() throws {
        let text = """
            durability: full
            watch: poll
            poll_interval: 500ms
            janitor_interval: 20
            lease: 2m
            timeout: 1.5h
            max_attempts: 7
            max_task_bytes: 4096
            retry:
              table: [5s, 15s, 0]
            retention: {done: 2d, dead: 0}
            shutdown_grace: 0s
            workers:
              concurrency: 32
              order: strict
              claim_window: 64
            default_concurrency: 3
            queues:
              media: {concurrency: 2, weight: 5, handler: resize}
              mail:
            handlers:
              resize: {exec: resize}
            routes:
              thumbnail: resize
            api:
              listen: "[::1]:9000"
            """
        let configuration = try DaemonConfiguration.parse(text, source: "spool.yaml")
        let spool = configuration.spool
        #expect(spool.durability == .full)
        #expect(spool.leaseDuration == 120)
        #expect(spool.defaultTimeout == 5400)
        #expect(spool.defaultMaxAttempts == 7)
        #expect(spool.maximumTaskBytes == 4096)
        #expect(spool.defaultBackoff == .table([5, 15, 0]))
        #expect(spool.doneRetention == 172_800)
        #expect(spool.deadRetention == 0)
        #expect(spool.stagingTimeout == SpoolConfiguration().stagingTimeout)
        let engine = configuration.engine
        #expect(engine.watchMode == .poll)
        #expect(engine.pollInterval == 0.5)
        #expect(engine.janitorInterval == 20)
        #expect(engine.shutdownGrace == 0)
        #expect(engine.workerConcurrency == 32)
        #expect(engine.queueOrder == .strict)
        #expect(engine.claimWindow == 64)
        #expect(engine.defaultConcurrency == 3)
        #expect(engine.concurrency == ["media": 2])
        #expect(engine.weights == ["media": 5])
        #expect(engine.roles == .all)
        #expect(configuration.handlers == ["resize": .exec(ExecHandlerSpec(command: ["resize"]))])
        #expect(configuration.routes == ["thumbnail": "resize"])
        #expect(configuration.queueHandlers == ["media": "resize"])
        #expect(configuration.api == APISettings(host: "::1", port: 9000))
    }

    @Test func readsExponentialRetryWithDefaultsForMissingKeys() throws {
        let configuration = try DaemonConfiguration.parse(
            "retry:\n  exponential: {initial: 2h, jitter: 0}\n",
            source: "x"
        )
        #expect(configuration.spool.defaultBackoff == .exponential(initial: 7200, factor: 2, max: 7200, jitter: 0))
        let empty = try DaemonConfiguration.parse("retry: {exponential: {}}", source: "x")
        #expect(empty.spool.defaultBackoff == Backoff.standard)
    }

    @Test func readsTieredRetry() throws {
        let text = "retry:\n  tiers: [{every: 3m, for: 1h}, {every: 10m, for: 1d}, {every: 1h, for: 3d}]\n"
        let configuration = try DaemonConfiguration.parse(text, source: "x")
        let tiers = [
            BackoffTier(every: 180, for: 3600), BackoffTier(every: 600, for: 86400),
            BackoffTier(every: 3600, for: 259_200),
        ]
        #expect(configuration.spool.defaultBackoff == .tiers(tiers))
    }

    @Test(arguments: [
        ("api: {}", APISettings()), ("api:", APISettings()), ("api: {listen: 9001}", APISettings(port: 9001)),
        ("api: {listen: \"0.0.0.0:80\"}", APISettings(host: "0.0.0.0", port: 80)),
        ("api: {listen: \"localhost:8080\"}", APISettings(host: "localhost", port: 8080)),
        ("api: {auth: {open: true}}", APISettings(access: APIAccess(open: true))),
        (
            "api: {auth: {tokens: [abcdefghijklmnop, \"0123456789+/=ABCDEF\"]}, delay_queue: callbacks}",
            APISettings(
                access: APIAccess(tokens: ["abcdefghijklmnop", "0123456789+/=ABCDEF"]),
                delayQueue: "callbacks"
            )
        ),
    ])
    func readsTheAPISection(text: String, expected: APISettings) throws {
        #expect(try DaemonConfiguration.parse(text, source: "x").api == expected)
    }

    @Test func readsTokensFromAFileSkippingCommentsAndBlankLines() throws {
        try TemporarySpool.with { directory in
            let path = "\(directory.path)/tokens"
            try SpoolFiles.write(
                "# tokens of the API\n\n  first-token-0123456789  \r\nsecond-token-0123456789\n",
                to: path
            )
            let configuration = try DaemonConfiguration.parse(
                "api: {auth: {token_file: \(path), tokens: [inline-token-0123456789]}}",
                source: "x"
            )
            #expect(
                configuration.api?.access.tokens == [
                    "inline-token-0123456789", "first-token-0123456789", "second-token-0123456789",
                ]
            )
            try SpoolFiles.write("good-token-0123456789\nbad token\n", to: path)
            #expect(throws: ConfigurationError.self) {
                try DaemonConfiguration.parse("api: {auth: {token_file: \(path)}}", source: "x")
            }
        }
    }

    @Test func readsDashboardUsersInlineAndFromAnHtpasswdFile() throws {
        // As `htpasswd -nbB -C 4 ada 'correct horse'` and `spoolctl hash-password --cost 4` wrote them.
        let ada = "$2y$04$vrQED6sDk6twjghjCEJLDOtpX3qpHcb8rbuEbhsncxNNHIhTtxb0m"
        let bob = "$2b$04$bQGRoXQlyuFpx1uorG7.1OE5pZQO37EpeBrdygpt8Pd2RcARAy3YC"
        try TemporarySpool.with { directory in
            let path = "\(directory.path)/htpasswd"
            try SpoolFiles.write("# dashboard users\n\nada:\(ada)\n", to: path)
            let configuration = try DaemonConfiguration.parse(
                "api: {auth: {users: {bob: \"\(bob)\"}, users_file: \(path), secure_cookies: true}}",
                source: "x"
            )
            #expect(configuration.api?.access.users == ["ada": ada, "bob": bob])
            #expect(configuration.api?.access.secureCookies == .always)
            #expect(configuration.api?.accessProblem == nil, "a login is auth enough")
            #expect(try DaemonConfiguration.parse("api: {}", source: "x").api?.access.secureCookies == .auto)

            for (text, reason) in [
                ("ada \(ada)\n", "line 1: a line must be name:hash, as htpasswd -B writes it"),
                (
                    "# users\nada:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n",
                    "line 2: a password must be given as a bcrypt hash"
                ),
                ("ada:\(ada)\nada:\(ada)\n", "line 2: user ada is given twice"),
            ] {
                try SpoolFiles.write(text, to: path)
                #expect {
                    try DaemonConfiguration.parse("api: {auth: {users_file: \(path)}}", source: "x")
                } throws: { error in
                    "\(error)".contains("api.auth.users_file: \(path), \(reason)")
                }
            }
        }
    }

    @Test func routesByTypeThenByQueue() {
        let configuration = DaemonConfiguration(routes: ["thumbnail": "resize"], queueHandlers: ["media": "convert"])
        #expect(configuration.handlerName(forType: "thumbnail", queue: "media") == "resize")
        #expect(configuration.handlerName(forType: "transcode", queue: "media") == "convert")
        #expect(configuration.handlerName(forType: "thumbnail", queue: "other") == "resize")
        #expect(configuration.handlerName(forType: "transcode", queue: "other") == nil)
    }

    @Test func readsAnchorsAndAliases() throws {
        let text = """
            handlers:
              a: &shared {exec: [run.sh], kill_grace: 3s}
              b: *shared
            """
        let configuration = try DaemonConfiguration.parse(text, source: "x")
        #expect(configuration.handlers["a"] == configuration.handlers["b"])
        #expect(configuration.handlers["b"] == .exec(ExecHandlerSpec(command: ["run.sh"], killGrace: 3)))
    }
}
