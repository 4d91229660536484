public import Hummingbird
public import Logging
public import ServiceLifecycle
public import SpoolConfig
public import SpoolCore

/// Spool's HTTP server: the JSON API under `/v1`, the delay-queue route, and the health probes, every
/// answer JSON, every error in one shape (``APIError``); and the web dashboard under `/dashboard` (HTML,
/// behind a login; its routes are listed on `Dashboard`).
///
/// | Route | |
/// |---|---|
/// | `GET /healthz`, `GET /readyz` | the process answers; it can use the spool (open to all) |
/// | `GET /metrics` | Prometheus text format, when the daemon gives its metrics |
/// | `POST /v1/tasks` | enqueue one task-file JSON document: 201 `{id, queue, state}` |
/// | `POST /v1/tasks/batch` | enqueue a JSON array of them at once: 201 `{ids}` |
/// | `GET /v1/tasks` | list, with the filters of `spoolctl list` and a cursor |
/// | `GET /v1/tasks/{id}` | one task: state, payload, attempts, outcome |
/// | `GET /v1/tasks/{id}/result?wait=30s` | its outcome, waiting for it up to `wait` |
/// | `POST /v1/tasks/{id}/cancel`, `/retry`, `/reschedule` | steer it |
/// | `POST /v1/groups`; `GET /v1/groups`, `/v1/groups/{id}`; `POST /v1/groups/{id}/cancel` | groups |
/// | `GET /v1/chains/{id}`; `POST /v1/chains/{id}/cancel` | a chain's steps; cancel it |
/// | `GET /v1/stats` | counts by queue and state |
/// | `POST /v1/queues/{queue}/pause`, `/resume` | pause or resume a queue |
/// | `GET`, `POST /v1/cron`; `DELETE /v1/cron/{name}`; `POST /v1/cron/{name}/pause`, `/resume` | cron entries |
/// | `GET /v1/rejected`; `POST /v1/rejected/{name}/resubmit` | quarantined drops |
/// | `POST /api/task/save` | the delay-queue route (``DelayQueueRoute``) |
/// | `GET /`, `/dashboard/...` | the web dashboard |
///
/// `docs/openapi.yaml` describes each in full.
public enum HTTPServer {
    /// The server as a service for a `ServiceGroup`. `configuredCron` gives the cron entries of the
    /// configuration as it is now (a reload changes them); `metrics`, the Prometheus exposition that
    /// `GET /metrics` serves. Beside the server, a ``StatsSampler`` counts the spool every few seconds for
    /// the dashboard.
    ///
    /// - Throws: ``HTTPSetupError`` when the settings must not be served (``APISettings/accessProblem``).
    public static func service(
        spool: Spool,
        settings: APISettings,
        configuredCron: @escaping @Sendable () -> [CronEntry],
        metrics: (@Sendable () -> [UInt8])? = nil,
        logger: Logger
    ) throws(HTTPSetupError) -> some Service {
        if let problem = settings.accessProblem { throw HTTPSetupError(reason: problem) }
        let history = StatsHistory()
        return ListeningService(
            application: Application(
                router: router(
                    spool: spool,
                    settings: settings,
                    configuredCron: configuredCron,
                    metrics: metrics,
                    history: history
                ),
                configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port)),
                logger: logger
            ),
            sampler: StatsSampler(spool: spool, history: history),
            address: "\(settings.host):\(settings.port)"
        )
    }

    /// The routes and the middleware in front of them: errors as JSON, security headers, the cross-site
    /// guard, then the token check (the dashboard checks its login instead). The dashboard's overview
    /// draws from `history`, which the server's ``StatsSampler`` fills; without one, the overview counts
    /// the spool once, on its first request.
    public static func router(
        spool: Spool,
        settings: APISettings,
        configuredCron: @escaping @Sendable () -> [CronEntry],
        metrics: (@Sendable () -> [UInt8])? = nil,
        history: StatsHistory = StatsHistory()
    ) -> Router<SpoolRequestContext> {
        let router = Router(context: SpoolRequestContext.self, options: .autoGenerateHeadEndpoints)
        let allowed = AllowedMethods()
        let limiter = FailedAttemptLimiter(clock: spool.clock)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(allowed: allowed))
        router.add(middleware: CrossSiteGuard())
        router.add(middleware: TokenAuthenticator(access: settings.access, limiter: limiter))
        HealthRoutes.add(to: router, spool: spool)
        if let metrics {
            router.get("metrics") { _, _ in
                let text = try await offLoop { metrics() }
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: text))
                )
            }
        }
        DelayQueueRoute.add(to: router, spool: spool, queue: settings.delayQueue)
        let api = router.group("v1")
        TaskRoutes.add(to: api, spool: spool)
        GroupRoutes.add(to: api, spool: spool)
        ChainRoutes.add(to: api, spool: spool)
        QueueRoutes.add(to: api, spool: spool)
        CronRoutes.add(to: api, spool: spool, configured: configuredCron)
        RejectedRoutes.add(to: api, spool: spool)
        Dashboard(
            spool: spool,
            access: settings.access,
            sessions: SessionStore(clock: spool.clock),
            passwords: PasswordCheck(users: settings.access.users),
            limiter: limiter,
            history: history,
            configuredCron: configuredCron
        ).add(to: router)
        allowed.learn(from: router)
        return router
    }
}

/// The API must not start with these settings: the reason, in one line.
public struct HTTPSetupError: Error, CustomStringConvertible {
    /// The reason.
    public var reason: String
    public var description: String { reason }
}

/// The HTTP server with the dashboard's sampler beside it, whose failure to start names the address it
/// could not listen on (the port is in use, say), rather than only the system call that failed.
private struct ListeningService<Server: Service>: Service {
    let application: Server
    let sampler: StatsSampler
    let address: String

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sampler.run() }
            // The sampler ends with the server, whether it stopped or failed to start.
            defer { group.cancelAll() }
            do {
                try await application.run()
            } catch {
                throw ListenError(address: address, underlying: error)
            }
        }
    }
}

/// The API server stopped with an error: most often, it could not listen on its address.
struct ListenError: Error, CustomStringConvertible {
    var address: String
    var underlying: any Error

    var description: String { "HTTP API on \(address): \(underlying)" }
}
