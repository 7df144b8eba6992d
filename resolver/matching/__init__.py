"""Matching: text to keys (normalize), candidate retrieval (index), word similarity (word_similarity),
name scoring (scoring), place words (places).

Import the modules themselves (``resolver.matching.normalize``); this package re-exports nothing, so
that the store can use the normaliser without loading the index.
"""
