public import Logging
public import ServiceLifecycle
public import SpoolCore
import Synchronization

/// Keeps a spool moving: ingests drops from `incoming/`, promotes scheduled tasks when due, recovers leases
/// and staging files and purges by retention, and (given handlers) claims and runs tasks.
///
/// It is a `Service`: run it in a `ServiceGroup`; graceful shutdown stops it, handing running tasks back.
public final class SpoolEngine: Service {
    private let spool: Spool
    private let configuration: EngineConfiguration
    private let handlers: TaskHandlers?
    private let ingestInbox = Mailbox<String?>()
    private let sweepInbox = Mailbox<WatchEvent>()
    private let runners = Mutex<[String: QueueRunner]>([:])
    private let newQueues = Mailbox<String>()
    /// Set when a watch could not be placed: arrivals there are then found by periodic rescans.
    private let degraded = Atomic<Bool>(false)

    /// Creates an engine for `spool`; with `handlers`, it also runs tasks.
    public init(spool: Spool, configuration: EngineConfiguration = EngineConfiguration(), handlers: TaskHandlers? = nil)
    {
        self.spool = spool
        self.configuration = configuration
        self.handlers = handlers
    }

    private var logger: Logger { spool.logger }

    public func run() async throws {
        let poller: PollWatcher?
        let watcher: any SpoolWatcher
        if configuration.watchMode == .inotify, let inotify = InotifyWatcher(root: spool.root) {
            watcher = inotify
            poller = nil
        } else {
            if configuration.watchMode == .inotify { logger.warning("inotify is not available; polling instead") }
            let polling = PollWatcher()
            watcher = polling
            poller = polling
        }
        defer { watcher.close() }
        let report = spool.runJanitor()
        logger.info("spool open", metadata: ["spool.root": "\(spool.root)", "spool.recovered": "\(report)"])

        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.route(watcher.events) }
                if let poller {
                    group.addTask {
                        await poller.run(clock: self.spool.clock, interval: self.configuration.pollInterval)
                    }
                }
                group.addTask { await self.ingestLoop(watcher) }
                group.addTask { await self.sweepLoop(watcher) }
                group.addTask { await self.janitorLoop() }
                group.addTask { await self.degradedRescanLoop() }
                if let handlers = self.handlers {
                    group.addTask { await self.workerLoop(watcher, handlers: handlers) }
                }
                // The routing task ends only with the watcher: end the rest with it on cancellation.
                await withTaskCancellationHandler {
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                } onCancel: {
                    watcher.close()
                }
                group.cancelAll()
            }
        }
        logger.info("spool engine stopped", metadata: ["spool.root": "\(spool.root)"])
    }

    // MARK: - Routing

    private func route(_ events: AsyncStream<WatchEvent>) async {
        for await event in events {
            switch event {
            case .rescan:
                ingestInbox.post(nil)
                sweepInbox.post(.rescan)
                for runner in runners.withLock({ Array($0.values) }) { runner.inbox.post(nil) }
                if handlers != nil {
                    for queue in spool.activeQueues() { newQueues.post(queue) }
                }
            case .arrived(let folder, let name, let isDirectory):
                if folder == SpoolLayout.incoming {
                    if !isDirectory { ingestInbox.post(name) }
                } else if folder == SpoolLayout.active {
                    if isDirectory { newQueues.post(name) }
                } else if folder.hasPrefix(SpoolLayout.active + "/") {
                    let queue = String(folder.dropFirst(SpoolLayout.active.count + 1))
                    runners.withLock { $0[queue] }?.inbox.post(name)
                } else if folder == SpoolLayout.scheduled || folder.hasPrefix(SpoolLayout.scheduled + "/") {
                    sweepInbox.post(event)
                }
            }
        }
    }

    // MARK: - Ingest

    private func ingestLoop(_ watcher: any SpoolWatcher) async {
        await watch(SpoolLayout.incoming, with: watcher)
        ingestInbox.post(nil)
        while let message = await ingestInbox.next() {
            let names: [String]
            if let message {
                names = [message]
            } else {
                names = (try? spool.pendingDrops()) ?? []
            }
            for name in names {
                do {
                    _ = try spool.ingest(name)
                } catch {
                    logger.error("ingest failed", metadata: ["spool.drop": "\(name)", "spool.error": "\(error)"])
                }
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
            guard degraded.load(ordering: .relaxed) else { continue }
            ingestInbox.post(nil)
            sweepInbox.post(.rescan)
            for runner in runners.withLock({ Array($0.values) }) { runner.inbox.post(nil) }
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

    // MARK: - Workers

    private func workerLoop(_ watcher: any SpoolWatcher, handlers: TaskHandlers) async {
        await watch(SpoolLayout.active, with: watcher)
        for queue in spool.activeQueues() { newQueues.post(queue) }
        await withDiscardingTaskGroup { group in
            while let queue = await newQueues.next() {
                guard Names.isValidQueueName(queue), runners.withLock({ $0[queue] }) == nil else { continue }
                let runner = QueueRunner(
                    queue: queue,
                    spool: spool,
                    handlers: handlers,
                    concurrency: configuration.concurrency[queue] ?? configuration.defaultConcurrency,
                    window: configuration.claimWindow
                )
                runners.withLock { $0[queue] = runner }
                await watch(SpoolLayout.activeFolder(queue: queue), with: watcher)
                runner.inbox.post(nil)
                group.addTask { await runner.run() }
            }
            group.cancelAll()
        }
    }
}
