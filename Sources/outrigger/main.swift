import Dispatch

/// The entry point, synchronous on purpose. An `async` main (`@main` on the command) gives the
/// main thread to `dispatch_main()`, which ends it with `pthread_exit`: a forced unwind of the
/// main thread's stack, whose binary search over the unwind tables (`.eh_frame_hdr`,
/// `.eh_frame`) left about 1 MB of them resident in every idle sidecar (docs/development.md,
/// Footprint). Here the command runs as a task on the global executor and the main thread
/// waits for it. Nothing in the sidecar runs on the main actor or the main dispatch queue,
/// which this thread no longer serves.
func runCommand() {
    let finished = DispatchSemaphore(value: 0)
    Task.detached {
        await OutriggerCommand.main()
        finished.signal()
    }
    finished.wait()
}

runCommand()
