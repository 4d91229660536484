public import Hummingbird
public import Logging
public import ServiceLifecycle
public import SpoolConfig
public import SpoolCore

/// Spool's HTTP server: the JSON API under `/v1`, the delay-queue route, and the health probes; every
/// answer JSON, every error in one shape (``APIError``).
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
/// | `GET /v1/stats` | counts by queue and state |
/// | `POST /v1/queues/{queue}/pause`, `/resume` | pause or resume a queue |
/// | `GET`, `POST /v1/cron`; `DELETE /v1/cron/{name}`; `POST /v1/cron/{name}/pause`, `/resume` | cron entries |
/// | `GET /v1/rejected`; `POST /v1/rejected/{name}/resubmit` | quarantined drops |
/// | `POST /api/task/save` | the delay-queue route (``DelayQueueRoute``) |
///
/// `docs/openapi.yaml` describes each in full.
public enum HTTPServer {
    /// The server as a service for a `ServiceGroup`. `configuredCron` gives the cron entries of the
    /// configuration as it is now (a reload changes them); `metrics`, the Prometheus exposition that
    /// `GET /metrics` serves.
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
        return ListeningService(
            application: Application(
                router: router(spool: spool, settings: settings, configuredCron: configuredCron, metrics: metrics),
                configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port)),
                logger: logger
            ),
            address: "\(settings.host):\(settings.port)"
        )
    }

    /// The routes and the middleware in front of them: errors as JSON, security headers, the cross-site
    /// guard, then the token check.
    public static func router(
        spool: Spool,
        settings: APISettings,
        configuredCron: @escaping @Sendable () -> [CronEntry],
        metrics: (@Sendable () -> [UInt8])? = nil
    ) -> Router<SpoolRequestContext> {
        let router = Router(context: SpoolRequestContext.self, options: .autoGenerateHeadEndpoints)
        let allowed = AllowedMethods()
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(allowed: allowed))
        router.add(middleware: CrossSiteGuard())
        router.add(
            middleware: TokenAuthenticator(access: settings.access, limiter: FailedAttemptLimiter(clock: spool.clock))
        )
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
        QueueRoutes.add(to: api, spool: spool)
        CronRoutes.add(to: api, spool: spool, configured: configuredCron)
        RejectedRoutes.add(to: api, spool: spool)
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

/// The HTTP server, whose failure to start names the address it could not listen on (the port is in use,
/// say), rather than only the system call that failed.
private struct ListeningService<Server: Service>: Service {
    let application: Server
    let address: String

    func run() async throws {
        do {
            try await application.run()
        } catch {
            throw ListenError(address: address, underlying: error)
        }
    }
}

/// The API server stopped with an error: most often, it could not listen on its address.
struct ListenError: Error, CustomStringConvertible {
    var address: String
    var underlying: any Error

    var description: String { "HTTP API on \(address): \(underlying)" }
}
