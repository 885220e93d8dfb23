#!/usr/bin/env python3
"""The release pipeline: `python build.py` (same as `calckg build`)."""

import sys

from calckg.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
