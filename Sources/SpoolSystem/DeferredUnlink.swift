public import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Deletes files on a thread of its own, so that the caller does not wait for the deletion.
///
/// Freeing a file's blocks can take a millisecond or more (a filesystem mounted with `discard` issues the
/// discard at once), while the rename that made the file garbage took microseconds. One process-wide thread
/// takes the deletions in order; a file not yet deleted when the process ends is the caller's to find again
/// (a spool's janitor deletes leftover staging files).
public enum DeferredUnlink {
    private struct Pending {
        var directory: FileDescriptor
        var name: String
    }

    private final class Queue: @unchecked Sendable {
        // A pthread mutex and condition: the thread sleeps until there is work, without polling.
        var mutex = pthread_mutex_t()
        var condition = pthread_cond_t()
        var pending: [Pending] = []
        var busy = false

        init() {
            pthread_mutex_init(&mutex, nil)
            pthread_cond_init(&condition, nil)
            OSThread.start { [self] in run() }
        }

        func add(_ item: Pending) {
            pthread_mutex_lock(&mutex)
            pending.append(item)
            pthread_cond_broadcast(&condition)
            pthread_mutex_unlock(&mutex)
        }

        func waitUntilIdle() {
            pthread_mutex_lock(&mutex)
            while !pending.isEmpty || busy { pthread_cond_wait(&condition, &mutex) }
            pthread_mutex_unlock(&mutex)
        }

        private func run() {
            while true {
                pthread_mutex_lock(&mutex)
                busy = false
                pthread_cond_broadcast(&condition)
                while pending.isEmpty { pthread_cond_wait(&condition, &mutex) }
                let batch = pending
                pending.removeAll(keepingCapacity: true)
                busy = true
                pthread_mutex_unlock(&mutex)
                for item in batch {
                    try? Syscall.unlink(item.name, in: item.directory)
                    item.directory.closeQuietly()
                }
            }
        }
    }

    private static let queue = Queue()

    /// Deletes `name` in `directory` soon, on the deletion thread. The directory's descriptor is duplicated
    /// (close-on-exec), so the caller may close its own at once. Errors (a file already gone, say) are ignored.
    public static func unlink(_ name: String, in directory: FileDescriptor) {
        let copy = fcntl(directory.rawValue, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else {
            try? Syscall.unlink(name, in: directory)
            return
        }
        queue.add(Pending(directory: FileDescriptor(rawValue: copy), name: name))
    }

    /// Waits until every deletion asked for so far is done.
    public static func waitUntilIdle() {
        queue.waitUntilIdle()
    }
}
