// Every module that speaks of components also needs the seam they are built on (backoff,
// consumer driver, supervisor, clock); importing OutriggerCore brings it along.
@_exported import OutriggerSeam
