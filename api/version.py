"""The installed package's version, for the OpenAPI document and the reconciliation manifest."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["package_version"]


def package_version() -> str:
    try:
        return version("arabic-alias-resolver")
    except PackageNotFoundError:
        return "0+unknown"
