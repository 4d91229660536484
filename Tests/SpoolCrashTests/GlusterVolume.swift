import SpoolTestSupport

/// A GlusterFS volume of one brick on this machine, mounted once per host of a cluster test, set up and
/// taken down by `Tests/cluster/gluster.sh` (which sets the options that keep the mounts coherent).
struct GlusterVolume: Sendable {
    /// The setup script.
    static let script =
        String(#filePath).split(separator: "/").dropLast(2).map { "/\($0)" }.joined() + "/cluster/gluster.sh"

    let name: String
    let brick: String
    /// The mount points, one per host.
    let mounts: [String]

    /// Creates, starts and mounts volume `name` with its brick and mounts in `folder`: `<folder>/brick` and
    /// `<folder>/<mount>` for each of `mountNames`. A volume of that name left by an earlier run is taken
    /// down first.
    ///
    /// - Throws: ``GlusterVolume/Failure`` with the script's output when it fails (no glusterd, no FUSE).
    init(_ name: String, in folder: String, mountNames: [String]) throws {
        self.name = name
        brick = "\(folder)/brick"
        mounts = mountNames.map { "\(folder)/\($0)" }
        try GlusterVolume.run(["up", name, brick] + mounts)
    }

    /// Unmounts, stops and deletes the volume; the brick stays, for a look after a failure.
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
