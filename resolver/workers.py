"""Worker processes for the commands' process pools: spawned, and deaf to Ctrl-C.

Ctrl-C in a terminal sends SIGINT to the whole foreground process group.  The command itself
reacts (it stops its pool, leaves nothing half-written, exits with a message); a worker that also
received it would die with a ``KeyboardInterrupt`` traceback of its own on the user's terminal,
often while it is still importing modules, before any initializer could ignore the signal.  So a
worker is started with SIGINT blocked: the signal mask is inherited across the spawn, and the
blocked signal is never delivered to the worker.

The parent holds Ctrl-C back (:func:`ctrl_c_held`) while it hands a pool a task, which may start a
worker: a Ctrl-C that arrives meanwhile is delivered right after, once the pool knows its new
process and so waits for it when the command stops (a worker left starting after its parent had
gone would fail with a traceback of its own).
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import SpawnContext, SpawnProcess

__all__ = ["check_stop", "ctrl_c_held", "install_stop_handlers", "worker_context"]


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C back for the block: one that arrives meanwhile is raised right after it.

    Both halves are needed: SIGINT blocked in this thread, so a process started here inherits it
    blocked; and, in the main thread, Python's handler set aside, since the signal may reach the
    process through another thread (the handler then still runs in the main thread).
    """
    caught: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum)) if main else None
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if main:
            signal.signal(signal.SIGINT, previous)
            if caught:
                signal.raise_signal(signal.SIGINT)


#: the signals that asked this process to stop, as received (only with :func:`install_stop_handlers`)
_STOPS: list[int] = []


def _stop(signum: int, _frame: object) -> None:
    _STOPS.append(signum)
    _raise_for(signum)


def _raise_for(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def install_stop_handlers() -> None:
    """Ctrl-C, SIGTERM and SIGHUP end a command by an exception that runs every cleanup on its way
    out (KeyboardInterrupt for Ctrl-C; SystemExit with status 128 + the signal number for the
    others), and the signal is remembered for :func:`check_stop`."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)


def check_stop() -> None:
    """Raise again the exception of a stop signal this process received.

    Python runs a signal's handler between any two bytecodes of the main thread, also inside a
    finaliser (``__del__``, a weakref callback), where an exception is printed and swallowed: the
    work would go on and commit.  Bulk writes call this at every batch and before they return, so
    a stop that was swallowed still stops them before anything is committed."""
    if _STOPS:
        _raise_for(_STOPS[-1])


class _Process(SpawnProcess):
    def start(self) -> None:
        with ctrl_c_held():
            super().start()


class _Context(SpawnContext):
    Process = _Process


def worker_context() -> multiprocessing.context.BaseContext:
    """The ``mp_context`` of a command's ProcessPoolExecutor: spawn (a forked child would inherit
    the parent's database connections and locks), with Ctrl-C blocked in the workers."""
    return _Context()
