"""`python -m caremap …` entry point."""

import sys

from caremap.cli import main

sys.exit(main())
