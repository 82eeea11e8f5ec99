"""Text folding shared by the pure modules (names, regions, sectors, similarity).

Kept apart so that `app.identity.names` can use `app.identity.regions` and the reverse without an import cycle.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata


def _combining_marks() -> re.Pattern[str]:
    """A character class of every code point with a non-zero combining class."""
    ranges: list[str] = []
    start = None
    for code in range(sys.maxunicode + 2):
        marked = code <= sys.maxunicode and unicodedata.combining(chr(code)) != 0
        if marked and start is None:
            start = code
        elif not marked and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return re.compile(f"[{''.join(ranges)}]+")


# why: one regular-expression pass drops marks several times faster than testing each character
# in Python, which was a tenth of an import's time.
_MARKS = _combining_marks()


def fold(text: str) -> str:
    """Lowercase, strip accents and compatibility forms: 'Aquí Cabemos' -> 'aqui cabemos'."""
    if text.isascii():  # why: most words are, and for them this is all folding does
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


# why: the same few thousand words recur in every name, and folding is most of the work per word
fold_word = functools.lru_cache(maxsize=1 << 16)(fold)
