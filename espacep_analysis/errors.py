"""The project's exception types for bad input, configuration and parameters.

Every one is an `EspacepError`: the CLI prints its message and exits
non-zero, without a traceback.
"""

from __future__ import annotations


class EspacepError(Exception):
    """A problem the user can fix (bad data, bad parameters, missing file).

    The CLI prints its message and exits non-zero, without a traceback.
    """


class ConfigError(EspacepError):
    """A params file (``params/*.yaml``, ``params/<year>/*.yaml``) breaks its schema.

    The message names the file, the line and the key path of every problem
    found, one per line.
    """


class FileRejected(EspacepError):
    """An export file refused as a whole while it is read.

    Parameters
    ----------
    file : the file's name.
    rule : rule id (see `schemas.RULES`).
    message : plain-French explanation (without the file name).
    line, column, value : where the problem is, when it has a place.
    """

    def __init__(
        self,
        file: str,
        rule: str,
        message: str,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ):
        super().__init__(f"{file}: {message}")
        self.file, self.rule, self.detail = file, rule, message
        self.line, self.column, self.value = line, column, value


class RunInterrupted(EspacepError):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped a run; the CLI exits with ``exit_status``."""

    def __init__(self, message: str, exit_status: int):
        super().__init__(message)
        self.exit_status = exit_status
