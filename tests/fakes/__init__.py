"""In-process and subprocess fakes of external services, for tests and benchmarks."""
