import SystemPackage

/// Reads a file or a pipe one line at a time, holding one buffer and the current line, so that input of
/// any size streams through.
struct LineReader {
    private let descriptor: FileDescriptor
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false

    init(_ descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    /// The next line without its line feed (nor a carriage return before it); `nil` at the end.
    mutating func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var line = Array(buffer[start..<newline])
                start = newline + 1
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            if ended {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0) }
            if count == 0 { ended = true } else { buffer.append(contentsOf: chunk[..<count]) }
        }
    }
}
