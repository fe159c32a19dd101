"""``python -m tension_cli``: the ``tension`` command."""
import sys

from .main import main

sys.exit(main())
