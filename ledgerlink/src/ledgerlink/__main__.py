"""``python -m ledgerlink``: the same as the ``ledgerlink`` command."""

from ledgerlink_cli.main import main

main()
