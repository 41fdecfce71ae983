"""pytest plugin of the conformance kit, registered through the ``pytest11`` entry point."""
