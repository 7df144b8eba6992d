"""The ``resolver`` command line: a click group whose commands live in this package's modules.

Each command parses its arguments, opens resources, calls one library function and prints.
Library errors become a one-line message and exit status 1, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from resolver.errors import ResolverError
from resolver.resolve import Resolver
from resolver.settings import load_settings
from resolver.workers import install_stop_handlers

__all__ = ["cli", "db_option", "main", "open_resolver", "reports_errors"]

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db",
    metavar="DB",
    envvar="RESOLVER_DB",
    default=None,
    help="Store to use: a path or an SQLAlchemy URL (default: the bundled aliases.db, or $RESOLVER_DB).",
)


def open_resolver(db: str | None, *, create: bool = False, judging: bool = True) -> Resolver:
    """Open the store named on the command line (or the default one); a command that never
    resolves (``judging=False``: it only reads or writes the store) does not read the pair model."""
    return Resolver.open(db, settings=load_settings(), create=create, preload=judging)


def reports_errors(fn: F) -> F:
    """Turn library errors into a clean message on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            raise  # the reader went away (`resolver export | head`): click exits quietly
        except ResolverError as exc:
            raise click.ClickException(exc.message) from exc
        except (OSError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        except SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            raise click.ClickException(f"database error: {exc.__class__.__name__}: {detail}") from exc

    return wrapper  # type: ignore[return-value]


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the release and which build runs (pure Python or compiled, resolver.compiled)."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    from resolver.compiled import build_label

    click.echo(f"resolver, version {version('arabic-alias-resolver')} ({build_label()})")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and the build (pure Python or compiled), and exit.")
def cli() -> None:
    """Resolve Arabic- and Persian-derived names to canonical entity ids.

    Every command works on the bundled aliases.db unless --db or $RESOLVER_DB names another store.
    """


def main() -> None:
    """Console-script entry point.

    SIGTERM and SIGHUP end a command the way Ctrl-C does: by an exception that runs every
    cleanup on its way out (no half-written or hidden ``.part`` file is left behind), then exit
    status 128 + the signal number; bulk writes check again before they commit
    (:func:`resolver.workers.check_stop`).  ``resolver serve`` hands the signals to gunicorn.
    """
    install_stop_handlers()
    cli(prog_name="resolver")


# Commands register themselves on ``cli`` when their module is imported (one module per area).
from resolver.cli import annotate, batch, serve, sources, store_commands  # noqa: E402,F401
