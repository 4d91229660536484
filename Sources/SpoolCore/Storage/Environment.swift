import SpoolSystem

/// The process environment.
public enum Environment {
    /// The value of the environment variable `name`, if set and not empty.
    public static func value(_ name: String) -> String? {
        LocalProcess.environment(name)
    }

    /// Sets the environment variable `name` to `value` for this process and the processes it starts.
    public static func set(_ name: String, to value: String) {
        LocalProcess.setEnvironment(name, to: value)
    }
}
