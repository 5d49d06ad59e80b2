"""The disclosure cache: computed once per key across processes, never used stale (issue 15).

The batch's warm-up computes the protection while the first notebooks start; a notebook
that reaches `publish.protected_years` meanwhile waits for it instead of computing it a
second time. The cached result is used only under the same key: a changed data file or a
changed params file computes it again.
"""

import pickle
import shutil
import threading
import time
from pathlib import Path

import pytest

from espacep_analysis import load, publish, settings

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC = REPO / "data" / "synthetic"


@pytest.fixture
def computed(monkeypatch):
    """Replace the protection by a slow stand-in that records each computation and writes the cache."""
    calls: list[int] = []

    def fake(ds, method, level, threshold, path):
        calls.append(threshold)
        time.sleep(0.5)  # long enough for a second caller to arrive while the first computes
        result = {"computation": len(calls)}
        if path is not None:
            path.write_bytes(pickle.dumps(result))
        return result

    monkeypatch.setattr(publish, "_compute_protection", fake)
    return calls


def test_concurrent_callers_compute_the_protection_once(computed, tmp_path):
    ds = load.load_dataset(SYNTHETIC)
    results: list = []

    def call():
        results.append(publish.protected_years(ds, "wilson", 0.95, 5, tmp_path / "cache"))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert computed == [5]
    assert results == [{"computation": 1}] * 3
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [
        f"disclosure-{publish._cache_key(ds, 'wilson', 0.95, 5)}.pkl"
    ]


def test_changed_data_file_computes_again(computed, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC, data)
    cache = tmp_path / "cache"
    assert publish.protected_years(load.load_dataset(data), "wilson", 0.95, 5, cache) == {"computation": 1}
    assert publish.protected_years(load.load_dataset(data), "wilson", 0.95, 5, cache) == {"computation": 1}
    persons = data / "persons.csv"
    text = persons.read_text(encoding="utf-8")
    assert "\nSYN-000760,1973,woman,,2019-02-11\n" in text
    persons.write_text(text.replace("\nSYN-000760,1973,woman,,", "\nSYN-000760,1973,woman,FR,"), "utf-8")
    assert publish.protected_years(load.load_dataset(data), "wilson", 0.95, 5, cache) == {"computation": 2}
    assert computed == [5, 5]


def test_changed_params_file_computes_again(computed, tmp_path):
    params = tmp_path / "params"
    shutil.copytree(REPO / "params", params)
    cache = tmp_path / "cache"
    settings.activate(params)
    try:
        ds = load.load_dataset(SYNTHETIC)
        assert publish.protected_years(ds, "wilson", 0.95, 5, cache) == {"computation": 1}
        with open(params / "origins.yaml", "a", encoding="utf-8") as handle:
            handle.write("# edited\n")
        assert publish.protected_years(ds, "wilson", 0.95, 5, cache) == {"computation": 2}
        assert publish.protected_years(ds, "wilson", 0.95, 7, cache) == {"computation": 3}
        assert publish.protected_years(ds, "wilson", 0.95, 5, cache) == {"computation": 2}
    finally:
        settings.activate(REPO / "params")
