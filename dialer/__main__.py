"""`python -m dialer` is the `dialer` command."""

import sys

from dialer.cli import main

# Guarded: worker processes started with multiprocessing's "spawn" import this module again.
if __name__ == "__main__":
    sys.exit(main())
