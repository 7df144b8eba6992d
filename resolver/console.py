"""The ``resolver`` command's entry point, kept light.

Loading the command line (click, SQLAlchemy, the matcher) takes about a second.  The stop signals
are taken in hand first, so that Ctrl-C (or SIGTERM, SIGHUP) during that second ends the command
the way it does later, with click's "Aborted!" or the signal's exit status, never with a traceback
of the interrupted imports.
"""

from __future__ import annotations

import sys

from resolver.workers import install_stop_handlers

__all__ = ["main"]


def main() -> None:
    """Console-script entry point (see :func:`resolver.cli.main`)."""
    install_stop_handlers()
    try:
        from resolver.cli import main as run
    except KeyboardInterrupt:
        print("Aborted!", file=sys.stderr)  # what click prints for a Ctrl-C in a command
        sys.exit(1)
    run()
