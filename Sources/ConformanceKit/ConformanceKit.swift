// The conformance suite.
