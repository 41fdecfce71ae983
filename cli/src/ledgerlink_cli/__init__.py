"""The ledgerlink command line."""
