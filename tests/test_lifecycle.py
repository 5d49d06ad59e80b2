"""Tests of the batch's process lifecycle (`espacep_analysis.lifecycle`) and of unwritable output folders.

The signal tests start ``espacep report`` on the committed synthetic data for
the three funders of 2017-2019 (nine reports, long enough), wait for the first
report to be published, send the signal to the main process only, then check
the process table: every process that was below the main one before the
signal (workers, their kernels) is gone within a few seconds, no report is
published after the signal, the lock is free for the next run.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from espacep_analysis import batch, cli, lifecycle
from espacep_analysis.errors import EspacepError
from espacep_analysis.lifecycle import OutputLock

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "data" / "synthetic"
ESPACEP = Path(sys.executable).parent / "espacep"
STOP_WITHIN = 20.0  # seconds: generous on a loaded machine; the stop takes about one
PUBLISHED = re.compile(r"^\[\s*[\d.]+ s\] (\d{4}/\w+)\s+produit")

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the Linux process table")


def _tree(pid: int) -> dict[int, str]:
    """Every process below ``pid`` -> its command line (read from /proc independently of the library)."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError):
            continue
    found, todo = {}, [p for p, pp in parents.items() if pp == pid]
    while todo:
        child = todo.pop()
        found[child] = _cmdline(child)
        todo += [p for p, pp in parents.items() if pp == child]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _published(out: Path) -> dict[str, int]:
    """Published report directories -> mtime of their stamp (ns)."""
    return {
        f"{p.parent.parent.name}/{p.parent.name}": p.stat().st_mtime_ns
        for p in out.glob("[0-9]*/*/.stamp.json")
    }


class _Run:
    """``espacep report`` for 2017-2019 and all funders, its output lines collected as they come."""

    def __init__(self, out: Path):
        self.proc = subprocess.Popen(
            [
                str(ESPACEP),
                "report",
                "--data",
                str(SYNTHETIC),
                "--output",
                str(out),
                "--years",
                "2017-2019",
                "--workers",
                "2",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1577836800"},
        )
        self.lines: list[str] = []
        self.below: dict[int, str] = {}  # recorded before the signal: orphans are no longer below the main
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()

    def wait_published(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not any(PUBLISHED.match(line) for line in self.lines):
            assert self.proc.poll() is None and time.monotonic() < deadline, "".join(self.lines)
            time.sleep(0.05)

    def cleanup(self) -> None:
        """Kill whatever is left of the run (a failing test must not leave processes behind)."""
        recorded = [pid for pid, cmd in self.below.items() if _cmdline(pid) == cmd]
        for pid in [self.proc.pid, *_tree(self.proc.pid), *recorded]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait()


@pytest.mark.parametrize(
    "signum",
    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
    ids=["SIGINT", "SIGTERM", "SIGHUP", "kill-9"],
)
def test_signal_stops_workers_and_kernels_and_publishes_nothing_more(signum, tmp_path):
    out = tmp_path / "out"
    run = _Run(out)
    try:
        run.wait_published()
        below = run.below = _tree(run.proc.pid)
        workers = [pid for pid, cmd in below.items() if "ipykernel" not in cmd]
        kernels = [pid for pid, cmd in below.items() if "ipykernel" in cmd]
        assert len(workers) >= 2 and len(kernels) >= 1, below
        os.kill(run.proc.pid, signum)
        published = _published(out)
        deadline = time.monotonic() + STOP_WITHIN
        while any(_running(pid) for pid in below) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = {pid: below[pid] for pid in below if _running(pid)}
        assert not left, f"still running {STOP_WITHIN} s after {signal.Signals(signum).name}: {left}"
        strays = [
            pid
            for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
            if any(f"{batch.KERNEL_DIR_PREFIX}{w}-" in _cmdline(pid) for w in workers)
        ]
        assert not strays, f"kernels of the run still running: {strays}"
        code = run.proc.wait(timeout=STOP_WITHIN)
        time.sleep(2)
        assert _published(out) == published, "a report was published after the signal"
    finally:
        run.cleanup()
    stderr = run.proc.stderr.read()
    if signum != signal.SIGKILL:
        assert code == 128 + signum, stderr
        assert "Traceback" not in stderr
        assert (
            stderr.strip().splitlines()[-1].startswith(f"interrompu par {signal.Signals(signum).name} : ")
        ), stderr
    assert not list(out.glob("[0-9]*/.*.tmp-*")), "the workers remove their working directories"
    with OutputLock(out) as lock:  # free (or stale and taken over) at once
        if signum == signal.SIGKILL:
            assert lock.messages == [
                f"stale lock of process {run.proc.pid} (no longer running) taken over: " f"{out / '.lock'}"
            ]
        else:
            assert lock.messages == []


def test_next_run_after_kill_9_succeeds(tmp_path):
    out = tmp_path / "out"
    run = _Run(out)
    try:
        run.wait_published()
        run.below = _tree(run.proc.pid)
        os.kill(run.proc.pid, signal.SIGKILL)
    finally:
        run.cleanup()
    result = subprocess.run(
        [
            str(ESPACEP),
            "report",
            "--data",
            str(SYNTHETIC),
            "--output",
            str(out),
            "--years",
            "2017",
            "--funders",
            "inami",
            "--no-pdf",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"stale lock of process {run.proc.pid} (no longer running) taken over" in result.stdout


# --- the lock ---------------------------------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(child.stdout)


def test_lock_refuses_a_live_owner_and_names_it(tmp_path):
    with OutputLock(tmp_path):
        holder = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from espacep_analysis.lifecycle import OutputLock\n"
                f"OutputLock({str(tmp_path)!r}).__enter__()",
            ],
            capture_output=True,
            text=True,
        )
    assert f"un autre espacep report (processus {os.getpid()}) écrit dans {tmp_path}" in holder.stderr
    with OutputLock(tmp_path) as lock:  # released on exit: free again, no stale message
        assert lock.messages == []


def test_lock_held_by_leftovers_of_a_dead_run_is_taken_over(tmp_path, monkeypatch):
    """The owner recorded in the lock is dead, but a process it left still holds the flock."""
    monkeypatch.setattr(lifecycle, "STALE_LOCK_WAIT", 0.5)
    dead = _dead_pid()
    record = {**lifecycle.owner_record(), "pid": dead, "start": 1}
    (tmp_path / ".lock").write_text(json.dumps(record))
    leftover = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"h = open({str(tmp_path / '.lock')!r}); fcntl.flock(h, fcntl.LOCK_EX)\n"
            "print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert leftover.stdout.readline() == "locked\n"
        with OutputLock(tmp_path) as lock:
            assert lock.messages == [
                f"stale lock of process {dead} (no longer running) taken over; "
                f"processes it left still hold the old lock: {leftover.pid}"
            ]
            assert json.loads((tmp_path / ".lock").read_text())["pid"] == os.getpid()
    finally:
        leftover.kill()
        leftover.wait()


def test_reused_pid_is_not_a_live_owner():
    me = lifecycle.owner_record()
    assert lifecycle.owner_alive(me)
    assert not lifecycle.owner_alive({**me, "start": me["start"] + 1})  # same pid, another process
    assert not lifecycle.owner_alive({**me, "boot": "another-boot"})
    assert lifecycle.owner_alive({**me, "pid": _dead_pid(), "host": "elsewhere"})  # cannot tell: alive


def test_nothing_is_published_once_the_run_is_aborted(tmp_path):
    work, final = tmp_path / ".inami.tmp-1", tmp_path / "inami"
    for folder, text in ((work, "new"), (final, "old")):
        folder.mkdir()
        (folder / "report.html").write_text(text)
        (folder / batch.STAMP).write_text("{}")
    lifecycle.abort_run()
    try:
        with pytest.raises(EspacepError, match="lancement interrompu"):
            batch.publish(work, final)
    finally:
        lifecycle.reset_abort()
    assert (final / "report.html").read_text() == "old"
    batch.publish(work, final)
    assert (final / "report.html").read_text() == "new"


# --- output folder read-only or full ---------------------------------------------------------------


PAD = """
if os.environ.get("ESPACEP_TEST_PAD"):  # a report bigger than the free space
    with open(os.path.join(output_dir, "padding.bin"), "wb") as f:
        f.write(bytes(int(os.environ["ESPACEP_TEST_PAD"])))
"""


def _tiny_report(tmp_path: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    """``espacep report`` in this process on a one-cell notebook (fast); exit status, stdout, stderr."""
    import nbformat
    from test_batch import GOOD_BODY, _notebook  # the tiny notebook of the batch tests

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir(exist_ok=True)
    nbformat.write(_notebook(GOOD_BODY + PAD), notebooks / "inami.ipynb")
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = [
        "report",
        "--data",
        str(SYNTHETIC),
        "--output",
        str(out),
        "--years",
        "2019",
        "--funders",
        "inami",
        "--no-pdf",
        "--workers",
        "1",
        "--fresh-kernels",
        "--notebooks",
        str(notebooks),
        *extra,
    ]
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    try:
        code = cli.main(argv)
    finally:
        sys.stdout, sys.stderr = real_out, real_err
    return code, stdout.getvalue(), stderr.getvalue()


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def small_fs(tmp_path):
    """A 2 MiB tmpfs (needs root and the right to mount; skipped otherwise), unmounted at the end."""
    mount = tmp_path / "fs"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _make_read_only(folder: Path) -> None:
    """Read-only for real: a remount when ``folder`` is a tmpfs of ours (root), else chmod."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)


def _fill(folder: Path, leave: int) -> None:
    """Write a filler file until about ``leave`` bytes are free in ``folder``'s file system."""
    stat = os.statvfs(folder)
    with open(folder / "filler", "wb") as handle:
        try:
            handle.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
            handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def _assert_one_line_failure(code: int, stdout: str, stderr: str, state: str) -> None:
    assert code == 2, stdout + stderr
    assert "Traceback" not in stdout + stderr
    lines = stderr.strip().splitlines()
    assert (
        len(lines) == 1 and state in lines[0] and "les sorties précédentes sont gardées" in lines[0]
    ), stderr


def test_read_only_output_folder_fails_cleanly_and_keeps_outputs(tmp_path, small_fs):
    out = small_fs / "out"
    assert _tiny_report(tmp_path, out)[0] == 0
    before = _files(out)
    _make_read_only(small_fs if os.geteuid() == 0 else out)
    code, stdout, stderr = _tiny_report(tmp_path, out, "--force")
    _assert_one_line_failure(
        code, stdout, stderr, f"le dossier de sortie {out} est en lecture seule (Read-only file system)"
    )
    assert _files(out) == before


@pytest.mark.parametrize("leave", [0, 72_000], ids=["full-at-start", "full-while-rendering"])
def test_full_output_folder_fails_cleanly_and_keeps_outputs(tmp_path, small_fs, leave, monkeypatch):
    """At start the probe of `check_writable` fails; while rendering the notebook's own write fails."""
    out = small_fs / "out"
    assert _tiny_report(tmp_path, out)[0] == 0
    before = _files(out)
    _fill(small_fs, leave)
    monkeypatch.setenv("ESPACEP_TEST_PAD", str(4 * leave))
    code, stdout, stderr = _tiny_report(tmp_path, out, "--force")
    _assert_one_line_failure(
        code, stdout, stderr, f"le dossier de sortie {out} est plein (No space left on device)"
    )
    (small_fs / "filler").unlink()
    assert _files(out) == before
    assert not list(out.glob("[0-9]*/.*"))
