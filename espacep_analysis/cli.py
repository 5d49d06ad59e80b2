"""Command line: ``espacep validate | synthetic | report | new-year | audit``, in French.

Exit statuses: 0 success; 1 a check found problems (validation, audit, a
failed report); 2 a problem the user can fix (`errors.EspacepError`: data,
params, options), printed on one line without a traceback; 3 an internal
error (`errors.InternalError` or any unexpected exception): the traceback
goes to ``espacep-erreur-<horodatage>.log`` in the system's temporary
directory (`clitext.write_error_log`) and one line names that file;
130 interrupted (or the status of the signal that stopped a report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import funders as registry
from . import settings
from .clitext import FrenchHelpFormatter, french_argparse, write_error_log
from .errors import EXIT_INTERNAL, EXIT_USER, EspacepError, ParameterError, RunInterrupted

# Defaults, relative to the working directory's project (`settings.find_project`): see `_project_path`
DEFAULT_DATA = "data/synthetic"
DEFAULT_OUTPUT = "outputs"
DEFAULT_PARAMS = "params"


# Validation refuses any date before 1990 or after today, so no data set covers other years
MIN_YEAR = 1990


class YearsOutOfRange(ParameterError):
    """``--years`` names a year no data set can cover."""


def _year_range(part: str) -> tuple[int, int]:
    """``"2019"`` -> (2019, 2019); ``"2017-2019"`` -> (2017, 2019); ValueError otherwise."""
    if "-" in part:
        first, last = (int(p) for p in part.split("-", 1))
    else:
        first = last = int(part)
    if last < first:
        raise ValueError(part)
    return first, last


def parse_years(text: str, today: dt.date | None = None) -> list[int]:
    """``"2019"`` -> [2019]; ``"2017-2019"`` -> [2017, 2018, 2019]; ``"2017,2019"`` -> [2017, 2019].

    Every year must lie between `MIN_YEAR` and the current year (the dates
    validation accepts); this is checked before a range is expanded, so
    ``1-999999999999`` is a message, not a ``MemoryError``. Whether the data
    hold each year is checked by the batch, which names the years they cover.

    Raises
    ------
    ParameterError : not a year, range or comma list; `YearsOutOfRange` outside the bounds.
    """
    top = (today or dt.date.today()).year
    ranges = []
    for part in text.split(","):
        try:
            ranges.append(_year_range(part.strip()))
        except ValueError:
            raise ParameterError(
                f"--years : {text!r} n'est ni une année, ni une plage comme 2017-2019, ni une liste "
                "séparée par des virgules"
            ) from None
    outside = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges if a < MIN_YEAR or b > top]
    if outside:
        raise YearsOutOfRange(
            f"--years : {', '.join(outside)} hors de {MIN_YEAR}-{top} (aucune donnée ne peut "
            f"contenir de date avant {MIN_YEAR} ni après aujourd'hui)"
        )
    return sorted({y for a, b in ranges for y in range(a, b + 1)})


def _data_years_note(data_dir: Path) -> str:
    """``"les données de DIR couvrent 2017, 2018, 2019"`` (or why they could not be read)."""
    from .load import validate_and_load

    try:
        years = validate_and_load(data_dir)[0].years
    except EspacepError as exc:
        return f"les années des données de {data_dir} sont inconnues ({exc})"
    shown = ", ".join(map(str, years)) if years else "aucune année (aucune consultation acceptée)"
    return f"les données de {data_dir} couvrent {shown}"


def _report_years(text: str | None, data_dir: Path) -> list[int] | None:
    """`parse_years` of ``--years``; out of bounds, the message names the data's years."""
    if not text:
        return None
    try:
        return parse_years(text)
    except YearsOutOfRange as exc:
        raise ParameterError(f"{exc} ; {_data_years_note(data_dir)}") from None


def _project_path(given: str | None, default: str) -> Path:
    """An option's directory as given (relative to the working directory), or ``default`` under the project."""
    return Path(given) if given else settings.in_project(default)


def _activate_params(args: argparse.Namespace) -> Path:
    """Make ``--params`` (default: ``params/`` of the project) the params directory of this process."""
    return settings.activate(_project_path(args.params, DEFAULT_PARAMS))


def _cmd_validate(args: argparse.Namespace) -> int:
    """Summary per file and rule (a few examples each); every rejection into ``--rejections``."""
    from . import rejections
    from .load import validate_directory

    _activate_params(args)
    data_dir = _project_path(args.data, DEFAULT_DATA)
    project = settings.find_project()
    outputs = (project / DEFAULT_OUTPUT,) if project is not None else ()
    target = rejections.check_destination(Path(args.rejections), data_dir, outputs)
    report = validate_directory(data_dir)
    rejections.write_csv(report, target)
    print(rejections.summary(report, csv_name=str(target)))
    print(rejections.written(report, target))
    return 0 if report.ok else 1


def _cmd_synthetic(args: argparse.Namespace) -> int:
    from . import synthetic

    params = _activate_params(args)
    counts = synthetic.generate(
        _project_path(args.out, DEFAULT_DATA), seed=args.seed, targets_path=params / "targets.yaml"
    )
    for table, n in counts.items():
        print(f"{table} : {n} lignes")
    return 0


def _formats(text: str | None) -> tuple[str, ...] | None:
    """``--formats html,docx`` -> the formats, checked against the registry (`renderers`); None: all."""
    from . import renderers

    if not text:
        return None
    return renderers.requested(name.strip() for name in text.split(",") if name.strip())


def _cmd_report(args: argparse.Namespace) -> int:
    from .batch import NOTEBOOKS_DIR, BatchOptions, run_batch

    funders = [f.strip() for f in args.funders.split(",") if f.strip()] if args.funders else None
    if args.workers is not None and args.workers < 1:
        raise ParameterError(f"--workers : {args.workers} ; il faut au moins 1 processus")
    params = _activate_params(args)
    data = _project_path(args.data, DEFAULT_DATA)
    if not args.data:
        print(
            f"--data absent : {data}, l'exemple synthétique (ses rapports portent le bandeau "
            "'DONNÉES SYNTHÉTIQUES')",
            file=sys.stderr,
        )
    options = BatchOptions(
        data_dir=data,
        output_dir=_project_path(args.output, DEFAULT_OUTPUT),
        params_dir=params,
        years=_report_years(args.years, data),
        funders=funders,
        ci_method=args.ci_method,
        lang=args.lang,
        min_cell=args.min_cell,
        pdf=not args.no_pdf,
        formats=_formats(args.formats),
        force=args.force,
        workers=args.workers,
        warm_kernels=not args.fresh_kernels,
        notebooks_dir=Path(args.notebooks) if args.notebooks else NOTEBOOKS_DIR,
        cache_dir=Path(args.cache) if args.cache else None,
        partial=args.partial,
        book=args.book,
        draft=args.draft,
        accept_rejections=args.accept_rejections,
    )
    return run_batch(options)


def _cmd_new_year(args: argparse.Namespace) -> int:
    from .declared import TODO, new_year

    created = new_year(args.year, _project_path(args.params, DEFAULT_PARAMS))
    for content in created:
        print(f"{content.path} : {len(content.missing)} élément(s) à remplir (remplacer {TODO}) :")
        for key in content.missing:
            print(f"  {key}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .audit import audit_outputs, format_findings
    from .batch import recorded_data_dir

    output_dir = Path(args.output_dir)
    data = Path(args.data) if args.data else recorded_data_dir(output_dir)
    if not args.data:
        print(
            f"audit : données de {data} (enregistrées par espacep report dans {output_dir})", file=sys.stderr
        )
    findings = audit_outputs(output_dir, data)
    print(format_findings(findings))
    return 1 if findings else 0


def _params_option(parser: argparse.ArgumentParser, note: str = "") -> None:
    parser.add_argument(
        "--params",
        default=None,
        metavar="DOSSIER",
        help=f"dossier des paramètres : sites.yaml, origins.yaml, <année>/<financeur>.yaml (défaut : "
        f"{DEFAULT_PARAMS}/ du projet du dossier courant){note}",
    )


def _command(sub: argparse._SubParsersAction, name: str, summary: str, description: str):
    """A subcommand whose ``--help`` is French, describes it and names every default."""
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        formatter_class=FrenchHelpFormatter,
        epilog=EPILOG,
    )


EPILOG = (
    "Codes de sortie : 0 succès ; 1 problèmes trouvés ; 2 erreur à corriger (données, paramètres, "
    "options) ; 3 erreur interne (détails dans espacep-erreur-<horodatage>.log, dossier temporaire)."
)


def _validate_parser(sub: argparse._SubParsersAction) -> None:
    p = _command(
        sub,
        "validate",
        "vérifier chaque table exportée et compter les lignes lues, acceptées, rejetées",
        "Valide chaque table exportée. Affiche, par fichier, les lignes lues / acceptées / rejetées "
        "et, par règle, les problèmes avec au plus 3 lignes d'exemple ; écrit chaque rejet (fichier, "
        "ligne, colonne, valeur, règle, message) dans --rejections, à renvoyer à qui a fait l'export. "
        "Ce fichier cite les valeurs rejetées, pseudonymes compris : il est refusé dans le dossier des "
        "données ou un dossier de sorties. Code de sortie 0 si rien n'est rejeté, 1 sinon.",
    )
    p.add_argument(
        "--data",
        default=None,
        metavar="DOSSIER",
        help=f"dossier des exports (défaut : {DEFAULT_DATA} du projet)",
    )
    _params_option(p)
    p.add_argument(
        "--rejections",
        default="rejections.csv",
        metavar="CHEMIN",
        help="fichier, ou dossier, où chaque rejet est écrit (défaut : rejections.csv dans le dossier "
        "courant ; jamais dans --data ni outputs/)",
    )
    p.set_defaults(func=_cmd_validate)


def _synthetic_parser(sub: argparse._SubParsersAction) -> None:
    p = _command(
        sub,
        "synthetic",
        "générer le jeu de données synthétique calibré",
        "Génère les exports synthétiques (personnes, consultations, analyses, actes, contacts, "
        "actions sociales, activités), calibrés sur les cibles de targets.yaml ; même graine, mêmes "
        "fichiers.",
    )
    p.add_argument(
        "--out",
        default=None,
        metavar="DOSSIER",
        help=f"dossier de sortie (défaut : {DEFAULT_DATA} du projet)",
    )
    p.add_argument(
        "--seed", type=int, default=2019, metavar="GRAINE", help="graine aléatoire (sortie déterministe)"
    )
    _params_option(p, " ; son targets.yaml est l'entrée du générateur")
    p.set_defaults(func=_cmd_synthetic)


def _report_parser(sub: argparse._SubParsersAction) -> None:
    p = _command(
        sub,
        "report",
        "produire les rapports (HTML, PDF, Word, Excel, figures.csv) et outputs/index.html",
        "Produit chaque rapport (année, financeur) dans SORTIE/<année>/<financeur>/ (report.html, "
        "report.pdf, report.docx, figures.csv, provenance.json, report.ipynb ; --formats choisit les documents) dans des processus parallèles qui "
        "gardent chacun un noyau Jupyter chaud. Les rapports dont les entrées (données, paramètres, "
        "notebook, paquet, options) n'ont pas changé sont sautés. Chaque rapport n'est publié, par "
        "renommages, qu'une fois complet. Puis SORTIE/index.html est écrit et l'audit des identifiants "
        "parcourt SORTIE. Code de sortie 1 si un rapport a échoué ou si l'audit a trouvé quelque chose.",
    )
    p.add_argument(
        "--data",
        default=None,
        metavar="DOSSIER",
        help=f"dossier des exports (défaut : {DEFAULT_DATA} du projet, l'exemple synthétique : ses "
        "rapports portent le bandeau 'DONNÉES SYNTHÉTIQUES')",
    )
    p.add_argument(
        "--output",
        default=None,
        metavar="SORTIE",
        help=f"dossier de sortie (défaut : {DEFAULT_OUTPUT} du projet)",
    )
    _params_option(p)
    p.add_argument(
        "--years",
        default=None,
        metavar="ANNÉES",
        help="2019, 2017-2019 ou 2017,2019 (défaut : la dernière année complète des données, "
        "dont les enregistrements atteignent décembre)",
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help="produire une année que les données ne couvrent pas jusqu'en décembre ; ses rapports "
        "disent 'du 1er janvier au <dernière date>' (défaut : refusé, en nommant la dernière date)",
    )
    p.add_argument(
        "--funders",
        default=None,
        metavar="FINANCEURS",
        help=f"liste séparée par des virgules parmi {','.join(registry.ids())} "
        "(défaut : tous ; le registre : espacep_analysis.funders)",
    )
    p.add_argument(
        "--ci-method",
        default="wilson",
        metavar="MÉTHODE",
        help="méthode des intervalles de confiance des proportions",
    )
    p.add_argument(
        "--lang",
        default="fr_BE",
        metavar="LANGUE",
        help="format des nombres (fr_BE, nl_BE, en) ; les rapports restent en français",
    )
    p.add_argument(
        "--min-cell",
        type=int,
        default=None,
        metavar="N",
        help="seuil de masquage des petits effectifs (défaut : celui de chaque financeur dans les "
        "paramètres) ; 0 est un usage interne dont les rapports portent le bandeau 'USAGE INTERNE'",
    )
    p.add_argument(
        "--book",
        action="store_true",
        help="produire aussi, pour chaque année, le rapport moral : un seul document réunissant les "
        "programmes des financeurs dans l'ordre publié, dans SORTIE/<année>/<dossier>/ (composition, "
        "titre et dossier : params/book.yaml ; défaut : rapports par financeur seulement)",
    )
    p.add_argument("--no-pdf", action="store_true", help="ne pas produire le PDF (défaut : PDF produit)")
    p.add_argument(
        "--force",
        action="store_true",
        help="produire même si les entrées n'ont pas changé (défaut : rapports à jour sautés)",
    )
    p.add_argument(
        "--formats",
        default=None,
        metavar="FORMATS",
        help="liste séparée par des virgules des documents à produire parmi les formats enregistrés "
        "(html, pdf, docx, ... ; défaut : tous) ; le HTML est toujours produit quand le PDF est demandé",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processus parallèles (défaut : nombre de cœurs ; 1 travaille dans ce processus)",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="démarrer un nouveau noyau Jupyter pour chaque rapport (défaut : un noyau réutilisé "
        "par processus)",
    )
    p.add_argument(
        "--notebooks",
        default=None,
        metavar="DOSSIER",
        help="dossier des notebooks <financeur>.ipynb (défaut : notebooks/ du dépôt)",
    )
    p.add_argument(
        "--cache",
        default=None,
        metavar="DOSSIER",
        help="dossier du cache du contrôle de divulgation (agrégats seulement ; défaut : SORTIE/.cache)",
    )
    p.add_argument(
        "--draft",
        action="store_true",
        help="produire même si params/<année>/<financeur>.yaml contient encore des A_COMPLETER : "
        "chaque page porte BROUILLON et les éléments sont listés (défaut : refus, code 2, en les listant)",
    )
    p.add_argument(
        "--accept-rejections",
        action="store_true",
        help="produire sans les lignes rejetées par la validation (comptées par fichier dans la note "
        "méthodologique et provenance.json) au lieu de refuser les données (défaut : refus, code 2)",
    )
    p.set_defaults(func=_cmd_report)


def _new_year_parser(sub: argparse._SubParsersAction) -> None:
    p = _command(
        sub,
        "new-year",
        "créer params/ANNÉE/ depuis la dernière année antérieure, chaque valeur à A_COMPLETER",
        "Copie les sections et éléments du dernier params/<année>/<financeur>.yaml antérieur dans "
        "params/ANNÉE/, chaque valeur et texte remplacés par A_COMPLETER, et affiche ce qu'il faut "
        "remplir. N'écrase jamais : refuse (code 2) quand params/ANNÉE/ existe.",
    )
    p.add_argument("year", type=int, metavar="ANNÉE", help="la nouvelle année de rapport, par ex. 2020")
    _params_option(p)
    p.set_defaults(func=_cmd_new_year)


def _audit_parser(sub: argparse._SubParsersAction) -> None:
    p = _command(
        sub,
        "audit",
        "chercher dans les sorties produites des identifiants des données d'entrée",
        "Parcourt les sorties produites (HTML, PDF, CSV, notebooks, classeurs) et signale tout "
        "pseudonyme ou date de naissance des données d'entrée. Code de sortie 1 si quelque chose est "
        "trouvé.",
    )
    p.add_argument("output_dir", metavar="SORTIE", help="dossier des sorties produites")
    p.add_argument(
        "--data",
        default=None,
        metavar="DOSSIER",
        help="dossier des exports (défaut : celui enregistré par espacep report dans "
        "SORTIE/.data-dir ; refusé s'il n'y en a pas)",
    )
    _params_option(p, " ; l'audit ne lit aucun paramètre, l'option est acceptée comme partout")
    p.set_defaults(func=_cmd_audit)


def build_parser() -> argparse.ArgumentParser:
    """The ``espacep`` parser; build and use it inside `clitext.french_argparse` for French texts."""
    parser = argparse.ArgumentParser(
        prog="espacep",
        description="Rapports d'Espace P… pour ses financeurs, à partir des exports des dossiers.",
        formatter_class=FrenchHelpFormatter,
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE", title="commandes")
    for add in (_validate_parser, _synthetic_parser, _report_parser, _new_year_parser, _audit_parser):
        add(sub)
    return parser


def _internal_failure(exc: BaseException) -> int:
    """Traceback to a log file, one French line naming it; `EXIT_INTERNAL`."""
    try:
        where = f"détails dans {write_error_log(exc)}"
    except OSError as log_exc:
        where = f"le journal n'a pas pu être écrit ({log_exc.strerror or log_exc})"
    print(
        f"erreur interne ({type(exc).__name__}) : ce n'est pas un problème de vos données ni de vos "
        f"paramètres ; {where} (à transmettre à la maintenance)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit statuses in the module's docstring."""
    with french_argparse():
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RunInterrupted as exc:
        print(exc, file=sys.stderr)
        return exc.exit_status
    except EspacepError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
    except Exception as exc:
        return _internal_failure(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
