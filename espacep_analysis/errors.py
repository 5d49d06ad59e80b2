"""The project's one exception type for bad input, configuration and parameters."""

from __future__ import annotations


class EspacepError(Exception):
    """A problem the user can fix (bad data, bad parameters, missing file).

    The CLI prints its message and exits non-zero, without a traceback.
    """
