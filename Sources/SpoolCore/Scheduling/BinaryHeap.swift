/// A binary heap whose root is the element that comes first by `precedes`.
struct BinaryHeap<Element> {
    private(set) var elements: [Element] = []
    private let precedes: (Element, Element) -> Bool

    init(precedes: @escaping (Element, Element) -> Bool) {
        self.precedes = precedes
    }

    var count: Int { elements.count }
    var isEmpty: Bool { elements.isEmpty }
    var first: Element? { elements.first }

    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(elements[child], elements[parent]) else { return }
            elements.swapAt(parent, child)
            child = parent
        }
    }

    @discardableResult
    mutating func popFirst() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let first = elements.removeLast()
        siftDown(from: 0)
        return first
    }

    /// Replaces the root with `element`.
    mutating func replaceFirst(with element: Element) {
        elements[0] = element
        siftDown(from: 0)
    }

    private mutating func siftDown(from index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < elements.count, precedes(elements[left], elements[first]) { first = left }
            if right < elements.count, precedes(elements[right], elements[first]) { first = right }
            if first == parent { return }
            elements.swapAt(parent, first)
            parent = first
        }
    }
}

/// The `capacity` smallest elements seen, kept in a max-heap so the largest is dropped first.
struct BoundedMaxHeap<Element: Comparable> {
    private var heap = BinaryHeap<Element>(precedes: >)
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// The largest element once the heap is full: anything larger would be dropped. `nil` while it has room.
    var largest: Element? { heap.count < capacity ? nil : heap.first }

    /// Offers `element`; returns `false` if an element (this one or a larger one) had to be dropped.
    mutating func insert(_ element: Element) -> Bool {
        if heap.count < capacity {
            heap.push(element)
            return true
        }
        if let largest = heap.first, element < largest { heap.replaceFirst(with: element) }
        return false
    }

    func sortedElements() -> [Element] {
        heap.elements.sorted()
    }
}
