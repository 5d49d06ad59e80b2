"""Compare every figures.csv of two output trees: identical except for the new columns (issue 12 refactoring check).

Usage: python benchmarks/compare_figures.py BEFORE_DIR AFTER_DIR (exit 1 when a file differs).
"""

import sys
from pathlib import Path

import pandas as pd

NEW = ["base_indicator", "year_from", "year_to"]
before, after = Path(sys.argv[1]), Path(sys.argv[2])
files = sorted(p.relative_to(before) for p in before.rglob("figures.csv"))
assert files, "no figures.csv in the first tree"
bad = 0
for rel in files:
    old = pd.read_csv(before / rel, dtype=str, keep_default_na=False)
    new = pd.read_csv(after / rel, dtype=str, keep_default_na=False)
    added = [c for c in new.columns if c not in old.columns]
    problems = []
    if added != NEW:
        problems.append(f"new columns {added}")
    if list(new.drop(columns=added).columns) != list(old.columns):
        problems.append("columns differ")
    elif not new.drop(columns=added).equals(old):
        diff = (new.drop(columns=added) != old).any(axis=1) if len(new) == len(old) else None
        problems.append(
            f"{len(old)} -> {len(new)} rows" if diff is None else f"{int(diff.sum())} rows differ"
        )
    comp = new[new["base_indicator"] != ""]
    print(f"{rel}: {len(old)} rows, {len(comp)} comparison rows, {problems or 'OK'}")
    bad += bool(problems)
print(f"{len(files)} files, {bad} differ")
sys.exit(1 if bad else 0)
