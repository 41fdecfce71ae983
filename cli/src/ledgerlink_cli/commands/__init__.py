"""One module per core command."""
