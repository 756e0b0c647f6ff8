import sys

from webstack_tools.diagram.cli import main

sys.exit(main())
