"""Time duplicate suggestions (`app.identity.similarity.suggest`) over a registry of realistic organizations.

Builds the registry as the database would hold it after automatic merging: each generated
organization with the printed variants its match key absorbs, plus separate organizations for the
variants no key can catch (typos, an acronym alone): those are what suggestions must find.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # bench/generate.py, the organization-name generator

from app.identity.names import match_key
from app.identity.regions import infer_region
from app.identity.similarity import OrgRecord, Suggestion, candidate_pairs, suggest

# Variants a match key cannot absorb, so they become organizations of their own.
SPLITTING = {generate.typo_swapped, generate.typo_dropped, generate.acronym_only, generate.acronym_added,
             generate.acronym_removed}
VARIANTS_PER_ORGANIZATION = (0, 0, 0, 1, 1, 2)
STATEMENTS = 10_000
REGION_HINT_SHARE = 0.35  # an import's region column; otherwise inferred from the name
ACRONYM_FIELD_SHARE = 0.3


def registry(size: int, seed: int) -> tuple[list[OrgRecord], dict[int, int]]:
    """`size` records and, for each record id, the generated organization it belongs to."""
    rng = random.Random(seed)
    organizations = generate.build_organizations(rng, size, {})
    records: list[OrgRecord] = []
    truth: dict[int, int] = {}
    for organization in organizations:
        if len(records) >= size:
            break
        kept, split = [organization.canonical], []
        for _ in range(rng.choice(VARIANTS_PER_ORGANIZATION)):
            transform = rng.choices(generate.TRANSFORM_FUNCTIONS, generate.TRANSFORM_WEIGHTS)[0]
            printed = transform(rng, organization.canonical, organization)
            if match_key(printed) == match_key(organization.canonical):
                kept.append(printed)
            elif transform in SPLITTING:
                split.append(printed)
        for names in (kept, *([name] for name in split)):
            if len(records) < size:
                record = make_record(rng, len(records) + 1, names, organization)
                records.append(record)
                truth[record.id] = organization.id
    return records, truth


def make_record(rng: random.Random, record_id: int, names: list[str], organization) -> OrgRecord:
    statements = frozenset(rng.randrange(STATEMENTS) for _ in range(1 + int(rng.paretovariate(1.2))))
    return OrgRecord(
        id=record_id,
        names=tuple(dict.fromkeys(names)),
        acronym=organization.acronym if organization.acronym and rng.random() < ACRONYM_FIELD_SHARE else None,
        region_code=region_of(rng, names[0], organization),
        statement_ids=statements,
    )


def region_of(rng: random.Random, name: str, organization) -> str | None:
    """The region the database would hold: an import's hint, else the one the name states."""
    if organization.region and rng.random() < REGION_HINT_SHARE:
        return organization.region
    inferred = infer_region(name)
    return inferred.code if inferred else None


def truth_figures(suggestions: list[Suggestion], truth: dict[int, int]) -> tuple[int, int, int]:
    """(suggestions of one organization, of two, same-organization pairs in the registry)."""
    right = sum(truth[s.a] == truth[s.b] for s in suggestions)
    sizes: dict[int, int] = {}
    for organization in truth.values():
        sizes[organization] = sizes.get(organization, 0) + 1
    return right, len(suggestions) - right, sum(size * (size - 1) // 2 for size in sizes.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    records, truth = registry(args.records, args.seed)
    names = sum(len(record.names) for record in records)
    print(f"{len(records):,} records, {names:,} printed names, {len(set(truth.values())):,} organizations")
    times = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        suggestions = suggest(records)
        times.append(time.perf_counter() - started)
        print(f"run {run}: {times[-1]:.1f} s")
    pairs = len(candidate_pairs(records))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    right, wrong, same_pairs = truth_figures(suggestions, truth)
    all_pairs = len(records) * (len(records) - 1) // 2
    print(f"suggest: median {statistics.median(times):.1f} s over {args.runs} runs; peak RSS {peak_mb:.0f} MB")
    print(f"candidate pairs compared: {pairs:,} ({pairs / all_pairs:.4%} of all {all_pairs:,} pairs)")
    print(f"suggestions: {len(suggestions):,}; of one organization {right:,}, of two {wrong:,}")
    print(f"same-organization pairs in the registry: {same_pairs:,}; suggested {right / max(same_pairs, 1):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
