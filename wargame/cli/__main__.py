"""`python -m wargame.cli [command] ...`, the same as `python run.py`."""

import sys

from wargame.cli import main

sys.exit(main())
