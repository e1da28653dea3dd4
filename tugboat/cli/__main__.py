"""`tug`: lift the global flags to the front, run the Typer app, and turn every failure
into one line on stderr with a non-zero exit (never a traceback)."""

from __future__ import annotations

import os
import sys

from tugboat.cli.runner import run


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(sys.argv[1:] if argv is None else argv, os.environ))


if __name__ == "__main__":
    main()
