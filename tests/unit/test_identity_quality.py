"""Identity quality on the evaluation set: automatic merges, suggestions and region inference.

`tests/data/identity_pairs.csv` labels pairs of printed names (the seed's, and variants and near
misses of them) as the same organization or not; `tests/data/region_labels.csv` gives the region
each name names. `evaluate_pairs` and `evaluate_regions` are also what `bench/identity_eval.py`
prints.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from app.identity.names import match_key
from app.identity.regions import infer_region
from app.identity.similarity import OrgRecord, suggest

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = Path(__file__).resolve().parents[2] / "seed" / "2021-11-joint-statement-icc-criminalization.csv"
SEED_STATEMENT = 1


@dataclass(frozen=True, slots=True)
class LabelledPair:
    name_a: str
    name_b: str
    same: bool
    kind: str
    note: str


@dataclass
class PairFigures:
    pairs: int = 0
    same_pairs: int = 0
    merged: list[LabelledPair] = field(default_factory=list)  # equal match keys
    suggested: list[LabelledPair] = field(default_factory=list)  # suggested, keys differing
    missed: list[LabelledPair] = field(default_factory=list)  # same, neither merged nor suggested

    @property
    def merge_precision(self) -> float:
        return _share(sum(pair.same for pair in self.merged), len(self.merged))

    @property
    def recall(self) -> float:
        found = sum(pair.same for pair in self.merged + self.suggested)
        return _share(found, self.same_pairs)

    @property
    def suggestion_precision(self) -> float:
        return _share(sum(pair.same for pair in self.suggested), len(self.suggested))

    @property
    def wrong_merges(self) -> list[LabelledPair]:
        return [pair for pair in self.merged if not pair.same]

    @property
    def wrong_suggestions(self) -> list[LabelledPair]:
        return [pair for pair in self.suggested if not pair.same]


@dataclass
class RegionFigures:
    placed: int = 0  # names labelled with a region
    claims: int = 0  # names given a region
    right: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (name, label, inferred)

    @property
    def precision(self) -> float:
        return _share(self.right, self.claims)

    @property
    def recall(self) -> float:
        return _share(self.right, self.placed)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def labelled_pairs() -> list[LabelledPair]:
    with open(DATA / "identity_pairs.csv", encoding="utf-8", newline="") as file:
        return [
            LabelledPair(row["name_a"], row["name_b"], row["same"] == "1", row["kind"], row["note"])
            for row in csv.DictReader(file)
        ]


def records_for(names: list[str], seed_names: set[str]) -> list[OrgRecord]:
    """One record per distinct name, as a registry holds them before anyone merges: its region as
    inferred from the name; seed names on the seed statement, every other name on one of its own."""
    records = []
    for record_id, name in enumerate(dict.fromkeys(names), start=1):
        region = infer_region(name)
        statement = SEED_STATEMENT if name in seed_names else 1000 + record_id
        records.append(OrgRecord(record_id, (name,), None, region.code if region else None, frozenset({statement})))
    return records


def evaluate_pairs() -> PairFigures:
    """Score every labelled pair, with `suggest` run once over all the set's names together, so
    that blocking and word frequencies work on a realistic pool."""
    pairs = labelled_pairs()
    with open(SEED, encoding="utf-8", newline="") as file:
        seed_names = {row["organization"] for row in csv.DictReader(file)}
    records = records_for([name for pair in pairs for name in (pair.name_a, pair.name_b)], seed_names)
    id_of = {record.names[0]: record.id for record in records}
    suggested = {(s.a, s.b) for s in suggest(records)}
    figures = PairFigures(pairs=len(pairs), same_pairs=sum(pair.same for pair in pairs))
    for pair in pairs:
        ids = tuple(sorted((id_of[pair.name_a], id_of[pair.name_b])))
        if match_key(pair.name_a) == match_key(pair.name_b):
            figures.merged.append(pair)
        elif ids in suggested:
            figures.suggested.append(pair)
        elif pair.same:
            figures.missed.append(pair)
    return figures


def evaluate_regions() -> RegionFigures:
    figures = RegionFigures()
    with open(DATA / "region_labels.csv", encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            match = infer_region(row["name"])
            inferred = match.code if match else ""
            figures.placed += bool(row["region_code"])
            figures.claims += bool(inferred)
            if inferred and inferred == row["region_code"]:
                figures.right += 1
            elif inferred:
                figures.wrong.append((row["name"], row["region_code"], inferred))
    return figures


def test_the_evaluation_set_has_a_few_hundred_pairs_of_both_kinds() -> None:
    pairs = labelled_pairs()
    assert len(pairs) >= 300
    assert sum(pair.same for pair in pairs) >= 100
    assert sum(not pair.same for pair in pairs) >= 100


def test_quality_of_identity() -> None:
    figures = evaluate_pairs()
    assert figures.merge_precision >= 0.995, figures.wrong_merges
    assert figures.recall >= 0.95, figures.missed


def test_region_inference_precision() -> None:
    figures = evaluate_regions()
    assert figures.placed >= 50
    assert figures.precision >= 0.98, figures.wrong
