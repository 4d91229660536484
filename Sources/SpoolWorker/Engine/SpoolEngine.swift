import CoreMetrics
import Logging
public import ServiceLifecycle
public import SpoolCore
import SpoolWatch
import Synchronization

/// Keeps a spool moving: ingests drops from `incoming/`, promotes scheduled tasks when due, recovers leases
/// and staging files and purges by retention, and (given handlers) claims and runs tasks. Its
/// ``EngineConfiguration/roles`` choose which of these jobs it does.
///
/// It is a `Service`: run it in a `ServiceGroup`. A graceful shutdown stops claiming at once, lets running
/// tasks finish within ``EngineConfiguration/shutdownGrace``, then hands the rest back; cancellation hands
/// them back at once.
///
/// It counts its rescans and its watcher's overflows with the spool's metrics factory (see
/// ``SpoolCore/Spool/init(root:configuration:clock:worker:logger:access:metricsFactory:)``); the spool counts
/// what happens to tasks.
public final class SpoolEngine: Service {
    private let spool: Spool
    private let configuration: EngineConfiguration
    private let handlers: TaskHandlers?
    private let ingestInbox = Mailbox<String?>()
    private let sweepInbox = Mailbox<WatchEvent>()
    private let poolInbox = Mailbox<PoolMessage>()
    /// Set when a watch could not be placed: arrivals there are then found by periodic rescans.
    private let degraded = Atomic<Bool>(false)
    private let cron: CronLoop
    /// Counts the times every folder was listed again because events may have been lost.
    private let rescans: Counter

    /// Creates an engine for `spool`; with `handlers`, and the ``EngineConfiguration/Roles/working`` role,
    /// it also runs tasks.
    public init(spool: Spool, configuration: EngineConfiguration = EngineConfiguration(), handlers: TaskHandlers? = nil)
    {
        self.spool = spool
        self.configuration = configuration
        self.handlers = handlers
        cron = CronLoop(spool: spool, entries: configuration.cron)
        rescans = Counter(label: MetricName.watcherRescans, factory: spool.metrics.factory)
    }

    private var logger: Logger { spool.logger }
    private var runsTasks: Bool { handlers != nil && configuration.roles.contains(.working) }

    /// Applies new concurrency limits, weights, queue order, cron entries and handlers to the running engine (a
    /// configuration reload). Watch mode, intervals and roles stay as they were at start.
    public func reload(configuration: EngineConfiguration, handlers: TaskHandlers) {
        poolInbox.post(.reconfigure(configuration, handlers))
        cron.reload(entries: configuration.cron)
    }

    public func run() async throws {
        let poller: PollWatcher?
        let watcher: any SpoolWatcher
        if configuration.watchMode == .inotify,
            let inotify = InotifyWatcher(root: spool.root, metricsFactory: spool.metrics.factory)
        {
            watcher = inotify
            poller = nil
        } else {
            if configuration.watchMode == .inotify { logger.warning("inotify is not available; polling instead") }
            let polling = PollWatcher()
            watcher = polling
            poller = polling
        }
        defer { watcher.close() }
        let roles = configuration.roles
        if roles.contains(.maintenance) {
            let report = spool.runJanitor(atStart: true)
            logger.info("spool open", metadata: ["spool.root": "\(spool.root)", "spool.recovered": "\(report)"])
        }
        logger.info(
            "worker",
            metadata: [
                "spool.worker": "\(spool.worker)",
                // `none`: moves that must not replace go by link then unlink, rewrites by setting aside.
                "spool.rename_flags": "\(spool.renameFlagsDescription)",
            ]
        )
        let stopping = Mailbox<Void>()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if runsTasks, let handlers {
                    let pool = WorkerPool(
                        inbox: poolInbox,
                        spool: spool,
                        configuration: configuration,
                        handlers: handlers,
                        watch: { folder in await self.watch(folder, with: watcher) }
                    )
                    group.addTask {
                        await self.watch(SpoolLayout.paused, with: watcher)
                        await self.watch(SpoolLayout.active, with: watcher)
                        self.poolInbox.post(.pausesChanged)
                        await pool.run()
                        // Drained after a graceful shutdown: nothing else has work left.
                        stopping.post(())
                    }
                }
                group.addTask {
                    await withDiscardingTaskGroup { loops in
                        loops.addTask { await self.route(watcher) }
                        if let poller {
                            loops.addTask {
                                await poller.run(clock: self.spool.clock, interval: self.configuration.pollInterval)
                            }
                        }
                        if roles.contains(.scheduling) {
                            loops.addTask { await self.ingestLoop(watcher) }
                            loops.addTask { await self.sweepLoop(watcher) }
                            loops.addTask { await self.cron.run() }
                            loops.addTask { await self.deadlineLoop() }
                        }
                        if roles.contains(.maintenance) { loops.addTask { await self.janitorLoop() } }
                        loops.addTask { await self.degradedRescanLoop() }
                        _ = await stopping.next()
                        watcher.close()
                        loops.cancelAll()
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.notice(
                "shutting down: claiming no more tasks, letting running ones finish",
                metadata: ["spool.shutdown_grace": "\(self.configuration.shutdownGrace)"]
            )
            self.poolInbox.post(.drain)
            stopping.post(())
        }
        logger.info("spool engine stopped", metadata: ["spool.root": "\(spool.root)"])
    }

    // MARK: - Routing

    private func route(_ watcher: any SpoolWatcher) async {
        for await event in watcher.events {
            route(event)
            // Events dropped while this loop fell behind: everything is listed again.
            if watcher.takeOverflow() { route(.rescan) }
        }
    }

    private func route(_ event: WatchEvent) {
        let scheduling = configuration.roles.contains(.scheduling)
        switch event {
        case .rescan:
            rescans.increment()
            if scheduling {
                ingestInbox.post(nil)
                sweepInbox.post(.rescan)
            }
            if runsTasks { poolInbox.post(.relist(queue: nil)) }
        case .removed(let folder, _):
            if folder == SpoolLayout.paused { poolInbox.post(.pausesChanged) }
        case .created(let folder, let name):
            // Anything but a file still being written is complete at once (a link, a FIFO, a socket).
            if folder == SpoolLayout.incoming, scheduling, spool.isCompleteOnCreation(drop: name) {
                ingestInbox.post(name)
            } else if folder.hasPrefix(SpoolLayout.running + "/"), name.hasSuffix(".cancel"),
                let fileName = TaskFileName(String(name.dropLast(".cancel".count)) + ".json")
            {
                poolInbox.post(.cancelRequested(fileName))
            }
        case .arrived(let folder, let name, let isDirectory):
            if folder == SpoolLayout.incoming {
                // A folder named as a drop is rejected like any other drop that is not a task.
                if scheduling, !isDirectory || Spool.isDropName(name) { ingestInbox.post(name) }
            } else if folder == SpoolLayout.paused {
                poolInbox.post(.pausesChanged)
            } else if folder == SpoolLayout.active {
                if isDirectory { poolInbox.post(.queueAppeared(name)) }
            } else if folder.hasPrefix(SpoolLayout.active + "/") {
                poolInbox.post(.arrived(queue: String(folder.dropFirst(SpoolLayout.active.count + 1)), name: name))
            } else if scheduling, folder == SpoolLayout.scheduled || folder.hasPrefix(SpoolLayout.scheduled + "/") {
                sweepInbox.post(event)
            }
        }
    }

    // MARK: - Ingest

    /// Ingests each drop as it arrives. When the filesystem fails an ingest (disk full, out of descriptors),
    /// the drop is back in `incoming/`, and the whole folder is ingested again after a backoff, until the
    /// fault ends; arrivals meanwhile wait for that pass.
    private func ingestLoop(_ watcher: any SpoolWatcher) async {
        await watch(SpoolLayout.incoming, with: watcher)
        ingestInbox.post(nil)
        let clock = spool.clock
        var fault = FaultBackoff()
        let faults = FaultLog(
            logger,
            failing: "ingest failing; drops wait in incoming/ and are retried",
            recovered: "ingest recovered"
        )
        while !Task.isCancelled {
            let message: String?
            if let retryAt = fault.retryAt {
                do {
                    try await clock.sleep(until: retryAt)
                } catch {
                    return
                }
                while ingestInbox.poll() != nil {}
                message = nil
            } else {
                guard let next = await ingestInbox.next() else { return }
                message = next
            }
            var failure: (name: String, error: any Error)?
            do {
                for name in try message.map({ [$0] }) ?? spool.pendingDrops() {
                    do {
                        _ = try spool.ingest(name)
                    } catch {
                        failure = (name, error)
                        break
                    }
                }
            } catch {
                failure = (SpoolLayout.incoming, error)
            }
            if let failure {
                fault.failed(now: clock.now)
                faults.failed(
                    now: clock.now,
                    metadata: ["spool.drop": "\(failure.name)", "spool.error": "\(failure.error)"]
                )
            } else {
                fault.succeeded()
                faults.succeeded()
            }
        }
    }

    // MARK: - Sweep

    private func sweepLoop(_ watcher: any SpoolWatcher) async {
        let sweeper = Sweeper(spool: spool)
        let clock = spool.clock
        while !Task.isCancelled {
            let wake = sweeper.advance(now: clock.now)
            let folders = sweeper.takeFoldersToWatch()
            if !folders.isEmpty {
                for folder in folders {
                    await watch(folder, with: watcher)
                    sweeper.relist(folder, now: clock.now)
                }
                // A relist may have found files due before `wake`: work out the wake time again.
                continue
            }
            if sweeper.pendingTimers > 0, wake <= clock.now { continue }
            guard let event = await receive(from: sweepInbox, until: wake, clock: clock) else { continue }
            let now = clock.now
            switch event {
            case .rescan:
                sweeper.rescan(now: now)
            case .arrived(let folder, let name, let isDirectory):
                if isDirectory {
                    sweeper.folderCreated(in: folder, name: name, now: now)
                } else {
                    sweeper.fileArrived(in: folder, name: name, now: now)
                }
            case .removed, .created:
                break
            }
        }
    }

    // MARK: - Watches

    /// Places a watch; if it cannot be placed while the folder exists (the inotify watch limit, say), the
    /// engine falls back to rescanning every poll interval, so nothing waits unseen.
    private func watch(_ folder: String, with watcher: any SpoolWatcher) async {
        if await watcher.watch(folder) { return }
        guard (try? spool.folderExists(folder)) == true else { return }
        if !degraded.exchange(true, ordering: .relaxed) {
            logger.warning(
                "cannot watch a folder; rescanning every poll interval",
                metadata: ["spool.folder": "\(folder)"]
            )
        }
    }

    private func degradedRescanLoop() async {
        let clock = spool.clock
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: clock.now.adding(seconds: configuration.pollInterval))
            } catch {
                return
            }
            if degraded.load(ordering: .relaxed) { route(.rescan) }
        }
    }

    // MARK: - Deadlines

    /// Ends waiting tasks whose deadline passed, looking every second (see ``Spool/expireDeadlines(now:)``).
    private func deadlineLoop() async {
        let clock = spool.clock
        while !Task.isCancelled {
            spool.expireDeadlines(now: clock.now)
            do {
                try await clock.sleep(until: clock.now.adding(seconds: 1))
            } catch {
                return
            }
        }
    }

    // MARK: - Janitor

    private func janitorLoop() async {
        let clock = spool.clock
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: clock.now.adding(seconds: configuration.janitorInterval))
            } catch {
                return
            }
            let report = spool.runJanitor()
            if report != JanitorReport() { logger.info("janitor", metadata: ["spool.report": "\(report)"]) }
        }
    }
}
