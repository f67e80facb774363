"""``python -m newscrawl``: the ``newscrawl`` command (see :mod:`newscrawl.cli`)."""

import sys

from newscrawl.cli import main

# Guarded: a crawl's page-reading workers, started by multiprocessing, import the main module.
if __name__ == "__main__":
    sys.exit(main())
