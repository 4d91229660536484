import SpoolCore

/// A sorted window of the oldest task names known to wait in one `active/` folder.
struct ActiveCursor {
    private var names: [TaskFileName] = []
    /// Names before this index were taken.
    private var head = 0
    /// Whether `names` holds every file of the folder (so any arrival belongs in it).
    private(set) var isComplete = false
    /// The name the walk went on from after its last step aside.
    private var resumedAt: TaskFileName?
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isEmpty: Bool { head == names.count }

    /// Whether names are left to claim from a listing that did not hold the whole folder.
    var holdsPartOfFolder: Bool { !isEmpty && !isComplete }

    mutating func reset(_ names: [TaskFileName], complete: Bool) {
        self.names = names
        head = 0
        isComplete = complete
        resumedAt = nil
    }

    mutating func popFirst() -> TaskFileName? {
        guard head < names.count else { return nil }
        head += 1
        return names[head - 1]
    }

    /// After another process claimed `lost` first, moves past half of the names left, so that two
    /// processes walking the same names in the same order part ways instead of racing for each one.
    ///
    /// Losses of names before the last step aside are of claims already under way and are ignored. The
    /// names passed over stay in the folder: the window is no longer complete, so the next listing finds
    /// those another process has not taken.
    mutating func stepAside(after lost: TaskFileName) {
        if let resumedAt, lost < resumedAt { return }
        let remaining = names.count - head
        guard remaining > 1 else { return }
        head += remaining / 2
        resumedAt = names[head]
        isComplete = false
    }

    /// Takes in a watcher message: a new name, or (`nil`) a request to list the folder again.
    mutating func note(_ message: String?, needsListing: inout Bool) {
        guard let message else {
            needsListing = true
            return
        }
        guard let name = TaskFileName(message) else { return }
        if !isComplete, let last = names.last, name > last { return }
        if !isComplete, isEmpty { return }
        // Taken names are dropped once they are half the array, not on every arrival.
        if head > 0, head >= names.count / 2 {
            names.removeFirst(head)
            head = 0
        }
        var low = head
        var high = names.count
        while low < high {
            let middle = (low + high) / 2
            if names[middle] < name { low = middle + 1 } else { high = middle }
        }
        if low < names.count, names[low] == name { return }
        names.insert(name, at: low)
        if names.count - head > capacity {
            names.removeLast()
            isComplete = false
        }
    }
}
