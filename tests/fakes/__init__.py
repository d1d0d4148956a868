"""In-memory stand-ins for the service's parts, for unit tests: a Kafka consumer and dead-letter
publisher, the insight store, and the pipeline the sidecar drives. Integration tests use the real
broker and database instead."""
