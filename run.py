#!/usr/bin/env python3
"""Entry point: `python run.py [command]`. See `python run.py --help`."""

import sys

from wargame.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
