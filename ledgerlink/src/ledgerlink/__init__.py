"""ledgerlink: the ``ledgerlink`` command with its two built-in backends, ``fortnox`` and
``sie_file``.

This distribution holds no code of its own beyond ``python -m ledgerlink``: it installs
``ledgerlink-cli``, ``ledgerlink-core``, ``ledgerlink-fortnox`` and ``ledgerlink-sie-file`` at
the same version. Applications import ``ledgerlink_core``; backends and plugins too.
"""
