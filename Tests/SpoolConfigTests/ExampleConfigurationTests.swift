import Foundation
import SpoolCore
import Testing

@testable import SpoolConfig

/// Keeps the demo configuration and `docs/CONFIG.md` in step with the parser.
@Suite struct ExampleConfigurationTests {
    /// The repository's root, three levels above this file.
    private static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private static func text(_ path: String) throws -> String {
        try String(decoding: Data(contentsOf: root.appending(path: path)), as: UTF8.self)
    }

    /// The contents of the ```yaml blocks of a Markdown text.
    private static func yamlBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```yaml" {
                current = []
            } else if let lines = current, line == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theDemoConfigurationParses() throws {
        let configuration = try DaemonConfiguration.load(path: Self.root.appending(path: "spool/spool.yaml").path)
        #expect(configuration.queueHandlers == ["media": "resize", "reports": "report", "hooks": "echo"])
        #expect(
            configuration.handlers["resize"]
                == .exec(ExecHandlerSpec(command: ["examples/handlers/resize.sh"], killGrace: 5))
        )
        #expect(configuration.handlers["report"] == .exec(ExecHandlerSpec(command: ["examples/handlers/report.py"])))
        #expect(configuration.handlers["echo"] == .http(HTTPHandlerSpec(url: "http://127.0.0.1:8471/echo/{type}/{id}")))
        #expect(configuration.spool.defaultMaxAttempts == 3)
        #expect(configuration.spool.defaultBackoff == .table([2, 5, 10]))
    }

    @Test func theFullExampleOfTheDocsParses() throws {
        let blocks = Self.yamlBlocks(try Self.text("docs/CONFIG.md"))
        #expect(!blocks.isEmpty)
        for block in blocks {
            _ = try DaemonConfiguration.parse(block, source: "docs/CONFIG.md")
        }
    }

    @Test func theFullExampleOfTheDocsShowsTheDefaults() throws {
        let example = try #require(Self.yamlBlocks(try Self.text("docs/CONFIG.md")).first)
        let configuration = try DaemonConfiguration.parse(example, source: "docs/CONFIG.md")
        let spool = configuration.spool
        let defaultSpool = SpoolConfiguration()
        #expect(spool.durability == defaultSpool.durability)
        #expect(spool.maximumTaskBytes == defaultSpool.maximumTaskBytes)
        #expect(spool.defaultMaxAttempts == defaultSpool.defaultMaxAttempts)
        #expect(spool.defaultBackoff == defaultSpool.defaultBackoff)
        #expect(spool.defaultTimeout == defaultSpool.defaultTimeout)
        #expect(spool.leaseDuration == defaultSpool.leaseDuration)
        #expect(spool.doneRetention == defaultSpool.doneRetention)
        #expect(spool.deadRetention == defaultSpool.deadRetention)
        let engine = configuration.engine
        let defaultEngine = EngineConfiguration()
        #expect(engine.watchMode == defaultEngine.watchMode)
        #expect(engine.pollInterval == defaultEngine.pollInterval)
        #expect(engine.janitorInterval == defaultEngine.janitorInterval)
        #expect(engine.workerConcurrency == defaultEngine.workerConcurrency)
        #expect(engine.defaultConcurrency == defaultEngine.defaultConcurrency)
        #expect(engine.queueOrder == defaultEngine.queueOrder)
        #expect(engine.shutdownGrace == defaultEngine.shutdownGrace)
        #expect(engine.claimWindow == defaultEngine.claimWindow)
        #expect(configuration.api == APISettings(access: APIAccess(open: true)), "the defaults, opened on loopback")
        guard case .exec(let exec) = configuration.handlers["resize"],
            case .http(let http) = configuration.handlers["notify"]
        else {
            Issue.record("the example lost its resize or notify handler")
            return
        }
        let defaultExec = ExecHandlerSpec(command: [])
        #expect(exec.retryExitCodes == defaultExec.retryExitCodes)
        #expect(exec.permanentExitCodes == defaultExec.permanentExitCodes)
        #expect(exec.killGrace == defaultExec.killGrace)
        #expect(exec.maximumOutputBytes == defaultExec.maximumOutputBytes)
        let defaultHTTP = HTTPHandlerSpec()
        #expect(http.method == defaultHTTP.method)
        #expect(http.connectTimeout == defaultHTTP.connectTimeout)
        #expect(http.maximumResponseBytes == defaultHTTP.maximumResponseBytes)
    }

    @Test func theDocsNameEveryKey() throws {
        let docs = try Self.text("docs/CONFIG.md")
        let keys =
            DaemonConfiguration.topLevelKeys + DaemonConfiguration.queueKeys + HandlerSpec.execKeys
            + HandlerSpec.httpKeys + Backoff.strategyKeys
        for key in keys {
            let described = ["`\(key)`", "`\(key).", ".\(key)`"].contains { docs.contains($0) }
            #expect(described, "docs/CONFIG.md does not describe \(key)")
        }
    }
}
