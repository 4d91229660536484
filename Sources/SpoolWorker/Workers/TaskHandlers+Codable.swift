import FoundationEssentials
import SpoolCore

extension TaskHandlers {
    /// Registers a handler for tasks of `type` whose payload decodes as `Payload`; what it returns is
    /// encoded as the task's result, its object keys sorted.
    ///
    /// A payload that does not decode fails the task permanently: no retry would change it.
    public mutating func register<Payload: Decodable & SendableMetatype, Output: Encodable & SendableMetatype>(
        _ type: String,
        as payloadType: Payload.Type,
        _ handler: @escaping @Sendable (TaskContext, Payload) async throws -> Output
    ) {
        register(type) { context in
            let output = try await handler(context, try decode(Payload.self, from: context))
            return try encode(output)
        }
    }

    /// Registers a handler for tasks of `type` whose payload decodes as `Payload`, with no result.
    public mutating func register<Payload: Decodable & SendableMetatype>(
        _ type: String,
        as payloadType: Payload.Type,
        _ handler: @escaping @Sendable (TaskContext, Payload) async throws -> Void
    ) {
        register(type) { context in
            try await handler(context, try decode(Payload.self, from: context))
            return nil
        }
    }
}

private func decode<Payload: Decodable>(_ type: Payload.Type, from context: TaskContext) throws -> Payload {
    do {
        return try JSONDecoder().decode(type, from: Data(JSONWriter.encode(context.payload)))
    } catch {
        throw HandlerFailure.permanent("payload does not decode as \(type): \(error)")
    }
}

/// Encodes with sorted keys: the same result is always stored the same way.
private func encode<Output: Encodable>(_ output: Output) throws -> JSONValue? {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let bytes = try encoder.encode(output)
    do {
        return try JSONParser.parse(Array(bytes))
    } catch {
        throw HandlerFailure.permanent("result does not encode as JSON: \(error)")
    }
}
