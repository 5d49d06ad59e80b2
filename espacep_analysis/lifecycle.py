"""The life of a batch's processes: they stop with the run, they never publish after it.

``espacep report`` runs reports in worker processes, each with a Jupyter kernel
(a child of the worker, in its own session). This module makes them die with
the run:

- In the main process, `interrupt_signals` turns SIGINT, SIGTERM and SIGHUP
  into `Interrupted` (a ``KeyboardInterrupt``), so that the batch stops in
  order: abort flag set, workers terminated (`stop_processes`), lock released.
- In a worker, `guard_worker` asks the kernel (Linux) to send SIGTERM when the
  main process dies (``prctl(PR_SET_PDEATHSIG)``, also after ``kill -9``), and
  starts a watchdog thread that polls the parent pid and the abort flag (the
  portable fallback, and a way out when the main thread is stuck in C code).
  SIGTERM and SIGHUP kill the worker's kernel, remove its working directory
  and end the worker at once; SIGINT is left to the main process.
- The kernels (ipykernel) poll their parent (``JPY_PARENT_PID``) and exit
  within a second of their worker; the worker's exit path kills them first.
- `may_publish` is checked right before a report is moved into place: no
  report is published once the run is aborted or its main process is gone.
- `OutputLock` records its owner (pid, start time, boot id): a lock left by a
  dead run is taken over with a message naming the dead pid; pid reuse is not
  mistaken for a live owner.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from .errors import EspacepError, InternalError

WATCHDOG_PERIOD = 0.25  # seconds between two checks of a worker's parent
STOP_GRACE = 3.0  # seconds the workers get to clean up before SIGKILL
STALE_LOCK_WAIT = 5.0  # seconds to wait for the leftovers of a dead run to release the lock
SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s)
_PR_SET_PDEATHSIG = 1

_ABORT: dict = {
    "event": None,
    "parent": None,
    "aborted": False,
}  # the run's abort flag; in a worker, the main pid
_HELD_LOCKS: set = set()  # in the main process: file objects of the held `OutputLock`s


class Interrupted(KeyboardInterrupt):
    """The run was interrupted by a signal (``signum``); raised in the main thread."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """The shell's convention: 128 + the signal's number."""
        return 128 + int(self.signum)


# --- the main process -----------------------------------------------------------------------------


@contextlib.contextmanager
def interrupt_signals() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise `Interrupted` once; later ones are ignored.

    Ignoring the repeated signal lets the orderly stop finish (a second
    Ctrl-C would otherwise cut it short). The previous handlers come back on
    exit. Outside the main thread this does nothing (Python only delivers
    signals there).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum, frame):
        if not fired:
            fired.append(signum)
            raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def process_start(pid: int) -> int | None:
    """Start time of process ``pid`` (clock ticks since boot, Linux), None when unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rpartition(")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _parent_map() -> dict[int, int]:
    """pid -> parent pid of every process (Linux ``/proc``; empty elsewhere)."""
    parents = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    return parents


def descendants(pid: int) -> dict[int, int | None]:
    """Every process below ``pid`` (children, grandchildren...) -> its start time."""
    children: dict[int, list[int]] = {}
    for child, parent in _parent_map().items():
        children.setdefault(parent, []).append(child)
    found, todo = {}, list(children.get(pid, ()))
    while todo:
        child = todo.pop()
        found[child] = process_start(child)
        todo.extend(children.get(child, ()))
    return found


def _same_process_alive(pid: int, start: int | None) -> bool:
    """Process ``pid`` still runs (not a zombie) and is the one that started at ``start``."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return _pid_exists(pid)
    return state != "Z" and (start is None or process_start(pid) == start)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie, whatever its start time."""
    return _same_process_alive(pid, None)


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_processes(workers: list, extra: dict[int, int | None], grace: float = STOP_GRACE) -> None:
    """SIGTERM ``workers`` (multiprocessing processes), then SIGKILL whatever of them and of ``extra`` is left.

    ``extra`` maps pids (the run's descendants, recorded beforehand) to their
    start times, so that a reused pid is never killed.
    """
    for process in workers:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    deadline = time.monotonic() + grace
    for process in workers:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
    for pid, start in extra.items():
        if _same_process_alive(pid, start):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# --- a worker process -----------------------------------------------------------------------------


def set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def guard_worker(abort_event, parent_pid: int, on_abort: Callable[[], None]) -> None:
    """Make this worker process die with the run (see the module docstring).

    Parameters
    ----------
    abort_event : multiprocessing.Event
        Set by the main process when the run is interrupted.
    parent_pid : int
        The main process's pid, as seen before the fork.
    on_abort : callable
        Called once before the worker ends: kills its kernel, removes its
        working directory. Must be quick and must not raise.
    """
    _ABORT.update(event=abort_event, parent=parent_pid)
    for lock in list(_HELD_LOCKS):  # the main process's lock must not outlive it in this worker
        with contextlib.suppress(OSError):
            os.close(lock.fileno())
    _HELD_LOCKS.clear()

    def die(signum: int) -> None:
        with contextlib.suppress(Exception):
            on_abort()
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the main process decides
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, lambda s, f: die(s))
    set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before the request above
        die(signal.SIGTERM)
    threading.Thread(target=_watchdog, args=(die,), name="espacep-watchdog", daemon=True).start()


def _watchdog(die: Callable[[int], None]) -> None:
    """Poll the parent pid and the abort flag; end the worker when either says the run is over."""
    while True:
        time.sleep(WATCHDOG_PERIOD)
        if not may_publish():
            die(signal.SIGTERM)


def may_publish() -> bool:
    """False once the run is aborted or, in a worker, once the main process is gone."""
    event, parent = _ABORT["event"], _ABORT["parent"]
    if _ABORT["aborted"] or (event is not None and event.is_set()):
        return False
    return parent is None or os.getppid() == parent


def abort_run(event=None) -> None:
    """Mark the run as aborted in this process and, through ``event``, in its workers."""
    _ABORT["aborted"] = True
    if event is not None:
        event.set()


def reset_abort() -> None:
    """Forget a previous abort in this process (a new run in the same interpreter)."""
    _ABORT.update(event=None, parent=None, aborted=False)


# --- the output directory's lock ------------------------------------------------------------------


def boot_id() -> str:
    """This boot's id (Linux), so that a pid recorded before a reboot is never taken as alive."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def owner_record() -> dict:
    """Who holds a lock: pid, start time, boot id and host name of this process."""
    import socket

    return {
        "pid": os.getpid(),
        "start": process_start(os.getpid()),
        "boot": boot_id(),
        "host": socket.gethostname(),
    }


def owner_alive(record: dict) -> bool:
    """Whether the process of ``record`` still runs (a reused pid does not count).

    An owner on another host (a shared folder) cannot be checked: taken as alive.
    """
    import socket

    pid = record.get("pid")
    if not isinstance(pid, int) or record.get("host") != socket.gethostname():
        return True
    if record.get("boot") != boot_id():
        return False
    return _same_process_alive(pid, record.get("start"))


def lock_holders(path: Path) -> list[int]:
    """Pids of the processes with ``path`` open (Linux ``/proc``; best effort, empty elsewhere)."""
    try:
        target = os.stat(path)
    except OSError:
        return []
    holders = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            for fd in (proc / "fd").iterdir():
                st = os.stat(fd)
                if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
                    holders.append(int(proc.name))
                    break
        except OSError:
            continue
    return sorted(holders)


def _read_record(handle) -> dict | None:
    handle.seek(0)
    try:
        record = json.loads(handle.read() or "null")
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


class OutputLock:
    """An exclusive lock on the output directory (``.lock``), with its owner recorded in the file.

    ``flock`` makes the lock free when every process holding it is gone; the
    workers close their inherited copy at start (`guard_worker`). The file
    holds the owner's `owner_record` while the lock is held and is emptied on
    release. A run that finds a record of a dead owner says so in
    ``messages``; when the leftovers of a dead run still hold the lock after
    `STALE_LOCK_WAIT` seconds, the lock file is replaced (taken over) and the
    message names the dead pid and the leftovers.
    """

    def __init__(self, output_dir: Path):
        self.path = Path(output_dir) / ".lock"
        self.handle: TextIO | None = None
        self.messages: list[str] = []

    def __enter__(self) -> OutputLock:
        deadline = time.monotonic() + STALE_LOCK_WAIT
        while self.handle is None:
            handle = open(self.path, "a+", encoding="utf-8")
            if _flock(handle):
                if _is_current(handle, self.path):
                    self.handle = handle
                    break
                handle.close()  # replaced by a take-over meanwhile: lock the new file
                continue
            record = _read_record(handle)
            inode = os.fstat(handle.fileno()).st_ino
            handle.close()
            record = self._refuse_unless_dead(record)
            if time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            self._take_over(record, inode)
        if self.handle is None:  # the loop is left only with the lock held
            raise InternalError(f"{self.path}: lock loop left without the lock")
        return self._own(self.handle)

    def _own(self, handle: TextIO) -> OutputLock:
        """Write this process's record into the locked ``handle``."""
        previous = _read_record(handle)
        if previous and previous.get("pid") != os.getpid() and not owner_alive(previous):
            self.messages.append(
                f"stale lock of process {previous['pid']} (no longer running) taken over: " f"{self.path}"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(owner_record()) + "\n")
        handle.flush()
        _HELD_LOCKS.add(handle)
        return self

    def _refuse_unless_dead(self, record: dict | None) -> dict:
        """``record`` when its owner is dead; refuses when it is alive or unknown."""
        if record is None:
            holders = ", ".join(map(str, lock_holders(self.path))) or "unknown"
            raise EspacepError(
                f"un autre espacep report écrit dans {self.path.parent} "
                f"(verrou {self.path} tenu par le processus {holders})"
            )
        if owner_alive(record):
            raise EspacepError(
                f"un autre espacep report (processus {record.get('pid')}) écrit dans {self.path.parent}"
            )
        return record

    def _take_over(self, record: dict, inode: int) -> None:
        holders = ", ".join(map(str, lock_holders(self.path))) or "unknown"
        with contextlib.suppress(FileNotFoundError):
            if os.stat(self.path).st_ino == inode:  # not replaced by another run meanwhile
                os.unlink(self.path)
        self.messages.append(
            f"stale lock of process {record.get('pid')} (no longer running) taken over; "
            f"processes it left still hold the old lock: {holders}"
        )

    def __exit__(self, *exc) -> None:
        if self.handle is None:
            return
        _HELD_LOCKS.discard(self.handle)
        with contextlib.suppress(OSError):
            self.handle.seek(0)
            self.handle.truncate()
        self.handle.close()
        self.handle = None


def _flock(handle) -> bool:
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _is_current(handle, path: Path) -> bool:
    """``handle`` is still the file at ``path`` (a take-over may have replaced it)."""
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except OSError:
        return False
