"""The stamp of a published report and the statuses of a batch's reports (read by the batch and the index).

A leaf module: the batch writes ``.stamp.json`` beside each published report
(inputs hash, products' digests); the index reads it. Keeping it here lets
`index` read stamps without importing the batch.
"""

from __future__ import annotations

import json
from pathlib import Path

from .files import write_atomic

STAMP = ".stamp.json"
STATUS_OK, STATUS_UNCHANGED, STATUS_FAILED = "ok", "unchanged", "failed"


def read_stamp(final_dir: Path) -> dict | None:
    """The stamp of a published report (None when absent or unreadable)."""
    try:
        stamp = json.loads((final_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds it (keeps mtimes stable)."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True
