import SpoolSystem
import SpoolTestSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Runs a suite on GlusterFS only when `SPOOL_CLUSTER_TESTS=1`, as `make test` sets: it needs root,
    /// glusterd (`Tests/cluster/gluster.sh` starts it when it is not running) and FUSE, and fails when it
    /// runs without them.
    static var clusterTests: Self {
        .enabled(
            if: LocalProcess.environment("SPOOL_CLUSTER_TESTS") == "1",
            "set SPOOL_CLUSTER_TESTS=1 (make test does): needs root, glusterfs-server, glusterfs-client and FUSE"
        )
    }
}

/// A GlusterFS volume of one brick on this machine, mounted once per host of a cluster test, set up and
/// taken down by `Tests/cluster/gluster.sh` (which sets the options that keep the mounts coherent).
///
/// The brick is a tmpfs: the test is about what the hosts see of each other's changes, which the brick's
/// own filesystem takes no part in, and a tmpfs spares the machine's disk the volume's flushes and the
/// deletion of its tens of thousands of files (a minute on a busy disk), and holds nothing once unmounted.
struct GlusterVolume: Sendable {
    /// The setup script.
    static let script =
        String(#filePath).split(separator: "/").dropLast(2).map { "/\($0)" }.joined() + "/cluster/gluster.sh"

    let name: String
    let brick: String
    /// The mount points, one per host.
    let mounts: [String]

    /// Creates, starts and mounts volume `name` with its brick and mounts in `folder`: `<folder>/brick` (a
    /// tmpfs) and `<folder>/<mount>` for each of `mountNames`. A volume of that name left by an earlier run
    /// is taken down first.
    ///
    /// - Throws: ``GlusterVolume/Failure`` with the script's output when it fails (no glusterd, no FUSE).
    init(_ name: String, in folder: String, mountNames: [String]) throws {
        self.name = name
        brick = "\(folder)/brick"
        mounts = mountNames.map { "\(folder)/\($0)" }
        try GlusterVolume.run(["up", "--tmpfs", name, brick] + mounts)
    }

    /// Copies what the brick holds but GlusterFS's own `.glusterfs/` folder to `path`: the volume's files,
    /// kept for a look after a failure.
    func copyFiles(to path: String) throws {
        let copy = try ChildProcess.run("/bin/cp", ["-a", "\(brick)/.", path])
        guard copy.status == 0 else { throw Failure(description: "cp -a \(brick)/. \(path): \(copy.error)") }
        SpoolFiles.removeTree("\(path)/.glusterfs")
    }

    /// Unmounts, stops and deletes the volume, and unmounts the brick with what it holds.
    func down() throws {
        try GlusterVolume.run(["down", name] + mounts)
    }

    /// The script failed; its standard error says why.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private static func run(_ arguments: [String]) throws {
        let result = try ChildProcess.run(script, arguments)
        guard result.status == 0 else {
            throw Failure(
                description: "gluster.sh \(arguments.joined(separator: " ")): \(result.error)\(result.output)"
            )
        }
    }
}
