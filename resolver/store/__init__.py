"""Storage: tables (models), engines and schema (db), reads and writes (store), bundle build and CSV I/O.

Import the modules themselves (``resolver.store.store``); this package re-exports nothing.
"""
