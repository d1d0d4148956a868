"""call-insights: Kafka transcripts in, structured insights out."""

__version__ = "0.1.0"
