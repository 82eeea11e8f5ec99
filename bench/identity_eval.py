"""Print identity quality on the evaluation set: merges, suggestions, region inference.

The figures are those `tests/unit/test_identity_quality.py` asserts on, with every failing pair
listed, to be recorded in docs/identity.md. Run from the repository root:
`.venv/bin/python bench/identity_eval.py`.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.test_identity_quality import LabelledPair, evaluate_pairs, evaluate_regions


def show(title: str, pairs: list[LabelledPair]) -> None:
    print(f"\n{title}: {len(pairs)}")
    for pair in pairs:
        print(f"  [{pair.kind}] {pair.name_a!r} / {pair.name_b!r}")


def main() -> int:
    started = time.perf_counter()
    figures = evaluate_pairs()
    right_suggestions = len(figures.suggested) - len(figures.wrong_suggestions)
    print(f"pairs: {figures.pairs} ({figures.same_pairs} same, {figures.pairs - figures.same_pairs} different)")
    print(f"automatic merges (equal match keys): {len(figures.merged)}; wrong {len(figures.wrong_merges)}; "
          f"precision {figures.merge_precision:.3f}")
    print(f"suggested (keys differ): {len(figures.suggested)}; TP {right_suggestions}, "
          f"FP {len(figures.wrong_suggestions)}; precision {figures.suggestion_precision:.3f}")
    print(f"same pairs found (merged or suggested): recall {figures.recall:.3f}; FN {len(figures.missed)}")
    found_kinds = Counter(pair.kind for pair in figures.merged + figures.suggested if pair.same)
    all_kinds = Counter(pair.kind for pair in figures.missed) + found_kinds
    print("recall by kind: " + ", ".join(f"{kind} {found_kinds[kind]}/{all_kinds[kind]}" for kind in sorted(all_kinds)))
    show("wrong merges", figures.wrong_merges)
    show("wrong suggestions (FP)", figures.wrong_suggestions)
    show("missed (FN)", figures.missed)

    regions = evaluate_regions()
    print(f"\nregions: {regions.placed} names name a region; {regions.claims} given one, {regions.right} right; "
          f"precision {regions.precision:.3f}, recall {regions.recall:.3f}")
    for name, label, inferred in regions.wrong:
        print(f"  {name!r}: labelled {label or '(none)'}, inferred {inferred}")
    print(f"\n{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
