// Handlers that run a task outside the process.
