import Logging
import SpoolSystem
import Synchronization

/// A workflow step that this process began and could not finish, for a fault that may pass (a full disk, out
/// of descriptors): another process's janitor leaves a live process's work alone until the staging timeout,
/// and this process's own janitor takes it up again instead (``Spool/finishStrandedWork()``).
enum StrandedWork: Hashable, Sendable {
    /// A next step or a group's result marker staged as `tmp/<staged>` and not placed.
    case followUp(staged: String)
    /// Members of group `group` still in its folder after its enqueue placed the others.
    case groupMembers(group: String)
    /// The callback of group `group`, taken by this process as `taken` and not enqueued.
    case groupCallback(group: String, taken: String)
}

extension Spool {
    /// Records work to finish in a later janitor pass of this process.
    func strand(_ work: StrandedWork) {
        strandedWork.withLock { if !$0.contains(work) { $0.append(work) } }
    }

    /// Takes up, in a janitor pass, the workflow steps this process could not finish when it began them; those
    /// that still cannot be finished wait for the next pass.
    ///
    /// - Returns: How many were finished, or found finished by another process.
    func finishStrandedWork() -> Int {
        let work = strandedWork.withLock { work in
            defer { work.removeAll() }
            return work
        }
        let left = work.filter { !finish($0) }
        if !left.isEmpty { strandedWork.withLock { $0.insert(contentsOf: left, at: 0) } }
        return work.count - left.count
    }

    /// Finishes one stranded piece of work; `false` if it is still to be finished.
    private func finish(_ work: StrandedWork) -> Bool {
        switch work {
        case .followUp(let staged):
            return placeFollowUp(staged)
        case .groupMembers(let group):
            guard let manifest = groupManifest(group) else { return true }
            _ = placeLeftoverMembers(of: manifest)
            return !names(in: GroupLayout.folder(group)).contains { GroupLayout.parseMember($0) != nil }
        case .groupCallback(let group, let taken):
            guard let manifest = groupManifest(group),
                (try? Syscall.status("\(GroupLayout.folder(group))/\(taken)", in: rootDescriptor)) != nil
            else { return true }
            do {
                try enqueueCallback(taken, of: manifest)
                return true
            } catch  where error.code == .corruptRecord || error.code == .notFound {
                return true
            } catch {
                logger.error(
                    "group callback not enqueued yet",
                    metadata: ["spool.group": "\(group)", "spool.error": "\(error.message)"]
                )
                return false
            }
        }
    }
}
