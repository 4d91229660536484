// libFuzzer target for the task decoder, `TaskRecord.parse`. Built and run by `Tests/fuzz/run.sh`, not by
// SwiftPM.
import SpoolCore

/// The fixed acceptance time: `delay` and the defaults ingest fills in depend on it.
private let now = Timestamp(milliseconds: 1_795_255_230_000)

/// What a rejection reason may start with: FORMAT.md section 3, "Validation", and the one field of a chain
/// document (section 9).
private let reasonPrefixes =
    ["invalid JSON: ", "not a JSON object", "chain: "] + TaskRecord.knownFields.sorted().map { "\($0): " }

/// Stops the run with `message` when `condition` is false. Unlike `precondition`, whose message an
/// optimized build drops, `fatalError` prints it, so the fuzzer's log says what failed.
private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

/// Any bytes give a record or a one-line reason that names the field (or says the JSON is bad), never a
/// crash or a hang. An accepted record, completed as FORMAT.md says ingest completes it, is written in
/// normal form with `.encoded`; that form parses back to the same record and is a fixed point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTaskRecord(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var record: TaskRecord
    do {
        record = try TaskRecord.parse(bytes, now: now) { "fuzz-generated-id" }
    } catch {
        let reason = error.reason
        check(reasonPrefixes.contains { reason.hasPrefix($0) }, "reason names no field: \(reason)")
        check(!reason.utf8.contains { $0 == 0x0A || $0 == 0x0D }, "reason is not one line: \(reason)")
        check(reason.utf8.count <= 1024, "reason is \(reason.utf8.count) bytes long")
        return 0
    }
    // As FORMAT.md section 7 says ingest completes a drop: `created_at` and `run_at` default to the
    // acceptance time.
    if record.createdAt == nil { record.createdAt = now }
    if record.runAt == nil { record.runAt = now }
    let normal = record.encoded
    let again: TaskRecord
    do {
        again = try TaskRecord.parse(normal, now: now) { "unexpected-generated-id" }
    } catch {
        fatalError("normal form refused (\(error.reason)): \(String(decoding: normal, as: UTF8.self))")
    }
    check(
        again == record,
        "normal form reads back as another record: \(String(decoding: normal, as: UTF8.self))"
    )
    check(again.encoded == normal, "normal form is not a fixed point")
    return 0
}
