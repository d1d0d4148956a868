"""Kafka: client options (TLS/SASL), the stream processor, offsets and dead letters."""
