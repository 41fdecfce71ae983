"""ledgerlink backend for Fortnox (REST API v3): bookkeeping and subledgers in, vouchers out.

The local emulator to develop and test against is a distribution of its own,
``ledgerlink-fortnox-emulator`` (the ``emulator`` extra); nothing here imports it.
"""
