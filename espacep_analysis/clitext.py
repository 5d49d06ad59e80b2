"""French command line: argparse's own texts, a help formatter showing defaults, the error log.

argparse builds its texts ("usage: ", "options", "show this help message and
exit", its error messages) with :func:`gettext.gettext` under the module
name ``argparse._``, and Python ships no French catalogue. `french_argparse`
swaps that function for one that looks the texts up in `ARGPARSE_FR`, only
while the CLI builds and parses its arguments, then puts it back.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

#: argparse's message ids (Python 3.11-3.13) and their French text
ARGPARSE_FR: dict[str, str] = {
    "usage: ": "utilisation : ",
    "options": "options",
    "positional arguments": "arguments",
    "show this help message and exit": "affiche cette aide et quitte",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "un des arguments %s est obligatoire",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur %r ignorée",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner "
    "%(matches)s",
    "unexpected option string: %s": "option inattendue : %s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (parmi %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "commande inconnue %(parser_name)r "
    "(parmi : %(choices)s)",
    "cannot have multiple subparser arguments": "une seule commande à la fois",
}

#: How a default is shown after an option's help
DEFAULT_NOTE = " (défaut : %(default)s)"


def french(message: str) -> str:
    """The French text of an argparse message id (the id itself when it has none)."""
    return ARGPARSE_FR.get(message, message)


@contextlib.contextmanager
def french_argparse() -> Iterator[None]:
    """Within the block, argparse writes its own texts in French (`ARGPARSE_FR`)."""
    saved: Callable[[str], str] = argparse._  # type: ignore[attr-defined]
    argparse._ = french  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


class FrenchHelpFormatter(argparse.HelpFormatter):
    """Help in French that names every option's default.

    An option whose help does not already say its default (the word
    "défaut") gets `DEFAULT_NOTE` when it has a default other than ``None``
    or ``False``; options without one must say it in their own help text.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "défaut" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            return text + DEFAULT_NOTE
        return text


def _safe_lines(exc: BaseException) -> list[str]:
    """Frames and the exception's type with the first line of its message (≤ 200 characters)."""
    first = (str(exc).splitlines() or [""])[0][:200]
    return [
        "Traceback (most recent call last):\n",
        *traceback.format_tb(exc.__traceback__),
        f"{type(exc).__module__}.{type(exc).__qualname__}: {first}\n",
    ]


def write_error_log(exc: BaseException, folder: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Write the traceback of ``exc`` (and of its causes) to ``espacep-erreur-<timestamp>.log``.

    The log holds source lines and exception types, with only the first line
    of each message, cut at 200 characters: never a table's repr, so no data
    rows. ``folder`` defaults to the system's temporary directory.

    Returns
    -------
    Path
        The log file written.
    """
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = Path(folder) if folder is not None else Path(tempfile.gettempdir())
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    lines: list[str] = []
    for i, item in enumerate(reversed(chain)):
        if i:
            lines.append("\nPendant le traitement de l'exception ci-dessus, une autre est survenue :\n\n")
        lines.extend(_safe_lines(item))
    path = folder / f"espacep-erreur-{stamp}.log"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"espacep-erreur-{stamp}-{n}.log"
    path.write_text("".join(lines), encoding="utf-8")
    return path
