import OutriggerSeam

/// Every blocking libpq call of one connection runs on a ``DedicatedThread``, so a slow query
/// occupies that thread and never one of Swift's cooperative pool; a pooled connection is
/// leased to one caller at a time, so its queue holds at most a couple of jobs.
typealias WorkerThread = DedicatedThread
