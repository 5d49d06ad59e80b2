"""The project's exception types: what the user can fix, and what is a bug.

- `EspacepError` and its subclasses are problems the user can fix: bad
  data (`DataError`), bad params files (`ConfigError`), bad options or
  arguments (`ParameterError`). The CLI prints the message on one line and
  exits with status 2 (`EXIT_USER`), without a traceback.
- `InternalError` is a bug or a broken invariant of the package: the user
  cannot fix it by changing the data, params or options. The CLI writes the
  traceback to a log file and exits with status 3 (`EXIT_INTERNAL`), as for
  any unexpected exception.

A plain `EspacepError` is still raised where no finer class fits; new code
should use a subclass.
"""

from __future__ import annotations

#: CLI exit status of a user-fixable error (`EspacepError`)
EXIT_USER = 2
#: CLI exit status of an internal error (`InternalError` or any unexpected exception)
EXIT_INTERNAL = 3


class EspacepError(Exception):
    """A problem the user can fix (bad data, bad parameters, missing file).

    The CLI prints its message and exits with status 2, without a traceback.
    """


class DataError(EspacepError):
    """The exports (``--data``) cannot be read or do not hold what a report needs."""


class ConfigError(EspacepError):
    """A params file (``params/*.yaml``, ``params/<year>/*.yaml``) breaks its schema.

    The message names the file, the line and the key path of every problem
    found, one per line.
    """


class ParameterError(EspacepError):
    """An option or argument value is invalid (a command-line option, a function argument)."""


class InternalError(RuntimeError):
    """A bug or broken invariant of the package, not fixable by the user.

    Deliberately not an `EspacepError`: the CLI treats it like any
    unexpected exception (traceback to a log file, exit status 3).
    """


class FileRejected(DataError):
    """An export file refused as a whole while it is read.

    Parameters
    ----------
    file : str
        The file's name.
    rule : str
        Rule id (see `schemas.RULES`).
    message : str
        Plain-French explanation (without the file name).
    line, column, value : int, str, str, optional
        Where the problem is, when it has a place.
    """

    def __init__(
        self,
        file: str,
        rule: str,
        message: str,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(f"{file}: {message}")
        self.file, self.rule, self.detail = file, rule, message
        self.line, self.column, self.value = line, column, value


class RunInterrupted(EspacepError):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped a run; the CLI exits with ``exit_status``."""

    def __init__(self, message: str, exit_status: int) -> None:
        super().__init__(message)
        self.exit_status = exit_status
