"""``python -m ledgerlink_cli``: the same as the ``ledgerlink`` command."""

from ledgerlink_cli.main import main

main()
