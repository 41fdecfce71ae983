"""ledgerlink backend for Jsonbooks."""
