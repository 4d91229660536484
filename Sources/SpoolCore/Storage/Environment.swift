import SpoolSystem

/// The process environment.
public enum Environment {
    /// The value of the environment variable `name`, if set and not empty.
    public static func value(_ name: String) -> String? {
        LocalProcess.environment(name)
    }
}
