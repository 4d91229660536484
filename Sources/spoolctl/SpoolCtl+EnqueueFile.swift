import ArgumentParser
import SpoolCore
import SystemPackage

extension SpoolCtl.Enqueue {
    /// Tasks enqueued per batch (one flush each) from a file of JSON Lines.
    static let batchSize = 1000

    /// Enqueues the tasks of `path` (`-`: standard input): one JSON object, or JSON Lines, one task per line,
    /// in batches. Prints each id as its batch is placed. A line that is not a valid task stops the run
    /// with its line number; the batches before it stay enqueued. A chain document is a task; a group
    /// document is enqueued on its own, after the tasks before it, and its id printed (with `json`, its
    /// receipt).
    func enqueueFile(_ path: String, into spool: Spool, json: Bool) throws {
        let input = try Self.open(path)
        defer { if path != "-" { try? input.close() } }
        let progress = Progress("enqueuing")
        if progress.isShown, path != "-", let counting = try? Self.open(path) {
            var lines = LineReader(counting)
            var total = 0
            while let line = try lines.next() { if line.contains(where: { $0 > 0x20 }) { total += 1 } }
            try? counting.close()
            progress.total = total
        }
        var reader = LineReader(input)
        var batch: [(line: Int, bytes: [UInt8])] = []
        var number = 0
        var enqueued = 0
        var groups = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            let ids: [String]
            do {
                ids = try spool.enqueue(documents: batch.map(\.bytes))
            } catch {
                throw Self.failure(error, batch: batch, enqueued: enqueued, groups: groups)
            }
            for id in ids {
                if json { Output.jsonLine(.object([JSONMember("id", .string(id))])) } else { Output.line(id) }
            }
            enqueued += ids.count
            progress.update(enqueued + groups)
            batch.removeAll(keepingCapacity: true)
        }
        while var line = try reader.next() {
            number += 1
            guard line.contains(where: { $0 > 0x20 }) else { continue }
            // A single task written over several lines (pretty-printed): the whole input is that task.
            if number == 1, line.first(where: { $0 > 0x20 }) == 0x7B, (try? JSONParser.parse(line)) == nil {
                while let more = try reader.next() { line += [0x0A] + more }
            }
            if Spool.isGroupDocument(line) {
                try flush()
                let receipt: GroupReceipt
                do {
                    receipt = try spool.enqueue(groupDocument: line)
                } catch {
                    throw Self.failure(error, batch: [], enqueued: enqueued, groups: groups, groupLine: number)
                }
                if json { Output.jsonLine(receipt.json) } else { Output.line(receipt.id) }
                groups += 1
                progress.update(enqueued + groups)
                continue
            }
            batch.append((number, line))
            if batch.count == Self.batchSize { try flush() }
        }
        try flush()
        progress.finish()
    }

    private static func open(_ path: String) throws -> FileDescriptor {
        if path == "-" { return .standardInput }
        do {
            return try FileDescriptor.open(path, .readOnly)
        } catch .noSuchFileOrDirectory {
            throw SpoolError(.notFound, "--file: \(path) does not exist")
        } catch {
            throw SpoolError(.io, "--file: cannot read \(path): \(error)")
        }
    }

    /// The error of a batch that failed, or of the group on `groupLine`, naming the line of the task or
    /// group at fault and what was enqueued before.
    private static func failure(
        _ error: SpoolError,
        batch: [(line: Int, bytes: [UInt8])],
        enqueued: Int,
        groups: Int,
        groupLine: Int? = nil
    ) -> SpoolError {
        var message = error.message
        // "task <n> of <count>: <reason>" names the task in the batch.
        if let groupLine {
            message = "line \(groupLine): \(message)"
        } else if message.hasPrefix("task "), let of = message.firstIndex(of: " "),
            let index = Int(message[message.index(after: of)...].prefix { $0.isNumber }),
            batch.indices.contains(index - 1),
            let colon = message.firstIndex(of: ":")
        {
            message = "line \(batch[index - 1].line)\(message[colon...])"
        }
        if enqueued > 0 || groups > 0 {
            let before = [(enqueued, "task"), (groups, "group")].filter { $0.0 > 0 }.map {
                "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")"
            }
            let place = groupLine == nil ? "its batch" : "it"
            let verb = enqueued + groups == 1 ? "is" : "are"
            message += " (the \(before.joined(separator: " and ")) before \(place) \(verb) enqueued)"
        }
        var failed = error
        failed.message = message
        return failed
    }
}
