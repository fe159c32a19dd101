"""``python -m scoring``: the ``tension`` command (``tension_cli``), kept under its old name.

An entry point, not part of the engine: it sits with the command line above ``scoring``
(``tests/test_layers.py`` treats every ``__main__`` module so).
"""
import sys

from tension_cli.main import main

sys.exit(main(prog="python -m scoring"))
