"""ledgerlink core: canonical model, backend contract, hooks, SIE codec."""
