"""Entity mentions in running text (see :mod:`resolver.annotate.annotator`)."""

from resolver.annotate.annotator import Annotator, Mention, annotate_text

__all__ = ["Annotator", "Mention", "annotate_text"]
