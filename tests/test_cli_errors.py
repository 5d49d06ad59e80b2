"""The command line speaks French, names its defaults, and sorts errors into user-fixable and internal."""

from __future__ import annotations

import argparse
import tempfile

import pytest

from espacep_analysis import cli, clitext
from espacep_analysis.errors import EXIT_INTERNAL, EXIT_USER, DataError, InternalError

ENGLISH = ("usage:", "show this help", "(default", "default:", "positional arguments", "error:")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    with clitext.french_argparse():
        parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_subcommand_help_is_french_describes_it_and_names_defaults(command, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"utilisation : espacep {command} ")
    assert "affiche cette aide et quitte" in out
    assert not [word for word in ENGLISH if word in out], out
    parser = _subcommands()[command]
    assert parser.description and parser.description.split()[0] in out
    formatter = clitext.FrenchHelpFormatter(f"espacep {command}")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        shown = formatter._get_help_string(action) or ""
        assert "défaut" in shown or not action.option_strings, (command, action.dest, shown)


def test_defaults_are_shown_with_their_value(capsys):
    with pytest.raises(SystemExit):
        cli.main(["synthetic", "--help"])
    assert "(défaut : 2019)" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    assert "(défaut : wilson)" in " ".join(capsys.readouterr().out.split())


def test_top_level_help_lists_the_commands_in_french(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("utilisation : espacep ") and "commandes" in out
    assert not [word for word in ENGLISH if word in out], out


def test_argparse_errors_are_french_and_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["report", "--workers", "abc"])
    err = capsys.readouterr().err
    assert info.value.code == EXIT_USER
    assert "espacep report : erreur : argument --workers : valeur invalide (int attendu) : 'abc'" in err
    with pytest.raises(SystemExit):
        cli.main(["new-year"])
    assert "arguments obligatoires manquants : ANNÉE" in capsys.readouterr().err


def test_argparse_texts_are_restored_after_the_cli():
    cli.build_parser()
    with clitext.french_argparse():
        assert argparse._("usage: ") == "utilisation : "  # type: ignore[attr-defined]
    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]


def test_user_error_is_one_line_exit_2(monkeypatch, capsys):
    def bad_data(args):
        raise DataError("personnes.csv : colonne pseudonym absente")

    monkeypatch.setattr(cli, "_cmd_audit", bad_data)
    assert cli.main(["audit", "out"]) == EXIT_USER == 2
    err = capsys.readouterr().err
    assert err == "erreur : personnes.csv : colonne pseudonym absente\n"


@pytest.mark.parametrize(
    "error", [InternalError("invariant cassé"), KeyError("colonne"), ZeroDivisionError()]
)
def test_internal_error_writes_a_log_without_data_and_exits_3(error, monkeypatch, tmp_path, capsys):
    row = ",".join(["P" + "0001", "1985-03-02", "F", "BXL"])

    def broken(args):
        try:
            raise ValueError(f"cause\n{row}")  # a data row in a later line of the message
        except ValueError as cause:
            raise error from cause

    monkeypatch.setattr(cli, "_cmd_audit", broken)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    assert cli.main(["audit", "out"]) == EXIT_INTERNAL == 3
    err = capsys.readouterr().err
    logs = list(tmp_path.glob("espacep-erreur-*.log"))
    assert len(logs) == 1 and err.count("\n") == 1
    assert err.startswith(f"erreur interne ({type(error).__name__}) :") and str(logs[0]) in err
    assert "Traceback" not in err
    log = logs[0].read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in log and "in broken" in log
    assert f"{type(error).__name__}" in log and "ValueError: cause" in log
    assert "P0001" not in log


def test_log_files_of_the_same_second_do_not_overwrite(tmp_path):
    import datetime as dt

    now = dt.datetime(2020, 1, 2, 3, 4, 5)
    first = clitext.write_error_log(RuntimeError("a"), tmp_path, now)
    second = clitext.write_error_log(RuntimeError("b"), tmp_path, now)
    assert first.name == "espacep-erreur-20200102-030405.log"
    assert second.name == "espacep-erreur-20200102-030405-2.log"
    assert "RuntimeError: a" in first.read_text() and "RuntimeError: b" in second.read_text()
