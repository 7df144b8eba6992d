"""Batch normalisation of CSV files (see :mod:`resolver.batch.runner`)."""

from resolver.batch.report import BatchReport, write_todo
from resolver.batch.runner import BatchError, UndecodableInput, normalize_csv

__all__ = ["BatchError", "BatchReport", "UndecodableInput", "normalize_csv", "write_todo"]
