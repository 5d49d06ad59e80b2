"""Write the committed synthetic CSV exports scaled to about N rows in all (issue 15 (d)).

Every table is repeated ``round(N / rows)`` times; copy ``k`` renames each pseudonym
``<pseudonym>.<k>`` (the same scheme as `run.scaled_dataset`), so every copy is a
distinct, valid population and validation does the same work per row at every size.

    .venv/bin/python benchmarks/scaled_data.py 1e6 /tmp/espacep-1e6
    .venv/bin/espacep validate --data /tmp/espacep-1e6 --rejections /tmp/rejections.csv
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "synthetic"


def write_scaled(rows: int, out: Path, data: Path = DATA) -> int:
    """Write ``data``'s CSV files into ``out`` with about ``rows`` data rows in all; return the count."""
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(data.glob("*.csv"))
    tables = {}
    for path in files:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
        tables[path.name] = (table[0], table[1:])
    total = sum(len(body) for _, body in tables.values())
    copies = max(1, round(rows / total))
    written = 0
    for name, (header, body) in tables.items():
        who = header.index("pseudonym") if "pseudonym" in header else None
        with (out / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            for k in range(copies):
                for row in body:
                    if who is not None and row[who]:
                        row = [*row[:who], f"{row[who]}.{k}", *row[who + 1 :]]
                    writer.writerow(row)
            written += copies * len(body)
    for extra in data.iterdir():
        if extra.suffix not in (".csv", ".md"):
            shutil.copy(extra, out / extra.name)
    return written


if __name__ == "__main__":
    print(write_scaled(int(float(sys.argv[1])), Path(sys.argv[2])))
