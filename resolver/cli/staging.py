"""Outputs written whole or not at all: a CLI command stages each output file and commits them together."""

from __future__ import annotations

import io
import os
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["Staged", "staged"]


class Staged:
    """An output written to a temporary file and put in place only by :meth:`commit`.

    A file target gets a hidden temporary file in its own directory, renamed over it at the end,
    so a crash or Ctrl-C never leaves a half-written file there.  Standard output gets a temporary
    file copied to it at the end, so a failed run prints no partial CSV either.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self._path: Path | None = None
        if target == "-":
            raw: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by commit or discard)
        else:
            path = Path(target)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
            self._path = Path(name)
            raw = os.fdopen(fd, "w+b")
        self.text = io.TextIOWrapper(raw, encoding="utf-8", newline="")

    def commit(self) -> None:
        self.text.flush()
        raw = self.text.buffer
        if self._path is None:
            raw.seek(0)
            stdout = sys.stdout.buffer  # (click.get_binary_stream is deprecated in Click 8.5)
            shutil.copyfileobj(raw, stdout)
            stdout.flush()
            self.text.close()
            return
        target = Path(self.target)
        os.chmod(self._path, _mode_for(target))
        self.text.close()
        os.replace(self._path, target)
        self._path = None

    def discard(self) -> None:
        self.text.close()
        if self._path is not None:
            self._path.unlink(missing_ok=True)


def _mode_for(target: Path) -> int:
    """Keep the permissions of the file replaced; a new file gets the usual ones (mkstemp's are 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


_HELD = {signal.SIGTERM, signal.SIGHUP, signal.SIGINT}


@contextmanager
def staged(*targets: str | None) -> Iterator[list[Staged | None]]:
    """Stage every output; commit them all if the block succeeds, else remove every one."""
    outputs: list[Staged | None] = []
    try:
        for target in targets:
            # A signal between creating the hidden file and recording it here would leave it behind:
            # hold SIGTERM, SIGHUP and SIGINT for those few instructions; they arrive right after.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
            try:
                outputs.append(Staged(target) if target is not None else None)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        yield outputs
        for out in outputs:
            if out is not None:
                out.commit()
    except BaseException:
        for out in outputs:
            if out is not None:
                out.discard()
        raise
