import SpoolSystem
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// `spoold` from the same build folder, started on a spool for a measurement.
struct DaemonProcess {
    let pid: pid_t

    init(root: String) throws {
        let folder = CommandLine.arguments[0].split(separator: "/").dropLast().map { "/\($0)" }.joined()
        let program = (CommandLine.arguments[0].hasPrefix("/") ? "" : ".") + folder + "/spoold"
        var child = pid_t()
        let arguments: [String] = [program, "--spool", root, "--log-level", "warning"]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&child, program, nil, nil, argv, environ)
        guard result == 0 else { throw Errno(rawValue: result) }
        pid = child
    }

    /// VmRSS from `/proc/<pid>/status`, in kB.
    func residentKilobytes() -> Int? {
        guard let file = try? FileDescriptor.open("/proc/\(pid)/status", .readOnly),
            let content = file.closeAfter({ try? $0.readAll(limit: 65536).bytes })
        else { return nil }
        let text = String(decoding: content, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
