// The daemon: configuration, run modes and the HTTP API.
