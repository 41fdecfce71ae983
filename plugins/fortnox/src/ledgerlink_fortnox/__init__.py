"""ledgerlink backend for Fortnox (REST API v3), with a local emulator."""
