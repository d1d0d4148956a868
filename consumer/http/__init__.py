"""The HTTP sidecar: app factory, analyze, read API, operations endpoints, access control, documents."""
