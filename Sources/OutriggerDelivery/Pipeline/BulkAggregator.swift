import CloudEvents
import OutriggerCore
import Synchronization

/// Gathers the events of a bulk subscription into batches for the app: a batch leaves when it
/// holds `maxMessagesCount` events or `maxAwaitDuration` after its first event, whichever comes
/// first. The timer starts with the first event after each flush, so a count-triggered flush is
/// never followed by a stray partial batch.
///
/// Each event's delivery attempt waits here for its own entry's answer, so retries, dead letters
/// and drops stay the pipeline's single-event rules: a retried event simply joins a later batch.
final class BulkAggregator: Sendable {
    private struct Entry {
        var entryID: String
        var event: AppEvent
        var continuation: CheckedContinuation<AppAnswer, Never>
    }

    private struct Batch {
        var entries: [Entry] = []
        var generation = 0
    }

    let options: SubscriptionSpec.BulkOptions
    private let batches = Mutex<[String: Batch]>([:])
    private let nextEntry = Mutex<UInt64>(0)

    init(options: SubscriptionSpec.BulkOptions) {
        self.options = options
    }

    /// Adds `event` to the batch for its path and waits for the app's answer about it.
    func submit(_ event: AppEvent, via channel: any AppChannel) async -> AppAnswer {
        let entryID = nextEntry.withLock { id -> String in
            id += 1
            return String(id)
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let (full, startTimer) = batches.withLock { batches -> ([Entry]?, Int?) in
                    var batch = batches[event.path, default: Batch()]
                    batch.entries.append(Entry(entryID: entryID, event: event, continuation: continuation))
                    if batch.entries.count >= options.maxMessagesCount {
                        let entries = batch.entries
                        batches[event.path] = Batch(generation: batch.generation + 1)
                        return (entries, nil)
                    }
                    batches[event.path] = batch
                    return (nil, batch.entries.count == 1 ? batch.generation : nil)
                }
                if let full {
                    Task { await self.flush(full, path: event.path, via: channel) }
                } else if let generation = startTimer {
                    Task {
                        try? await Task.sleep(for: self.options.maxAwaitDuration)
                        self.flushIfCurrent(path: event.path, generation: generation, via: channel)
                    }
                }
            }
        } onCancel: {
            let waiting = batches.withLock { batches -> Entry? in
                guard let index = batches[event.path]?.entries.firstIndex(where: { $0.entryID == entryID }) else { return nil }
                return batches[event.path]?.entries.remove(at: index)
            }
            waiting?.continuation.resume(returning: .retry("cancelled while waiting for its batch"))
        }
    }

    private func flushIfCurrent(path: String, generation: Int, via channel: any AppChannel) {
        let entries = batches.withLock { batches -> [Entry]? in
            guard let batch = batches[path], batch.generation == generation, !batch.entries.isEmpty else { return nil }
            batches[path] = Batch(generation: generation + 1)
            return batch.entries
        }
        if let entries { Task { await self.flush(entries, path: path, via: channel) } }
    }

    private func flush(_ entries: [Entry], path: String, via channel: any AppChannel) async {
        let first = entries[0].event
        let batch = AppBulkEvent(
            path: path, topic: first.topic, pubsubName: first.pubsubName,
            entries: entries.map { AppBulkEvent.Entry(entryID: $0.entryID, event: $0.event.event, body: $0.event.body) })
        let answers: [String: AppAnswer]
        do {
            answers = try await channel.deliverBulk(batch)
        } catch {
            for entry in entries { entry.continuation.resume(returning: .retry("\(error)")) }
            return
        }
        for entry in entries {
            entry.continuation.resume(returning: answers[entry.entryID] ?? .retry("the app's bulk answer has no status for entry \(entry.entryID)"))
        }
    }
}
