// libFuzzer target for the file-name parsers: `TaskFileName(_:)`, `TaskFileName(utf8:)`, `WorkerName(_:)`
// and the day and minute folder names. Built and run by `Tests/fuzz/run.sh`, not by SwiftPM.
import SpoolCore

#if canImport(Glibc)
import Glibc
#endif

/// Stops the run with `message` when `condition` is false. Unlike `precondition`, whose message an
/// optimized build drops, `fatalError` prints it, so the fuzzer's log says what failed.
private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

/// Every name that parses prints back to the same bytes, and the two `TaskFileName` parsers agree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    let isUTF8 = Array(text.utf8) == bytes

    let fromBytes = bytes.withUnsafeBufferPointer { buffer -> TaskFileName? in
        let name = TaskFileName(utf8: buffer)
        if let name {
            check(TaskFileName.dueMilliseconds(utf8: buffer) == name.due.milliseconds, "due time differs")
        }
        return name
    }
    if let fromBytes {
        check(Array(fromBytes.description.utf8) == bytes, "task file name prints back as \(fromBytes)")
    }
    let fromText = TaskFileName(text)
    if let fromText { check(fromText.description == text, "task file name prints back as \(fromText)") }
    if isUTF8 { check(fromText == fromBytes, "the two task file name parsers disagree") }

    if let worker = WorkerName(text) {
        check(worker.description == text, "worker name \(text) prints back as \(worker)")
    }
    _ = Spool.isDropName(text)
    if let day = Timestamp(dayFolder: text) {
        check(day.dayFolderName == text, "day folder prints back as \(day.dayFolderName)")
    }
    if bytes.count == 12,
        let minute = Timestamp(dayFolder: String(text.prefix(8)), minuteFolder: String(text.suffix(4)))
    {
        check(minute.dayFolderName + minute.minuteFolderName == text, "minute folder prints back differently")
    }
    if bytes.count == 10, let end = SpoolLayout.finishedFolderEnd(text) {
        let start = Timestamp(dayFolder: String(text.prefix(8)), minuteFolder: String(text.suffix(2)) + "00")
        check(start?.hourFolderName == text, "finished hour folder prints back as \(String(describing: start))")
        check(start.map { $0 < end } == true, "finished hour folder ends before it starts")
    }
    return 0
}
