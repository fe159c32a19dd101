"""``python -m store``: the store's commands (``tension store``), kept under their old name.

An entry point, not part of the store: it sits with the command line above ``store``
(``tests/test_layers.py`` treats every ``__main__`` module so).
"""
import sys

from tension_cli.store import main

sys.exit(main())
