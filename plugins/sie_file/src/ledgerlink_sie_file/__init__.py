"""ledgerlink backend for SIE files on disk."""
