import Testing

@testable import SpoolConfig

@Suite struct HandlerSpecParsingTests {
    /// The handler named `h` in `text`.
    private func handler(_ text: String) throws -> HandlerSpec? {
        try DaemonConfiguration.parse(text, source: "spool.yaml").handlers["h"]
    }

    @Test func readsEveryExecSetting() throws {
        let text = """
            handlers:
              h:
                exec: [examples/handlers/resize.sh, --fast, 5]
                env: {QUALITY: 85, MODE: fast, EMPTY: ""}
                dir: /srv/media
                retry_exit_codes: [75, 111]
                permanent_exit_codes: []
                kill_grace: 0
                max_output: 1024
            """
        let expected = ExecHandlerSpec(
            command: ["examples/handlers/resize.sh", "--fast", "5"],
            environment: ["QUALITY": "85", "MODE": "fast", "EMPTY": ""],
            workingDirectory: "/srv/media",
            retryExitCodes: [75, 111],
            permanentExitCodes: [],
            killGrace: 0,
            maximumOutputBytes: 1024
        )
        #expect(try handler(text) == .exec(expected))
    }

    @Test func takesAStringAsOneProgramWithoutSplittingIt() throws {
        let spec = try handler("handlers:\n  h:\n    exec: my tool --flag 'quoted arg'\n")
        #expect(spec == .exec(ExecHandlerSpec(command: ["my tool --flag 'quoted arg'"])))
    }

    @Test func readsEveryHTTPSetting() throws {
        let text = """
            handlers:
              h:
                http: https://hooks.example.com/{queue}/{type}/{id}?try={attempt}&key={key}
                method: PUT
                headers: {Authorization: "Bearer x", X-Trace: 1}
                connect_timeout: 2.5s
                max_response: 0
            """
        let expected = HTTPHandlerSpec(
            url: "https://hooks.example.com/{queue}/{type}/{id}?try={attempt}&key={key}",
            method: "PUT",
            headers: ["Authorization": "Bearer x", "X-Trace": "1"],
            connectTimeout: 2.5,
            maximumResponseBytes: 0
        )
        #expect(try handler(text) == .http(expected))
    }

    @Test(arguments: ["handlers: {h: {http: {}}}", "handlers: {h: {http: }}", "handlers:\n  h:\n    http: null\n"])
    func takesAnEmptyHTTPValueAsTaskProvidedURLs(text: String) throws {
        #expect(try handler(text) == .http(HTTPHandlerSpec(url: nil)))
    }

    @Test func keepsHandlerDefaults() throws {
        #expect(try handler("handlers: {h: {exec: x}}") == .exec(ExecHandlerSpec(command: ["x"])))
        #expect(try handler("handlers: {h: {http: \"http://h/\"}}") == .http(HTTPHandlerSpec(url: "http://h/")))
    }
}
