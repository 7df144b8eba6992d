"""External lists (sources) loaded into the store and kept in sync with their newer exports.

``record`` holds the shape every reader yields, ``ftm`` and ``ofac`` read the two formats,
``sync`` applies one export of a named source to the store in one transaction, and ``xref``
proposes merges between entities of different sources.  Import the modules themselves.
"""
