"""``python -m webstack_tools <command>``: see :mod:`webstack_tools.cli`."""

import sys

from webstack_tools.cli import main

sys.exit(main())
