"""Validation schemas of the record-level exports, built from `codes`.

Each table of the data contract is declared once, as a `TableSpec` in
`TABLES`: its columns (from `codes.COLUMNS`), which may be empty, its key, the
type of each column, its closed code lists and its row rules. `build_schema`
turns a spec into a pandera ``DataFrameSchema`` (column dtypes, required
values, code lists, ranges), each check carrying a rule id (English
snake_case, in ``Check.name``) and a French message (in ``Check.error``).
Rules that involve several columns or several tables are small named,
vectorised functions (`RowRule`); each returns a frame of failures.

To add a table: add its columns to ``codes.COLUMNS`` / ``OPTIONAL_COLUMNS`` /
``KEYS``, then declare one `TableSpec` in `TABLES` (``required_file=False``
when a data directory may lack it). `load` needs no change.

The outreach tables (contacts, social_actions, activities) are optional files
and carry no ``person_column``: outreach reaches many persons never seen
medically, so their pseudonyms are not looked up in persons.

Rule ids and their plain-French meaning are listed in `RULES` (the data
dictionary ``data/README.md`` repeats them).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import codes

# --- rule ids -> plain-French meaning (the messages refine them per column) -------
RULES: dict[str, str] = {
    "missing_file": "fichier attendu absent du dossier de données",
    "ambiguous_file": "plusieurs fichiers pour la même table (.csv et .xlsx)",
    "unreadable_file": "fichier illisible (encodage, format, fichier endommagé)",
    "empty_file": "fichier vide (aucune ligne de données)",
    "missing_column": "colonne obligatoire absente",
    "persons_unavailable": "persons est rejeté en entier : références non vérifiables",
    "empty_value": "valeur obligatoire manquante",
    "duplicate_column": "plusieurs colonnes de l'en-tête portent le même nom (site, SITE, site )",
    "sheet_not_found": "classeur à plusieurs feuilles sans feuille nommée comme la table",
    "formula_without_value": "cellule Excel calculée par une formule sans valeur enregistrée",
    "missing_fields": "ligne avec moins de champs que l'en-tête (fichier coupé)",
    "unknown_code": "code inconnu (hors de la liste fermée de la colonne)",
    "withdrawn_code": "code pays retiré de la norme ISO 3166-1 (AN, YU, CS, ZR, TP, ...)",
    "date_unparseable": "date illisible (formats acceptés : AAAA-MM-JJ ou JJ/MM/AAAA)",
    "date_out_of_range": "date hors de la plage plausible",
    "not_a_number": "nombre illisible",
    "scientific_notation": "notation scientifique (1e3) dans une colonne de nombres entiers",
    "number_out_of_range": "nombre entier au-delà de la borne plausible de sa colonne",
    "invalid_boolean": "valeur oui/non illisible",
    "negative_number": "nombre négatif",
    "implausible_age": "âge à l'inclusion hors de 14 à 90 ans",
    "duplicate_key": "clé en double",
    "unknown_person": "pseudonyme absent de persons",
    "person_rejected": "pseudonyme dont la ligne de persons est rejetée",
    "event_before_birth": "événement antérieur à l'année de naissance",
    "event_before_inclusion": "événement antérieur à la date d'inclusion",
    "invalid_result": "résultat non valide pour ce test",
    "titre_missing": "titre anti-HBs manquant",
    "titre_unexpected": "titre renseigné pour un test qui n'en a pas",
    "titre_result_inconsistent": "résultat anti-HBs incohérent avec le titre",
    "result_given_before_sample": "résultat remis avant la date du prélèvement",
    "invalid_detail": "détail de l'acte manquant ou non valide",
    "unexpected_detail": "détail renseigné pour un acte qui n'en a pas",
    "unexpected_coverage_status": "statut de couverture sans question posée",
    "negative_count": "effectif négatif (séances, participants, préservatifs, brochures)",
    "zero_sessions": "activité sans séance (sessions doit valoir au moins 1)",
    "platform_missing": "plateforme manquante pour un contact par internet",
    "platform_unexpected": "plateforme renseignée pour un contact hors internet",
    "place_missing": "lieu du premier contact manquant",
    "place_unexpected": "lieu renseigné alors que ce n'est pas un premier contact",
    "duplicate_first_contact": "plusieurs premiers contacts de l'année pour une même personne",
}

MIN_DATE = pd.Timestamp("1990-01-01")
MIN_AGE, MAX_AGE = 14, 90

# Accepted spellings of yes / no: one list, in codes.py
TRUE_VALUES = codes.BOOLEAN_TRUE
FALSE_VALUES = codes.BOOLEAN_FALSE

# Column types; any column not listed is text ("str")
COLUMN_TYPES: dict[str, str] = {
    "birth_year": "int",
    "titre": "float",
    "coverage_asked": "bool",
    "inclusion_date": "date",
    "date": "date",
    "sample_date": "date",
    "result_given_date": "date",
    "first_contact": "bool",
    "sessions": "int",
    "participants": "int",
    "condoms": "int",
    "brochures": "int",
}
# Counts of the activities table: whole numbers >= 0 (rule negative_count); sessions >= 1
COUNT_COLUMNS = ("sessions", "participants", "condoms", "brochures")
# Plausible bound of each whole-number column (rule number_out_of_range, on the absolute
# value): one row of activities is one activity (sessions: at most one a day for a year;
# the synthetic data's largest are 3 sessions, 400 participants, 3 500 condoms, 59
# brochures). The bound also keeps every accepted value inside Int64 (2**63 is refused).
INT_BOUNDS: dict[str, int] = {
    "birth_year": 9999,
    "sessions": 366,
    "participants": 10_000,
    "condoms": 100_000,
    "brochures": 100_000,
}
# Dtypes of the typed frames (see `dataset`); "bool" is nullable during validation
DTYPES = {"str": "string", "int": "Int64", "float": "float64", "date": "datetime64[ns]", "bool": "boolean"}


iso_country_codes = codes.iso_country_codes
withdrawn_country_codes = codes.withdrawn_country_codes


@dataclass(frozen=True)
class Context:
    """What validation needs beyond the table itself.

    ``max_date`` bounds event dates (today, or 31 December of the declared
    year); ``today`` bounds ``result_given_date``. ``persons`` holds the accepted,
    typed persons indexed by pseudonym (None when persons.csv is unusable) and
    ``rejected_persons`` the pseudonyms whose persons row was rejected.
    """

    site_codes: tuple[str, ...]
    max_date: pd.Timestamp
    today: pd.Timestamp
    persons: pd.DataFrame | None = None
    rejected_persons: frozenset[str] = frozenset()


def make_context(site_codes, year: int | None = None, today: dt.date | None = None) -> Context:
    """Build a `Context`; dates are bounded by ``today`` and by the end of ``year``."""
    today_ts = pd.Timestamp(today or dt.date.today())
    max_date = today_ts
    if year is not None:
        max_date = min(today_ts, pd.Timestamp(int(year), 12, 31))
    return Context(site_codes=tuple(site_codes), max_date=max_date, today=today_ts)


def failures(
    raw: pd.DataFrame, mask: pd.Series, column: str, rule: str, message, value: pd.Series | None = None
) -> pd.DataFrame:
    """Failures frame (line, column, value, rule, message) for the rows where ``mask``.

    ``message`` is a string or a Series aligned on ``raw``; ``value`` defaults
    to the raw text of ``column``.
    """
    mask = mask.fillna(False).to_numpy(dtype=bool)
    if not mask.any():
        return _NO_FAILURES
    idx = raw.index[mask]
    values = (raw[column] if value is None else value).reindex(idx)
    msg = message.reindex(idx) if isinstance(message, pd.Series) else message
    return pd.DataFrame(
        {
            "line": idx,
            "column": column,
            "value": values.astype("string").fillna("").to_numpy(),
            "rule": rule,
            "message": msg,
        }
    )


_NO_FAILURES = pd.DataFrame(
    {c: pd.Series(dtype=object) for c in ("line", "column", "value", "rule", "message")}
)

RuleFunc = Callable[[pd.DataFrame, pd.DataFrame, Context], pd.DataFrame]


@dataclass(frozen=True)
class RowRule:
    """A named rule on whole rows: ``func(typed, raw, ctx) -> failures frame``."""

    name: str
    func: RuleFunc


@dataclass(frozen=True)
class TableSpec:
    """One table of the data contract.

    ``codes`` maps a column to its closed list (``site`` and ``nationality``
    get theirs from the context / ISO list). ``person_column`` references
    persons (referential integrity); ``event_dates`` must not precede the
    person's inclusion date or birth year. ``required_file`` False: a data
    directory may lack the file (no rejection; a present file is validated fully).
    """

    name: str
    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()
    keys: tuple[str, ...] | None = None
    codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    person_column: str | None = None
    event_dates: tuple[str, ...] = ()
    row_rules: tuple[RowRule, ...] = ()
    required_file: bool = True

    @property
    def file_stem(self) -> str:
        return self.name

    def column_type(self, column: str) -> str:
        return COLUMN_TYPES.get(column, "str")


def _code_list(values) -> str:
    return ", ".join(values)


def _column_checks(spec: TableSpec, column: str, ctx: Context) -> list[pa.Check]:
    """Element-wise pandera checks of one column, each named by its rule id."""
    checks = []
    kind = spec.column_type(column)
    if column in spec.codes:
        allowed = spec.codes[column]
        checks.append(
            pa.Check.isin(
                allowed, name="unknown_code", error=f"code inconnu (codes valides : {_code_list(allowed)})"
            )
        )
    elif column == "site":
        checks.append(
            pa.Check.isin(
                ctx.site_codes,
                name="unknown_code",
                error="code de site inconnu (codes valides : " f"{_code_list(ctx.site_codes)})",
            )
        )
    elif column == "nationality":  # withdrawn codes are the rule withdrawn_code's
        known = iso_country_codes() + tuple(withdrawn_country_codes())
        checks.append(
            pa.Check.isin(
                known,
                name="unknown_code",
                error="code pays inconnu (attendu : code ISO 3166-1 "
                "alpha-2 en deux lettres, p. ex. BE, FR, RO)",
            )
        )
    if kind == "date":
        top = ctx.today if column == "result_given_date" else ctx.max_date
        checks.append(
            pa.Check.in_range(
                MIN_DATE,
                top,
                name="date_out_of_range",
                error=f"date hors de la plage plausible " f"({MIN_DATE:%d/%m/%Y} au {top:%d/%m/%Y})",
            )
        )
    if column in COUNT_COLUMNS:
        checks.append(
            pa.Check.ge(0, name="negative_count", error="effectif négatif (nombre entier >= 0 attendu)")
        )
        if column == "sessions":
            checks.append(
                pa.Check.ne(
                    0,
                    name="zero_sessions",
                    error="une activité compte au moins une séance " "(sessions >= 1)",
                )
            )
    elif kind in ("int", "float"):
        checks.append(pa.Check.ge(0, name="negative_number", error="nombre négatif"))
    return checks


def build_schema(spec: TableSpec, ctx: Context) -> pa.DataFrameSchema:
    """The pandera schema of ``spec`` on the typed frame (see `DTYPES`).

    Schemas of the tables of `TABLES` are cached per (table, sites, date bounds).
    """
    if TABLES.get(spec.name) is spec:
        return _table_schema(spec.name, ctx.site_codes, ctx.max_date, ctx.today)
    return _make_schema(spec, ctx)


@functools.lru_cache(maxsize=64)
def _table_schema(
    name: str, site_codes: tuple[str, ...], max_date: pd.Timestamp, today: pd.Timestamp
) -> pa.DataFrameSchema:
    return _make_schema(TABLES[name], Context(site_codes, max_date, today))


def _schema_dtype(kind: str) -> str | None:
    """Dtype pandera checks for a column kind; None for text.

    Text columns are always pandas ``string`` (`load.parse_table` builds them
    so); pandera 0.35 checks that dtype element-wise and then builds an empty
    failure-case frame, which made up half of the validation time of small
    tables, so it is not asked to.
    """
    return None if kind == "str" else DTYPES[kind]


def _make_schema(spec: TableSpec, ctx: Context) -> pa.DataFrameSchema:
    columns = {
        column: pa.Column(
            _schema_dtype(spec.column_type(column)),
            checks=_column_checks(spec, column, ctx),
            nullable=column in spec.optional,
            required=True,
        )
        for column in spec.columns
    }
    return pa.DataFrameSchema(columns, name=spec.name, strict=False, coerce=False)


# --- row rules (vectorised) ----------------------------------------------------------
def implausible_age(typed, raw, ctx):
    """persons: age at inclusion (inclusion year - birth year) outside 14..90."""
    age = typed["inclusion_date"].dt.year - typed["birth_year"].astype("float64")
    bad = (typed["birth_year"] >= 0) & ((age < MIN_AGE) | (age > MAX_AGE))
    return failures(
        raw,
        bad,
        "birth_year",
        "implausible_age",
        f"année de naissance peu plausible : âge à l'inclusion hors de " f"{MIN_AGE} à {MAX_AGE} ans",
    )


def withdrawn_nationality(typed, raw, ctx):
    """persons: a nationality code withdrawn from ISO 3166-1 (AN, YU, CS, ZR, TP, ...)."""
    withdrawn = withdrawn_country_codes()
    nationality = typed["nationality"]
    bad = nationality.isin(list(withdrawn)).fillna(False)
    message = nationality[bad].map(
        lambda code: (
            f"code pays retiré de la norme ISO 3166-1 ({withdrawn[code]}) : indiquer le code "
            "actuel du pays de nationalité (ISO 3166-1 alpha-2)"
        )
    )
    return failures(raw, bad, "nationality", "withdrawn_code", message)


def unexpected_coverage_status(typed, raw, ctx):
    """consultations: a coverage status is recorded only when coverage was asked."""
    bad = typed["coverage_status"].notna() & (typed["coverage_asked"] == False)  # noqa: E712
    return failures(
        raw,
        bad,
        "coverage_status",
        "unexpected_coverage_status",
        "statut de couverture renseigné alors que coverage_asked est faux",
    )


def invalid_result(typed, raw, ctx):
    """lab_results: result in the list of its test's kind (binary or cytology)."""
    test, result = typed["test"], typed["result"]
    cyto = test.isin(codes.CYTOLOGY_TESTS)
    binary = test.isin(codes.BINARY_TESTS + codes.TITRE_TESTS)
    ok = (cyto & result.isin(codes.CYTOLOGY_RESULTS)) | (binary & result.isin(codes.BINARY_RESULTS))
    bad = result.notna() & (cyto | binary) & ~ok.fillna(False)
    message = pd.Series(
        f"résultat non valide pour ce test (valeurs valides : {_code_list(codes.BINARY_RESULTS)})",
        index=typed.index,
    )
    message[cyto.fillna(False)] = (
        "résultat non valide pour une cytologie (valeurs valides : " f"{_code_list(codes.CYTOLOGY_RESULTS)})"
    )
    return failures(raw, bad, "result", "invalid_result", message)


def titre_rules(typed, raw, ctx):
    """lab_results: anti-HBs needs a titre, and the result follows the protective titre."""
    limit = codes.ANTI_HBS_PROTECTIVE_TITRE
    titre_test = typed["test"].isin(codes.TITRE_TESTS).fillna(False)
    titre = typed["titre"]
    missing = titre_test & titre.isna() & raw["titre"].isna()
    unexpected = ~titre_test & typed["test"].notna() & raw["titre"].notna()
    expected = pd.Series(pd.NA, index=typed.index, dtype="string")
    expected[titre >= limit] = "positive"
    expected[titre < limit] = "negative"
    inconsistent = (
        titre_test & titre.notna() & typed["result"].notna() & (typed["result"] != expected).fillna(False)
    )
    limit_txt = f"{limit:g}".replace(".", ",")
    return pd.concat(
        [
            failures(raw, missing, "titre", "titre_missing", "titre anti-HBs obligatoire (mUI/mL)"),
            failures(
                raw,
                unexpected,
                "titre",
                "titre_unexpected",
                "titre renseigné pour un test autre que anti_hbs",
            ),
            failures(
                raw,
                inconsistent,
                "result",
                "titre_result_inconsistent",
                f"résultat anti-HBs incohérent avec le titre (positive si titre >= "
                f"{limit_txt} mUI/mL, negative sinon)",
            ),
        ]
    )


def result_given_before_sample(typed, raw, ctx):
    """lab_results: the result is not handed over before the sample was taken."""
    bad = typed["result_given_date"] < typed["sample_date"]
    return failures(
        raw,
        bad,
        "result_given_date",
        "result_given_before_sample",
        "date de remise du résultat antérieure à la date du prélèvement",
    )


# act -> allowed details and what they are; acts not listed take no detail
ACT_DETAILS: dict[str, tuple[tuple[str, ...], str]] = {
    "hbv_vaccine": (codes.VACCINE_DOSES, "numéro de dose"),
    "treatment": (codes.PATHOLOGIES, "pathologie traitée"),
    "referral": (codes.REFERRAL_DESTINATIONS, "destination de l'orientation"),
}


def detail_rules(typed, raw, ctx):
    """medical_acts: detail from the act's list (dose, pathology, destination), else empty."""
    act, detail = typed["act"], typed["detail"]
    parts = []
    for name, (allowed, what) in ACT_DETAILS.items():
        bad = (act == name) & ~detail.isin(allowed).fillna(False)
        parts.append(
            failures(
                raw,
                bad,
                "detail",
                "invalid_detail",
                f"détail de l'acte {name} manquant ou non valide : {what} "
                f"attendu(e) (valeurs valides : {_code_list(allowed)})",
            )
        )
    no_detail = act.notna() & act.isin(codes.ACTS) & ~act.isin(tuple(ACT_DETAILS))
    parts.append(
        failures(
            raw,
            no_detail & detail.notna(),
            "detail",
            "unexpected_detail",
            "détail renseigné pour un acte qui n'en a pas (laisser vide)",
        )
    )
    return pd.concat(parts)


def platform_rules(typed, raw, ctx):
    """contacts: a platform for internet contacts, and only for them."""
    channel = typed["channel"]
    internet = (channel == "internet").fillna(False)
    other = channel.isin([c for c in codes.CHANNELS if c != "internet"]).fillna(False)
    return pd.concat(
        [
            failures(
                raw,
                internet & raw["platform"].isna(),
                "platform",
                "platform_missing",
                "plateforme obligatoire pour un contact par internet (valeurs valides : "
                f"{_code_list(codes.PLATFORMS)})",
            ),
            failures(
                raw,
                other & raw["platform"].notna(),
                "platform",
                "platform_unexpected",
                "plateforme renseignée pour un contact hors internet (laisser vide sauf si "
                "channel vaut internet)",
            ),
        ]
    )


def place_rules(typed, raw, ctx):
    """social_actions: the place of the first contact of the year, and only for it."""
    first = typed["first_contact"]
    return pd.concat(
        [
            failures(
                raw,
                (first == True).fillna(False) & raw["place"].isna(),  # noqa: E712
                "place",
                "place_missing",
                "lieu du premier contact obligatoire quand first_contact est vrai "
                f"(valeurs valides : {_code_list(codes.FIRST_CONTACT_PLACES)})",
            ),
            failures(
                raw,
                (first == False).fillna(False) & raw["place"].notna(),  # noqa: E712
                "place",
                "place_unexpected",
                "lieu renseigné alors que first_contact est faux (laisser vide)",
            ),
        ]
    )


def duplicate_first_contact(typed, raw, ctx):
    """social_actions: at most one first contact per pseudonym and calendar year.

    Every occurrence is rejected (as for `duplicate_keys`), the message naming
    the year and the lines involved.
    """
    first = (
        (typed["first_contact"] == True).fillna(False)  # noqa: E712
        & typed["pseudonym"].notna()
        & typed["date"].notna()
    )
    sub = pd.DataFrame(
        {"pseudonym": typed["pseudonym"], "year": typed["date"].dt.year}, index=typed.index
    ).loc[first.to_numpy(dtype=bool)]
    dup = sub.duplicated(keep=False)
    if not dup.any():
        return _NO_FAILURES
    sub = sub.loc[dup].astype({"year": "int64"})
    sub["_line"] = sub.index.astype(str)
    lines = sub.groupby(["pseudonym", "year"], sort=False)["_line"].transform(", ".join)
    message = (
        "premier contact de l'année "
        + sub["year"].astype(str)
        + " déjà déclaré pour "
        + sub["pseudonym"].astype(str)
        + " (lignes "
        + lines
        + ") : un seul par personne et par année civile"
    )
    mask = pd.Series(raw.index.isin(sub.index), index=raw.index)
    return failures(raw, mask, "first_contact", "duplicate_first_contact", message)


# --- the tables ---------------------------------------------------------------------------
def _spec(name: str, **kwargs) -> TableSpec:
    return TableSpec(
        name=name,
        columns=codes.COLUMNS[name],
        optional=codes.OPTIONAL_COLUMNS.get(name, ()),
        keys=codes.KEYS.get(name),
        **kwargs,
    )


TABLES: dict[str, TableSpec] = {
    "persons": _spec(
        "persons",
        codes={"gender": codes.GENDERS},
        row_rules=(
            RowRule("implausible_age", implausible_age),
            RowRule("withdrawn_code", withdrawn_nationality),
        ),
    ),
    "consultations": _spec(
        "consultations",
        codes={
            "workplace": codes.WORKPLACES,
            "gp": codes.DOCTOR_STATUSES,
            "gynaecologist": codes.DOCTOR_STATUSES,
            "coverage_status": codes.COVERAGE_STATUSES,
        },
        person_column="pseudonym",
        event_dates=("date",),
        row_rules=(RowRule("unexpected_coverage_status", unexpected_coverage_status),),
    ),
    "lab_results": _spec(
        "lab_results",
        codes={"test": codes.TESTS},
        person_column="pseudonym",
        event_dates=("sample_date",),
        row_rules=(
            RowRule("invalid_result", invalid_result),
            RowRule("titre_rules", titre_rules),
            RowRule("result_given_before_sample", result_given_before_sample),
        ),
    ),
    "medical_acts": _spec(
        "medical_acts",
        codes={"act": codes.ACTS},
        person_column="pseudonym",
        event_dates=("date",),
        row_rules=(RowRule("detail_rules", detail_rules),),
    ),
    # Outreach and social work: optional files, pseudonyms not looked up in persons
    "contacts": _spec(
        "contacts",
        codes={"channel": codes.CHANNELS, "platform": codes.PLATFORMS, "workplace": codes.WORKPLACES},
        row_rules=(RowRule("platform_rules", platform_rules),),
        required_file=False,
    ),
    "social_actions": _spec(
        "social_actions",
        codes={"demand": codes.DEMANDS, "place": codes.FIRST_CONTACT_PLACES},
        row_rules=(
            RowRule("place_rules", place_rules),
            RowRule("duplicate_first_contact", duplicate_first_contact),
        ),
        required_file=False,
    ),
    "activities": _spec(
        "activities", codes={"programme": codes.PROGRAMMES, "type": codes.ACTIVITY_TYPES}, required_file=False
    ),
}
"""Every table, in validation order (persons first: the others reference it)."""


# --- rules every table gets from its spec (keys, references to persons) -------------------
def duplicate_keys(spec: TableSpec, typed: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Rows sharing the key ``spec.keys`` (parsed values): every occurrence is rejected."""
    if not spec.keys:
        return failures(raw, pd.Series(False, index=raw.index), spec.columns[0], "", "")
    keys = list(spec.keys)
    complete = typed[keys].notna().all(axis=1)
    dup = typed[keys].duplicated(keep=False) & complete
    if not dup.any():
        return failures(raw, dup, keys[0], "", "")
    sub = typed.loc[dup, keys]
    sub = pd.DataFrame(
        {
            k: sub[k].dt.strftime("%Y-%m-%d") if sub[k].dtype.kind == "M" else sub[k].astype("string")
            for k in keys
        },
        index=sub.index,
    )
    sub["_line"] = sub.index.astype(str)
    lines = sub.groupby(keys, sort=False)["_line"].transform(", ".join)
    value = sub[keys].agg(" | ".join, axis=1)
    message = "clé en double (" + ", ".join(keys) + ") : même clé aux lignes " + lines
    # column names the key; the value of a multi-column key is "a | b | c"
    return failures(raw, dup, keys[0], "duplicate_key", message, value=value).assign(column=", ".join(keys))


def _take(values: np.ndarray, pos: np.ndarray, fill) -> np.ndarray:
    """``values[pos]``, ``fill`` where ``pos`` is -1 (works when ``values`` is empty)."""
    out = np.full(len(pos), fill, dtype=values.dtype)
    found = pos >= 0
    out[found] = values[pos[found]]
    return out


def person_rules(spec: TableSpec, typed: pd.DataFrame, raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Referential integrity with persons, and events not before inclusion or birth."""
    col = spec.person_column
    if col is None or ctx.persons is None:
        return failures(raw, pd.Series(False, index=raw.index), spec.columns[0], "", "")
    who = typed[col]
    pos = ctx.persons.index.get_indexer(who.to_numpy(dtype=object, na_value=None))
    known = pd.Series(pos >= 0, index=typed.index)
    rejected = (
        who.isin(list(ctx.rejected_persons)).fillna(False)
        if ctx.rejected_persons
        else pd.Series(False, index=typed.index)
    )
    parts = [
        failures(
            raw, who.notna() & ~known & ~rejected, col, "unknown_person", "pseudonyme absent de persons"
        ),
        failures(
            raw,
            rejected,
            col,
            "person_rejected",
            "la ligne de ce pseudonyme dans persons est rejetée (voir ci-dessus)",
        ),
    ]
    birth = pd.Series(
        _take(ctx.persons["birth_year"].to_numpy(dtype="float64", na_value=np.nan), pos, np.nan),
        index=typed.index,
    )
    inclusion = pd.Series(
        _take(
            ctx.persons["inclusion_date"].to_numpy(dtype="datetime64[ns]"), pos, np.datetime64("NaT", "ns")
        ),
        index=typed.index,
    )
    for date_col in spec.event_dates:
        date = typed[date_col]
        before_birth = (date.dt.year < birth).fillna(False)
        before_incl = (date < inclusion).fillna(False) & ~before_birth
        parts.append(
            failures(
                raw,
                before_birth,
                date_col,
                "event_before_birth",
                "date antérieure à l'année de naissance de la personne",
            )
        )
        when = inclusion[before_incl].dt.strftime("%d/%m/%Y")
        parts.append(
            failures(
                raw,
                before_incl,
                date_col,
                "event_before_inclusion",
                "date antérieure à la date d'inclusion de la personne (" + when + ")",
            )
        )
    return pd.concat(parts)


# --- the figures table (what the reports print) ------------------------------------------------

_FIGURE_TEXT = ("indicator", "label", "scope", "method", "unit", "base_indicator")
_FIGURE_NUMBERS = ("numerator", "denominator", "value", "lower", "upper")
_FIGURE_YEARS = ("year_from", "year_to")
FIGURE_CORE_COLUMNS: tuple[str, ...] = (
    "indicator",
    "year",
    "scope",
    "numerator",
    "denominator",
    "value",
    "unit",
)
"""The columns disclosure control needs (the others are checked when present)."""


def _is_text(series: pd.Series) -> bool:
    """Text, or nothing at all (a column left empty)."""
    return bool(pd.api.types.is_string_dtype(series) or series.isna().all())


def _comparisons_named(frame: pd.DataFrame) -> pd.Series:
    """A comparison row (``base_indicator`` set) says the years it compares, up to its own year."""
    if not {"base_indicator", "year_from", "year_to"} <= set(frame.columns):
        return pd.Series(True, index=frame.index)
    base = frame["base_indicator"].fillna("").astype(str) != ""
    years = frame["year_from"].notna() & frame["year_to"].notna()
    ok = ~base | (years & (frame["year_from"] < frame["year_to"]))
    return (ok & (base | frame["year_to"].isna())).fillna(False).astype(bool)


def _figure_column(name: str, required: bool) -> pa.Column:
    from .units import FIGURE_UNITS

    if name in _FIGURE_TEXT:
        checks = [pa.Check(_is_text, name="text", error="texte attendu")]
        if name == "unit":
            checks.append(pa.Check.isin(FIGURE_UNITS, name="unknown_unit", error="unité inconnue"))
        nullable = name not in ("indicator", "scope", "unit")
        return pa.Column(None, checks, nullable=nullable, required=required)
    if name == "year":
        return pa.Column("int64", coerce=True, required=required)
    if name in _FIGURE_YEARS:
        return pa.Column("Int64", nullable=True, coerce=True, required=required)
    return pa.Column("float64", nullable=True, coerce=True, required=required)


@functools.cache
def figures_schema(core_only: bool = False) -> pa.DataFrameSchema:
    """The pandera schema of the figures table (`definitions.FIGURE_COLUMNS`).

    ``core_only``: only :data:`FIGURE_CORE_COLUMNS` are required, the other
    columns are checked when present (disclosure control's entry, which
    accepts hand-made tables). Numbers are coerced to float64, years to
    int64 (``year_from`` / ``year_to``: nullable Int64). Extra columns
    (``suppressed``, ``source``, ...) are allowed.
    """
    from .definitions import FIGURE_COLUMNS

    columns = {
        name: _figure_column(name, not core_only or name in FIGURE_CORE_COLUMNS) for name in FIGURE_COLUMNS
    }
    check = pa.Check(
        _comparisons_named, name="comparison_years", error="ligne de comparaison sans ses années"
    )
    return pa.DataFrameSchema(columns, checks=[check], name="figures", strict=False, coerce=False)


def check_figures(figures: pd.DataFrame, where: str, *, core_only: bool = False) -> pd.DataFrame:
    """``figures`` validated against :func:`figures_schema` (coerced), or raise.

    Parameters
    ----------
    figures : DataFrame
        A figures table crossing a boundary (indicators -> disclosure ->
        pages -> ``figures.csv``).
    where : str
        Who checks, for the message.
    core_only : bool
        See :func:`figures_schema`.

    Raises
    ------
    EspacepError
        Not a DataFrame, a missing column, a wrong type or an unknown unit:
        a programming error in whatever produced the table.
    """
    from .errors import EspacepError

    if not isinstance(figures, pd.DataFrame):
        raise EspacepError(f"{where}: expected the figures table (a DataFrame), got {type(figures).__name__}")
    schema = figures_schema(core_only)
    missing = [name for name, column in schema.columns.items() if column.required and name not in figures]
    if missing:
        raise EspacepError(f"{where}: the figures table lacks column(s) {missing}")
    try:
        return schema.validate(figures)
    except pa.errors.SchemaErrors as err:  # a failed coercion raises this one, even when not lazy
        cases = err.failure_cases
        first = ", ".join(
            f"column {c!r}: {k}" for c, k in dict.fromkeys(zip(cases["column"], cases["check"]))
        )
        raise EspacepError(f"{where}: the figures table does not match its schema: {first}") from None
    except pa.errors.SchemaError as err:
        first = str(err).strip().splitlines()[0]
        raise EspacepError(f"{where}: the figures table does not match its schema: {first}") from None
