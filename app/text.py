"""Text folding shared by the pure modules (names, regions, sectors, similarity).

Kept apart so that `app.names` can use `app.regions` and the reverse without an import cycle.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase, strip accents and compatibility forms: 'Aquí Cabemos' -> 'aqui cabemos'."""
    if text.isascii():  # why: most words are, and for them this is all folding does
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return without_marks.casefold()
