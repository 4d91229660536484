// libFuzzer target for `JSONParser.parse`. Built and run by `Tests/fuzz/run.sh`, not by SwiftPM.
import SpoolCore

/// Stops the run with `message` when `condition` is false. Unlike `precondition`, whose message an
/// optimized build drops, `fatalError` prints it, so the fuzzer's log says what failed.
private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

/// Any bytes give a value or a ``JSONParseError``, never a crash or a hang. A value survives
/// `JSONWriter.encode` and a second parse unchanged, compact and indented; an error points inside the
/// input and is one line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let value = try JSONParser.parse(bytes)
        let compact = JSONWriter.encode(value)
        for text in [compact, JSONWriter.encode(value, pretty: true)] {
            guard let again = try? JSONParser.parse(text) else {
                fatalError("written JSON does not parse: \(String(decoding: text, as: UTF8.self))")
            }
            check(again == value, "written JSON parses to another value")
            check(JSONWriter.encode(again) == compact, "writing is not a fixed point")
        }
    } catch {
        check((0...bytes.count).contains(error.offset), "error offset \(error.offset) outside the input")
        check(!error.message.isEmpty, "empty error message")
        check(!error.description.utf8.contains { $0 == 0x0A || $0 == 0x0D }, "error is not one line")
    }
    return 0
}
