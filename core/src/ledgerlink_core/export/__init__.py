"""The export pipeline: vouchers into a backend exactly once.

* :mod:`~ledgerlink_core.export.refs`: the stable external reference of a voucher;
* :mod:`~ledgerlink_core.export.inputs`: reading push input (SIE or JSON) and attachments;
* :mod:`~ledgerlink_core.export.validate`: every problem before any write;
* :mod:`~ledgerlink_core.export.journal`: the durable SQLite export journal;
* :mod:`~ledgerlink_core.export.engine`: the exactly-once state machine backends drive;
* :mod:`~ledgerlink_core.export.pipeline`: ``ledgerlink push`` as a function.
"""
