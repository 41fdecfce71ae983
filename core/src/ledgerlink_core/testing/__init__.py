"""The conformance kit for backend authors (see docs/writing-a-backend.md)."""
