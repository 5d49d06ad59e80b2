"""Disclosure control: primary, derived, complementary and cross-report suppression.

Expected masks are worked out by hand in the comments (the documented rule:
in a line with exactly one masked cell, mask its smallest non-zero published
cell; then no masked cell may have a single feasible value). Invariants are
checked against a brute-force enumeration of the integer tables a reader
could reconstruct, independent of the linear programs the module uses.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from espacep_analysis.disclosure import (
    Partition,
    Relation,
    cross_report_check,
    hierarchy_partitions,
    mask_labels,
    masked_label,
    methods_note,
    protect_across_reports,
    suppress_figures,
    suppress_partition,
    suppress_table,
    with_totals,
)
from espacep_analysis.errors import EspacepError, InternalError
from espacep_analysis.sites import load_sites

NBSP = "\u00a0"


def fig(*rows, year=2019):
    """Figures table from (indicator, scope, value, numerator, denominator, unit[, year])."""
    out = []
    for row in rows:
        ind, scope, value, num, den, unit = row[:6]
        out.append(
            dict(
                indicator=ind,
                label=ind,
                year=row[6] if len(row) > 6 else year,
                scope=scope,
                numerator=num,
                denominator=den,
                value=value,
                lower=np.nan if np.isnan(num) else 0.0,
                upper=np.nan if np.isnan(num) else 1.0,
                method="" if np.isnan(num) else "wilson",
                unit=unit,
            )
        )
    return pd.DataFrame(out)


def count(ind, value, scope="all", unit="persons", year=2019):
    return (ind, scope, float(value), np.nan, np.nan, unit, year)


def prop(ind, x, n, scope="all", year=2019):
    return (ind, scope, x / n, float(x), float(n), "proportion", year)


def row_of(table, ind, scope="all", year=2019):
    sel = table[(table.indicator == ind) & (table.scope == scope) & (table.year == year)]
    assert len(sel) == 1
    return sel.iloc[0]


# --- labels and wording -----------------------------------------------------------------


def test_masked_label_and_methods_note():
    assert masked_label(5) == "< 5"
    assert masked_label(10) == "< 10"
    assert masked_label(5, kind="secondary") == "x"
    note = methods_note(5)
    assert note.startswith("Pour protéger l'anonymat")
    assert f"les effectifs de 1 à 4 sont masqués («{NBSP}< 5{NBSP}» dans les tableaux)" in note
    # the other masked figures print "x" in tables, as each table's legend says (fmt.mask_legend)
    assert f"sont également masqués («{NBSP}x{NBSP}» dans les tableaux)" in note
    assert "cellules complémentaires" in note and "zéros ne sont jamais masqués" in note
    assert "de 1 à 9" in methods_note(10)
    assert "égaux à 1" in methods_note(2)
    assert methods_note(0).startswith("Aucun chiffre n'est masqué")
    assert "from 1 to 4" in methods_note(5, lang="en")
    with pytest.raises(EspacepError, match="language"):
        methods_note(5, lang="nl")
    with pytest.raises(EspacepError, match="min_cell"):
        masked_label(-1)


# --- primary and derived suppression in the figures table -----------------------------------


def test_primary_counts_zero_and_threshold():
    table = fig(
        count("a.zero", 0),
        count("a.one", 1),
        count("a.four", 4),
        count("a.five", 5),
        count("a.acts", 2, unit="acts"),
        count("a.doses", 3, unit="doses"),
    )
    out = suppress_figures(table, 5)
    assert out["suppressed"].tolist() == [False, True, True, False, True, True]
    assert out["suppression"].tolist() == ["", "primary", "primary", "", "primary", "primary"]
    assert out["value"].isna().tolist() == [False, True, True, False, True, True]
    assert out.loc[0, "value"] == 0 and out.loc[3, "value"] == 5
    # the input is not modified
    assert table["value"].tolist() == [0, 1, 4, 5, 2, 3]


@pytest.mark.parametrize("min_cell", [0, 1])
def test_off_masks_nothing(min_cell):
    table = fig(count("a.one", 1), prop("a.p", 1, 3))
    out = suppress_figures(table, min_cell)
    assert not out["suppressed"].any()
    assert out["value"].tolist() == table["value"].tolist()


def test_proportions_numerator_complement_denominator():
    table = fig(
        prop("a.small", 3, 100),  # numerator 3 -> masked
        prop("a.complement", 97, 100),  # 100 - 97 = 3 -> masked
        prop("a.zero", 0, 100),  # 0 % is published
        prop("a.all", 100, 100),  # complement 0 -> published
        prop("a.half", 50, 100),
        prop("a.tiny_den", 0, 3),  # denominator 3 -> masked, denominator blanked
        ("a.per_person", "all", 12 / 3, 12.0, 3.0, "ratio"),  # 3 persons -> masked
        ("a.per_person2", "all", 12 / 10, 12.0, 10.0, "ratio"),  # 12 - 10 = 2 is no complement
    )
    out = suppress_figures(table, 5)
    assert out["suppressed"].tolist() == [True, True, False, False, False, True, True, False]
    small = out.iloc[0]
    assert np.isnan(small["value"]) and np.isnan(small["numerator"])
    assert np.isnan(small["lower"]) and np.isnan(small["upper"])
    assert small["denominator"] == 100  # the number tested stays published
    assert np.isnan(out.loc[5, "denominator"]) and np.isnan(out.loc[6, "denominator"])
    assert out.loc[2, "value"] == 0 and out.loc[3, "value"] == 1


def test_derived_rows_comparison_age_and_hidden_denominator():
    table = fig(
        prop("inami.prevalence.hiv", 2, 300, year=2017),
        prop("inami.prevalence.hiv", 9, 310, year=2019),
        ("inami.prevalence.hiv.difference", "all", 0.02, np.nan, np.nan, "proportion", 2019),
        prop("inami.prevalence.syphilis", 9, 300, year=2019),
        ("inami.prevalence.syphilis.difference", "all", 0.01, np.nan, np.nan, "proportion", 2019),
        count("inami.persons_seen", 4, scope="antenna:arlon"),
        ("inami.age_mean", "antenna:arlon", 31.5, np.nan, np.nan, "years", 2019),
        ("inami.age_mean", "all", 33.0, np.nan, np.nan, "years", 2019),
        count("inami.persons_seen", 500),
    )
    # what a comparison row compares is in its columns (the id is not read); the ages are declared
    # computed from the persons seen
    base = ["", "", "inami.prevalence.hiv", "", "inami.prevalence.syphilis", "", "", "", ""]
    table = table.assign(
        base_indicator=base,
        year_from=pd.array([2017 if b else None for b in base], dtype="Int64"),
        year_to=pd.array([2019 if b else None for b in base], dtype="Int64"),
    )
    depends_on = {"inami.age_mean": ("inami.persons_seen",)}
    out = suppress_figures(table, 5, depends_on=depends_on)
    assert out["suppressed"].tolist() == [True, False, True, False, False, True, True, False, False]
    assert out["year_from"].tolist()[2] == 2017  # the years compared stay published
    # without the declarations, neither the comparison nor the mean age is masked
    bare = suppress_figures(table.drop(columns=["base_indicator", "year_from", "year_to"]), 5)
    assert bare["suppressed"].tolist() == [True, False, False, False, False, True, False, False, False]
    # the 2019 HIV comparison uses the masked 2017 figure; syphilis does not
    assert out.loc[2, "suppression"] == "derived"


def test_figure_equal_to_a_hidden_count_is_masked():
    # gender.man (40) is masked as a complement of trans (3); the share of
    # 40/500 printed elsewhere in the same year would give 40 back.
    table = fig(
        count("a.persons_seen", 543),
        prop("a.gender.woman", 500, 543),
        prop("a.gender.man", 40, 543),
        prop("a.gender.trans", 3, 543),
        prop("a.other_share", 40, 500),
        prop("a.unrelated", 41, 500),
    )
    out = suppress_partition(table, ["a.gender.woman", "a.gender.man", "a.gender.trans"], "a.persons_seen", 5)
    assert out["suppression"].tolist() == ["", "", "secondary", "derived", "derived", ""]


def test_extra_numeric_columns_are_masked():
    table = fig(prop("a.p", 3, 100)).assign(p_value=0.04)
    out = suppress_figures(table, 5)
    assert np.isnan(out.loc[0, "p_value"])


def test_bad_input():
    with pytest.raises(EspacepError, match="lacks column"):
        suppress_figures(pd.DataFrame({"indicator": ["a"]}), 5)
    masked = suppress_figures(fig(count("a.x", 2)), 5)
    with pytest.raises(EspacepError, match="already masked"):
        suppress_figures(masked, 5)
    with pytest.raises(EspacepError, match="min_cell"):
        suppress_figures(fig(count("a.x", 2)), 2.5)


# --- partitions ---------------------------------------------------------------------------


def test_gender_partition_masks_the_smallest_other_part():
    # line woman 500 | man 40 | trans 3 (masked) | total 543: one masked cell,
    # smallest non-zero published cell is man (40) -> masked; 543 - 500 = 43
    # leaves trans anywhere in 1..4 (man >= 5 is all a reader knows).
    table = fig(
        count("a.persons_seen", 543),
        prop("a.gender.woman", 500, 543),
        prop("a.gender.man", 40, 543),
        prop("a.gender.trans", 3, 543),
    )
    out = suppress_partition(table, ["a.gender.woman", "a.gender.man", "a.gender.trans"], "a.persons_seen", 5)
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out.loc[1, "numerator"] == 500 and out.loc[0, "value"] == 543


def test_partition_zero_parts_are_not_used_and_total_goes():
    # antennas 0 | 2 (masked) | 0, region total 2 is itself < 5 -> masked; zeros stay
    table = fig(
        count("c", 0, scope="antenna:a", unit="consultations"),
        count("c", 2, scope="antenna:b", unit="consultations"),
        count("c", 0, scope="antenna:c", unit="consultations"),
        count("c", 2, scope="region:r", unit="consultations"),
    )
    out = suppress_partition(
        table, [("c", "antenna:a"), ("c", "antenna:b"), ("c", "antenna:c")], ("c", "region:r"), 5
    )
    assert out["suppressed"].tolist() == [False, True, False, True]


def test_partition_per_year_and_scope():
    # bare ids: one line per (year, scope); only 2019/antenna:x has a small part
    rows = []
    for year in (2018, 2019):
        for scope, (w, m) in {"all": (100, 30), "antenna:x": (20, 3 if year == 2019 else 8)}.items():
            rows += [
                count("a.persons_seen", w + m, scope=scope, year=year),
                prop("a.gender.woman", w, w + m, scope=scope, year=year),
                prop("a.gender.man", m, w + m, scope=scope, year=year),
            ]
    out = suppress_partition(fig(*rows), ["a.gender.woman", "a.gender.man"], "a.persons_seen", 5)
    masked = out[out.suppressed]
    assert sorted(zip(masked.indicator, masked.scope, masked.year)) == [
        ("a.gender.man", "antenna:x", 2019),
        ("a.gender.woman", "antenna:x", 2019),
    ]


def test_inexact_partition_and_inconsistent_exact_one():
    # persons per antenna 3 + 30 >= 31 (one person seen in both)
    table = fig(
        count("p", 3, scope="antenna:a"), count("p", 30, scope="antenna:b"), count("p", 31, scope="region:r")
    )
    parts = [("p", "antenna:a"), ("p", "antenna:b")]
    with pytest.raises(InternalError, match="sum to 33 but the total is 31"):
        suppress_partition(table, parts, ("p", "region:r"), 5)
    out = suppress_partition(table, parts, ("p", "region:r"), 5, exact=False)
    assert out["suppressed"].tolist() == [True, True, False]


def test_hierarchy_partitions_from_sites():
    parts = hierarchy_partitions(load_sites(), "aviq", "aviq.consultations")
    wallonia = parts[0]
    assert wallonia.total == ("aviq.consultations", "region:wallonie")
    assert ("aviq.consultations", "antenna:liege") in wallonia.parts
    assert len(wallonia.parts) == 6  # liege, namur, arlon, charleroi, mons, tournai
    assert parts[-1].total == ("aviq.consultations", "all")
    assert parts[-1].parts == (("aviq.consultations", "region:wallonie"),)


# --- two-way tables -----------------------------------------------------------------------


def test_table_hand_example():
    # interior [[3, 10], [20, 30], [15, 8]]: 3 is masked; row x -> 10 (< 13),
    # column a -> 15 (< 20, 38), column b has 10 -> 8 (< 30, 48); row z has two.
    counts = pd.DataFrame({"a": [3, 20, 15], "b": [10, 30, 8]}, index=["x", "y", "z"])
    masked, mask = suppress_table(counts, 5)
    expected = pd.DataFrame(
        {"a": [True, False, True, False], "b": [True, False, True, False], "Total": [False] * 4},
        index=["x", "y", "z", "Total"],
    )
    pd.testing.assert_frame_equal(mask, expected)
    assert masked.loc["Total", "Total"] == 86 and np.isnan(masked.loc["x", "a"])
    labels = mask_labels(with_totals(counts), mask, 5)
    assert labels.loc["x", "a"] == "< 5" and labels.loc["x", "b"] == "x"
    assert labels.loc["y", "a"] == ""


def test_table_lp_audit_adds_cells_the_line_rule_misses():
    # [[1, 5], [20, 30]]: the line rule masks 5, 20, 30. But a reader knows
    # 1..4 for "< 5" and >= 5 for "x": 1 + 5 = 6 forces the first cell to 1.
    # The audit masks the row total 6 (smallest candidate of the cell's lines),
    # then the totals column 6 | 50 | 56 has one masked cell -> 50 too.
    counts = pd.DataFrame({"a": [1, 20], "b": [5, 30]}, index=["r0", "r1"])
    _, mask = suppress_table(counts, 5)
    assert mask.to_numpy().tolist() == [[True, True, True], [True, True, True], [False, False, False]]


def test_table_without_margins_and_row_totals_only():
    counts = pd.DataFrame({"a": [3, 20], "b": [10, 30]})
    _, mask = suppress_table(counts, 5, row_totals=False, col_totals=False)
    assert mask.to_numpy().tolist() == [[True, False], [False, False]]
    masked, mask = suppress_table(counts, 5, col_totals=False)
    assert list(masked.columns) == ["a", "b", "Total"] and len(masked) == 2
    assert mask.to_numpy().tolist() == [[True, True, False], [False, False, False]]


def test_table_rejects_totals_and_bad_counts():
    with pytest.raises(EspacepError, match="looks like a total"):
        suppress_table(pd.DataFrame({"a": [1], "Total": [1]}), 5)
    with pytest.raises(EspacepError, match="whole numbers"):
        suppress_table(pd.DataFrame({"a": [1.5]}), 5)
    with pytest.raises(EspacepError, match="whole numbers"):
        suppress_table(pd.DataFrame({"a": [-1]}), 5)


def _allowed(v, true, min_cell):
    """What a reader knows of a masked cell: "< 5" -> 1..4, "x" -> >= 5."""
    return ((v >= 1) & (v < min_cell)) if 1 <= true < min_cell else (v >= min_cell)


def _brute_force_values(table: np.ndarray, mask: np.ndarray, min_cell: int) -> list[set]:
    """All values each masked interior cell takes over the integer tables a reader cannot rule out.

    Enumerates the masked interior cells (each from 0 to the grand total,
    filtered by its label), recomputes the margins, and keeps the tables whose
    margins equal every published total and respect the labels of the masked
    ones. Independent of the module's linear programs (vectorised with numpy).
    """
    body, (n_rows, n_cols) = table[:-1, :-1], (table.shape[0] - 1, table.shape[1] - 1)
    cells = [tuple(rc) for rc in np.argwhere(mask[:-1, :-1])]
    grid = np.meshgrid(*[np.arange(int(table[-1, -1]) + 1)] * len(cells), indexing="ij")
    combos = np.stack([g.ravel() for g in grid])  # one column per candidate table
    ok = np.ones(combos.shape[1], bool)
    for k, c in enumerate(cells):
        ok &= _allowed(combos[k], body[c], min_cell)
    fixed = np.where(mask[:-1, :-1], 0, body)

    def margin(i, j, total_true, masked):
        v = fixed[i, j].sum() + sum(
            combos[k]
            for k, c in enumerate(cells)
            if (i == slice(None) or c[0] == i) and (j == slice(None) or c[1] == j)
        )
        return _allowed(v, total_true, min_cell) if masked else (v == total_true)

    for r in range(n_rows):
        ok &= margin(r, slice(None), table[r, -1], mask[r, -1])
    for c in range(n_cols):
        ok &= margin(slice(None), c, table[-1, c], mask[-1, c])
    ok &= margin(slice(None), slice(None), table[-1, -1], mask[-1, -1])
    return [set(combos[k, ok].tolist()) for k in range(len(cells))]


@pytest.mark.parametrize("seed", range(18))
def test_table_invariants_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    shape = [(2, 2), (2, 3), (3, 2)][seed % 3]
    counts = pd.DataFrame(rng.choice([0, 1, 2, 3, 5, 6, 8], size=shape))
    masked, mask = suppress_table(counts, 5)
    full, m = with_totals(counts).to_numpy(), mask.to_numpy()
    # primary cells are masked, zeros never, nothing 1..4 published
    assert np.all(m[(full >= 1) & (full < 5)]) and not np.any(m[full == 0])
    assert np.array_equal(np.isnan(masked.to_numpy()), m)
    # no line (row or column with its total) has exactly one masked cell
    assert all(row.sum() != 1 for row in m) and all(col.sum() != 1 for col in m.T)
    n_masked = m[:-1, :-1].sum()
    if n_masked and (full[-1, -1] + 1) ** n_masked <= 2e6:  # small enough to enumerate
        for values in _brute_force_values(full, m, 5):
            assert len(values) >= 2


def test_brute_force_sees_a_naive_mask_fail():
    # masking only the 3 of [[3, 10], [20, 30]] leaves 13 - 10 = 3: the
    # enumeration must find that single value (the check above is not vacuous)
    full = with_totals(pd.DataFrame([[3, 10], [20, 30]])).to_numpy()
    naive = np.zeros(full.shape, bool)
    naive[0, 0] = True
    assert _brute_force_values(full, naive, 5) == [{3}]


# --- across reports ----------------------------------------------------------------------

RELATIONS = [
    Relation(
        ("inami", "inami.persons_seen", "all"),
        (
            ("inami", "inami.persons_seen", "region:bruxelles"),
            ("inami", "inami.persons_seen", "region:wallonie"),
            ("inami", "inami.persons_seen", "region:flandre"),
        ),
    ),
    Relation(("cocof", "cocof.persons_seen", "all"), (("inami", "inami.persons_seen", "region:bruxelles"),)),
    Relation(("aviq", "aviq.persons_seen", "all"), (("inami", "inami.persons_seen", "region:wallonie"),)),
]


def _reports(bxl=3, wal=97, fla=0):
    return {
        "inami": fig(
            count("inami.persons_seen", bxl + wal + fla),
            count("inami.persons_seen", bxl, scope="region:bruxelles"),
            count("inami.persons_seen", wal, scope="region:wallonie"),
            count("inami.persons_seen", fla, scope="region:flandre"),
        ),
        "cocof": fig(count("cocof.persons_seen", bxl)),
        "aviq": fig(count("aviq.persons_seen", wal)),
    }


def test_cross_report_check_finds_the_subtraction():
    # INAMI publishes 100 = ? + 97 + 0: Brussels (masked in both reports) is 3.
    published = {f: suppress_figures(t, 5) for f, t in _reports().items()}
    problems = cross_report_check(published, RELATIONS, min_cell=5)
    found = sorted((p.funder, p.indicator, p.scope, p.low, p.high) for p in problems)
    assert found == [
        ("cocof", "cocof.persons_seen", "all", 3.0, 3.0),
        ("inami", "inami.persons_seen", "region:bruxelles", 3.0, 3.0),
    ]
    assert "recovered as 3" in str(problems[0])
    # the same from figures.csv files read back (suppressed as text)
    reread = {}
    for funder, table in published.items():
        buffer = io.StringIO()
        table.to_csv(buffer, index=False)
        buffer.seek(0)
        reread[funder] = pd.read_csv(buffer, dtype={"suppressed": str})
    assert len(cross_report_check(reread, RELATIONS, min_cell=5)) == 2


def test_protect_across_reports_masks_wallonia_in_both():
    # Line INAMI total: [Bxl masked, Wal 97, Fla 0 | 100] -> Wal (97 < 100) masked;
    # line AViQ = INAMI Wal then has one masked cell -> AViQ's 97 masked too.
    out = protect_across_reports(_reports(), RELATIONS, 5)
    assert out["inami"]["suppressed"].tolist() == [False, True, True, False]
    assert out["aviq"]["suppressed"].tolist() == [True]
    assert out["cocof"]["suppression"].tolist() == ["primary"]
    assert out["inami"]["suppression"].tolist() == ["", "primary", "secondary", ""]
    assert cross_report_check(out, RELATIONS, min_cell=5) == []


def test_protect_across_reports_nothing_small_nothing_masked():
    out = protect_across_reports(_reports(bxl=30, wal=97, fla=12), RELATIONS, 5)
    assert not any(t["suppressed"].any() for t in out.values())
    assert cross_report_check(out, RELATIONS, min_cell=5) == []


def test_protect_across_reports_with_internal_partitions():
    # INAMI gender partition in Brussels: trans 2 -> man 10 masked; the
    # per-report partition and the relations are protected together.
    reports = _reports(bxl=40, wal=97, fla=12)
    reports["inami"] = pd.concat(
        [
            reports["inami"],
            fig(
                prop("inami.gender.woman", 28, 40, scope="region:bruxelles"),
                prop("inami.gender.man", 10, 40, scope="region:bruxelles"),
                prop("inami.gender.trans", 2, 40, scope="region:bruxelles"),
            ),
        ],
        ignore_index=True,
    )
    gender = Partition(("inami.gender.woman", "inami.gender.man", "inami.gender.trans"), "inami.persons_seen")
    out = protect_across_reports(reports, RELATIONS, 5, partitions={"inami": [gender]})
    masked = out["inami"][out["inami"].suppressed]
    assert sorted(masked.indicator) == ["inami.gender.man", "inami.gender.trans"]
    assert cross_report_check(out, RELATIONS, min_cell=5) == []


def test_cross_report_check_reports_small_published_and_contradictions():
    raw = _reports()
    assert any(
        "below the threshold" in str(p)
        for p in cross_report_check(
            {f: suppress_figures(t, 0) for f, t in raw.items()}, RELATIONS, min_cell=5
        )
    )
    bad = {f: suppress_figures(t, 0) for f, t in _reports(bxl=30).items()}
    bad["cocof"].loc[0, "value"] = 31.0  # Cocof's Brussels differs from INAMI's
    problems = cross_report_check(bad, RELATIONS)
    assert len(problems) == 1 and "contradict" in str(problems[0])


def test_sum_pinned_through_a_family_gets_a_complement_in_the_family():
    """A masked lesion count 6 = ASCUS 4 + LSIL 1 + HSIL 1 (all masked); with 'normal' 14 the classes add
    up to the published 20 smears, so 20 - 14 gives the lesions back. Every other cell of the lesion
    line is masked: the complement must be found in the family line, one hop away (this raised
    "cannot protect" before)."""
    from espacep_analysis.disclosure import _Line, _protect

    values = np.array([6.0, 14.0, 4.0, 1.0, 1.0, 20.0])  # lesion, normal, ascus, lsil, hsil, smears
    lines = [_Line(0, (2, 3, 4)), _Line(5, (1, 2, 3, 4))]
    supp = _protect(values, np.array([True, False, True, True, True, False]), lines, 5)
    assert supp.tolist() == [True, True, True, True, True, False]


def test_feasible_ranges_hand_worked_tables_warm_resolves():
    """The min and max `_feasible_ranges` finds, against ranges worked out by hand.

    It guards the rewrite of the linear programs (one HiGHS model per component,
    re-solved with only the objective changed); it passed before that rewrite too.

    Table 1 (cells 0-8, row-major with margins): [[3, 10], [20, 30]], rows 13, 50,
    columns 23, 40, total 63; the four inner cells are masked ("< 5" is 1..4, "x" >= 5).
    a + b = 13, a + c = 23, c + d = 50: a in [1, 4] gives b = 13 - a in [9, 12],
    c = 23 - a in [19, 22], d = 27 + a in [28, 31]: nothing pinned.
    Table 2 (cells 9-17): [[1, 5], [20, 30]], rows 6, 50, columns 21, 35, total 56,
    same mask: b = 6 - a >= 5 gives a <= 1, so a = 1, b = 5, c = 21 - 1 = 20,
    d = 50 - 20 = 30: all pinned.
    Cells 18-22: R + 5 = 20 (exact) pins R = 15; A + 7 >= R (a total counting a
    person once) gives A >= 8 and nothing above: [8, inf) (unbounded maximum).
    Making that 5 a 25 gives R = -5 < 5: no table fits.
    """
    from espacep_analysis.disclosure import _feasible_ranges, _Infeasible, _Line

    def table(o):  # a 2x2 table with margins at cells o..o+8: its rows, then its columns
        rows = [_Line(o + 2, (o, o + 1)), _Line(o + 5, (o + 3, o + 4)), _Line(o + 8, (o + 6, o + 7))]
        return rows + [_Line(o + 6, (o, o + 3)), _Line(o + 7, (o + 1, o + 4)), _Line(o + 8, (o + 2, o + 5))]

    lines = table(0) + table(9) + [_Line(18, (19, 20), exact=False), _Line(22, (18, 21))]
    values = [3, 10, 13, 20, 30, 50, 23, 40, 63, 1, 5, 6, 20, 30, 50, 21, 35, 56, 15, 9, 7, 5, 20]
    masked = [0, 1, 3, 4, 9, 10, 12, 13, 18, 19]
    published = np.array(values, dtype=float)
    published[masked] = np.nan
    bounds = {i: (1.0, 4.0) if values[i] < 5 else (5.0, None) for i in masked}
    expected = {0: (1, 4), 1: (9, 12), 3: (19, 22), 4: (28, 31), 9: (1, 1), 10: (5, 5), 12: (20, 20)}
    expected |= {13: (30, 30), 18: (15, 15), 19: (8, np.inf)}
    ranges = _feasible_ranges(published, bounds, lines, masked)
    assert sorted(ranges) == masked
    np.testing.assert_allclose([ranges[i] for i in masked], [expected[i] for i in masked], atol=1e-9)
    published[21] = 25.0
    with pytest.raises(_Infeasible) as exc:
        _feasible_ranges(published, bounds, lines, masked)
    assert exc.value.lines == lines[12:]
