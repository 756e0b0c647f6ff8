"""webstack's developer tools behind the Makefile: one command line with subcommands.

    python -m webstack_tools --help        # or the console script webstack-dev

Development only; never part of the product wheel.
"""
