"""The project's one exception type for bad input, configuration and parameters."""

from __future__ import annotations


class EspacepError(Exception):
    """A problem the user can fix (bad data, bad parameters, missing file).

    The CLI prints its message and exits non-zero, without a traceback.
    """


class RunInterrupted(EspacepError):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped a run; the CLI exits with ``exit_status``."""

    def __init__(self, message: str, exit_status: int):
        super().__init__(message)
        self.exit_status = exit_status
