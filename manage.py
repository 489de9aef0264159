#!/usr/bin/env python
"""Django's command-line utility; the installed `forandra` script does the same."""

from forandra.cli import main

if __name__ == "__main__":
    main()
