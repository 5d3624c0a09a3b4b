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
/// An attempt that is cancelled (its time limit, or the drain) stops waiting at once, whether
/// its batch is still filling or already at the app; a batch whose every entry stopped waiting
/// is cancelled too, so nothing outlives `--drain-timeout`.
final class BulkAggregator: Sendable {
    private struct Filling {
        var entries: [(entryID: String, event: AppEvent)] = []
        var generation = 0
    }

    private struct Flush {
        var task: Task<Void, Never>?
        var waiting: Set<String>
    }

    private struct State {
        var filling: [String: Filling] = [:]
        /// Every entry whose attempt still waits for an answer.
        var waiting: [String: CheckedContinuation<AppAnswer, Never>] = [:]
        var flushes: [UInt64: Flush] = [:]
        var flushOf: [String: UInt64] = [:]
        var nextID: UInt64 = 0
    }

    let options: SubscriptionSpec.BulkOptions
    private let clock: AnyClock
    private let state = Mutex(State())

    init(options: SubscriptionSpec.BulkOptions, clock: AnyClock = .continuous) {
        self.options = options
        self.clock = clock
    }

    /// Adds `event` to the batch for its path and waits for the app's answer about it.
    func submit(_ event: AppEvent, via channel: any AppChannel) async -> AppAnswer {
        let entryID = state.withLock { state -> String in
            state.nextID += 1
            return String(state.nextID)
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                enum Next { case flush([(String, AppEvent)]), startTimer(Int), wait, cancelled }
                let next = state.withLock { state -> Next in
                    if Task.isCancelled { return .cancelled }
                    state.waiting[entryID] = continuation
                    var batch = state.filling[event.path, default: Filling()]
                    batch.entries.append((entryID, event))
                    if batch.entries.count >= options.maxMessagesCount {
                        state.filling[event.path] = Filling(generation: batch.generation + 1)
                        return .flush(batch.entries)
                    }
                    state.filling[event.path] = batch
                    return batch.entries.count == 1 ? .startTimer(batch.generation) : .wait
                }
                switch next {
                case .flush(let entries):
                    startFlush(entries, path: event.path, via: channel)
                case .startTimer(let generation):
                    Task {
                        try? await self.clock.sleep(for: self.options.maxAwaitDuration)
                        self.flushIfCurrent(path: event.path, generation: generation, via: channel)
                    }
                case .wait:
                    break
                case .cancelled:
                    continuation.resume(returning: .retry("cancelled while waiting for its batch"))
                }
            }
        } onCancel: {
            self.abandon(entryID, path: event.path)
        }
    }

    /// Stops waiting for `entryID`: it leaves a filling batch, or its flush loses a waiter (and
    /// is cancelled when it was the last).
    private func abandon(_ entryID: String, path: String) {
        let (continuation, orphaned) = state.withLock { state -> (CheckedContinuation<AppAnswer, Never>?, Task<Void, Never>?) in
            state.filling[path]?.entries.removeAll { $0.entryID == entryID }
            guard let continuation = state.waiting.removeValue(forKey: entryID) else { return (nil, nil) }
            guard let flushID = state.flushOf.removeValue(forKey: entryID) else { return (continuation, nil) }
            state.flushes[flushID]?.waiting.remove(entryID)
            guard state.flushes[flushID]?.waiting.isEmpty == true else { return (continuation, nil) }
            return (continuation, state.flushes.removeValue(forKey: flushID)?.task)
        }
        continuation?.resume(returning: .retry("cancelled while its batch was at the app"))
        orphaned?.cancel()
    }

    private func flushIfCurrent(path: String, generation: Int, via channel: any AppChannel) {
        let entries = state.withLock { state -> [(String, AppEvent)]? in
            guard let batch = state.filling[path], batch.generation == generation, !batch.entries.isEmpty else { return nil }
            state.filling[path] = Filling(generation: generation + 1)
            return batch.entries
        }
        if let entries { startFlush(entries, path: path, via: channel) }
    }

    private func startFlush(_ entries: [(String, AppEvent)], path: String, via channel: any AppChannel) {
        state.withLock { state in
            state.nextID += 1
            let flushID = state.nextID
            let waiting = Set(entries.map(\.0).filter { state.waiting[$0] != nil })
            guard !waiting.isEmpty else { return }
            for entryID in waiting { state.flushOf[entryID] = flushID }
            state.flushes[flushID] = Flush(task: Task { await self.flush(entries, path: path, id: flushID, via: channel) }, waiting: waiting)
        }
    }

    private func flush(_ entries: [(String, AppEvent)], path: String, id: UInt64, via channel: any AppChannel) async {
        let first = entries[0].1
        let batch = AppBulkEvent(
            path: path, topic: first.topic, pubsubName: first.pubsubName,
            entries: entries.map { AppBulkEvent.Entry(entryID: $0.0, event: $0.1.event, body: $0.1.body) })
        let answers: [String: AppAnswer]
        do {
            answers = try await channel.deliverBulk(batch)
        } catch {
            answers = Dictionary(uniqueKeysWithValues: entries.map { ($0.0, AppAnswer.retry("\(error)")) })
        }
        let resumed = state.withLock { state -> [(CheckedContinuation<AppAnswer, Never>, AppAnswer)] in
            state.flushes[id] = nil
            return entries.compactMap { entryID, _ in
                state.flushOf[entryID] = nil
                guard let continuation = state.waiting.removeValue(forKey: entryID) else { return nil }
                return (continuation, answers[entryID] ?? .retry("the app's bulk answer has no status for entry \(entryID)"))
            }
        }
        for (continuation, answer) in resumed { continuation.resume(returning: answer) }
    }
}
