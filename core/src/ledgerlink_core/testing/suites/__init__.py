"""The kit's test groups, one module each; :class:`ledgerlink_core.testing.BackendConformance`
combines them."""
