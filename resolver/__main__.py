"""``python -m resolver``: the same as the ``resolver`` command."""

from resolver.console import main

main()
