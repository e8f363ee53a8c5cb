"""`python -m apicsim` is the `apicsim` command."""

import sys

from .cli import main

sys.exit(main())
