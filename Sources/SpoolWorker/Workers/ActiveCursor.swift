import SpoolCore

/// A sorted window of the oldest task names known to wait in one `active/` folder.
struct ActiveCursor {
    private var names: [TaskFileName] = []
    /// Names before this index were taken.
    private var head = 0
    /// Whether `names` holds every file of the folder (so any arrival belongs in it).
    private(set) var isComplete = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isEmpty: Bool { head == names.count }

    mutating func reset(_ names: [TaskFileName], complete: Bool) {
        self.names = names
        head = 0
        isComplete = complete
    }

    mutating func popFirst() -> TaskFileName? {
        guard head < names.count else { return nil }
        head += 1
        return names[head - 1]
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
        if head > 0 {
            names.removeFirst(head)
            head = 0
        }
        var low = 0
        var high = names.count
        while low < high {
            let middle = (low + high) / 2
            if names[middle] < name { low = middle + 1 } else { high = middle }
        }
        if low < names.count, names[low] == name { return }
        names.insert(name, at: low)
        if names.count > capacity {
            names.removeLast()
            isComplete = false
        }
    }
}
