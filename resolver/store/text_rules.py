"""What text a name or alias may hold: checked once, in the store, so every way in (CLI, API, import) gets it.

A control character (NUL, tab, line breaks, escape, the C1 range) or an unpaired surrogate in a
name is never a spelling anyone meant: it comes from a broken export or an attack, it cannot be
shown or typed back, and a NUL would even match (the normaliser drops it).  Such text is refused.
"""

from __future__ import annotations

import re

from resolver.errors import InvalidQuery

__all__ = ["FORBIDDEN_CHARACTERS", "check_text"]

#: Unicode category Cc (C0 and C1 controls, DEL) and lone surrogates, as a character class
FORBIDDEN_CHARACTERS = "\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff"
_FORBIDDEN = re.compile(f"[{FORBIDDEN_CHARACTERS}]")


def check_text(value: str, what: str = "an alias") -> str:
    """Return ``value`` unchanged, or refuse it when it holds a control character.

    Raises:
        InvalidQuery: the text holds a control character or an unpaired surrogate; the message says
            which one and where (1-based), without echoing the rest.
    """
    found = _FORBIDDEN.search(value)
    if found is not None:
        raise InvalidQuery(f"{what} may not hold control characters; found U+{ord(found.group()):04X} "
                           f"at character {found.start() + 1}")
    return value
