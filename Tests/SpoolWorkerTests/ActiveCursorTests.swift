import SpoolCore
import Testing

@testable import SpoolWorker

@Suite struct ActiveCursorTests {
    /// Names due one millisecond apart, in due order.
    func names(_ count: Int) -> [TaskFileName] {
        (0..<count).map { TaskFileName(due: Timestamp(milliseconds: 1_000 + Int64($0)), id: "T\($0)") }
    }

    func drain(_ cursor: inout ActiveCursor) -> [TaskFileName] {
        var taken: [TaskFileName] = []
        while let name = cursor.popFirst() { taken.append(name) }
        return taken
    }

    /// A rescan (each poll) lists again only a window that has nothing left or holds its whole folder.
    @Test func onlyAPartOfABacklogLeftToClaimIsNotListedAgainByARescan() {
        var cursor = ActiveCursor(capacity: 4)
        cursor.reset(names(4), complete: false)
        #expect(cursor.holdsPartOfFolder)
        _ = drain(&cursor)
        #expect(!cursor.holdsPartOfFolder, "emptied: listed again")
        cursor.reset(names(3), complete: true)
        #expect(!cursor.holdsPartOfFolder, "the whole folder: listed again to see arrivals")
    }

    @Test func lostRaceMovesPastHalfOfTheNamesLeft() {
        let window = names(10)
        var cursor = ActiveCursor(capacity: 16)
        cursor.reset(window, complete: true)
        #expect(cursor.popFirst() == window[0])
        #expect(cursor.popFirst() == window[1])
        cursor.stepAside(after: window[1])
        #expect(!cursor.isComplete, "the names passed over are found again by the next listing")
        #expect(drain(&cursor) == Array(window[6...]))
    }

    @Test func lossesOfClaimsStartedBeforeTheStepAreIgnored() {
        let window = names(20)
        var cursor = ActiveCursor(capacity: 32)
        cursor.reset(window, complete: true)
        for _ in 0..<4 { _ = cursor.popFirst() }
        cursor.stepAside(after: window[0])
        #expect(cursor.popFirst() == window[12])
        // The claims of names 1 to 3 were under way before the step; their losses say nothing new.
        cursor.stepAside(after: window[2])
        #expect(cursor.popFirst() == window[13])
        // A loss past the point the walk resumed from means the other process is there too.
        cursor.stepAside(after: window[13])
        #expect(drain(&cursor) == Array(window[17...]))
    }

    @Test func aRefillForgetsTheStep() {
        let window = names(8)
        var cursor = ActiveCursor(capacity: 8)
        cursor.reset(window, complete: false)
        _ = cursor.popFirst()
        cursor.stepAside(after: window[0])
        #expect(cursor.popFirst() == window[4])
        cursor.reset(Array(window[1...]), complete: true)
        #expect(cursor.isComplete)
        cursor.stepAside(after: window[0])
        #expect(cursor.popFirst() == window[4], "after a refill any loss is a new one")
    }

    @Test func theLastNameIsNeverSkipped() {
        let window = names(3)
        var cursor = ActiveCursor(capacity: 4)
        cursor.reset(window, complete: true)
        _ = cursor.popFirst()
        _ = cursor.popFirst()
        cursor.stepAside(after: window[1])
        #expect(cursor.isComplete)
        #expect(drain(&cursor) == [window[2]])
    }

    @Test func arrivalsTakeTheirPlaceAmongTheNamesLeft() {
        let all = names(12)
        var cursor = ActiveCursor(capacity: 6)
        var needsListing = false
        cursor.reset([all[0], all[2], all[4], all[6], all[8]], complete: true)
        #expect(cursor.popFirst() == all[0])
        #expect(cursor.popFirst() == all[2])
        // An older arrival comes next, a newer one in its place, a duplicate not twice.
        for index in [3, 9, 6, 1] { cursor.note(all[index].description, needsListing: &needsListing) }
        #expect(cursor.isComplete)
        // One more than the window holds: the newest is dropped and the window no longer has them all.
        cursor.note(all[11].description, needsListing: &needsListing)
        cursor.note(all[10].description, needsListing: &needsListing)
        #expect(!cursor.isComplete)
        #expect(drain(&cursor) == [all[1], all[3], all[4], all[6], all[8], all[9]])
        #expect(!needsListing)
        // A name taken before may come back (a task handed back) and is then taken again.
        cursor.reset([all[5]], complete: true)
        #expect(cursor.popFirst() == all[5])
        cursor.note(all[5].description, needsListing: &needsListing)
        #expect(cursor.popFirst() == all[5])
    }
}
