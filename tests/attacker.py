"""An independent attacker of the published figures (issue 11, item 1).

It plays the reader of every report of every year, who knows how the figures
are defined but not how the protection was built, and tries to compute masked
counts back, like sdcTable's ``attack()``. It reads NOTHING of the protection:
no ``disclosure.Partition``/``Relation``, no ``publish.PARTITIONS``/``RELATIONS``,
no ``*_partitions``, ``scope_classes``, no figure definitions (``definitions``), no id-prefix
convention of the library. Its only inputs are black boxes:

- ``load.load_dataset(dir)`` (or a `Dataset` built by the caller);
- ``publish.compute(ds, funder, year, method, level)``: the unmasked figures;
- ``publish.protected_year(ds, year, ...)``: the masked figures as published.

Cells
    A *cell* is one printed number, keyed ``(funder, indicator, scope, data
    year, role)``: role ``value`` for a count row (a row without numerator
    whose unit is a count: persons, consultations, acts, ...), roles
    ``numerator`` and ``denominator`` for a proportion or a ratio (the reports
    print "20,5 % (40/195)"). A cell printed by several reports (the 2019
    report prints the 2017 figures) is published when any report shows it (a
    numerator is also shown when its row's value and denominator are). A
    masked cell is in [1, min_cell - 1] when some report marks it "primary",
    >= 0 otherwise. Rows absent from every masked table are not published
    (unknowns the attacker never sees).

Relations are discovered, not declared
    The attacker computes the unmasked figures of every funder and report year
    on the full data and on ``K = K_TRAIN + K_VALID`` perturbed copies
    (`perturbed`): each copy keeps a random fraction (0.45-0.9) of the persons
    with all their rows in every person-keyed table (rows without a pseudonym
    and the activities table are sampled by row), then permutes free
    attributes across rows (nationality, gender, birth year; workplace, GP,
    gynaecologist, coverage; (result, titre) within each test; (act, detail);
    (channel, platform); demands; activity programme/type and amounts). A
    definitional identity ("lesions = ASCUS + LSIL + HSIL", "migrants = sum of
    the non-Belgian origins", "antennas add up to the region", "AViQ's copy
    of an INAMI figure equals it") holds on every valid data set, hence on
    every copy; a coincidence of the data (two cells counting the very same
    persons) does not survive the permutations. Cells constant over the copies
    (figures declared in ``params/``, not computed from the data) carry no
    information and are left out of the search.

    The search runs in *blocks*: the cells of one data year sharing a scope (all
    funders together, and each funder alone) or an indicator, and the cells of
    one scope pooled over the years (a relation must then hold on every year's
    samples, which gives 3(K+1) samples to the largest blocks, the whole-scope
    figures of a report). In a block, the relations are the null space of the
    sample matrix (samples x cells): computed by SVD, brought to reduced row
    echelon form pivoting on the masked cells first ("masked cell = combination
    of others"), rounded to rationals and checked exactly on every sample. This
    covers (a) equality with a published cell, (b) a total minus published
    parts, (c) a sum of published parts and (d) any integer or rational
    combination, across funders, scopes and indicators; chains across blocks
    (AViQ's copy of a Wallonia figure = INAMI's, whose antennas add up to it)
    meet in the bounds stage below.

Why K = 40 copies is enough
    A block's null space is the set of its structural relations exactly when
    the samples span the cells' true space, i.e. when the number of samples
    exceeds the true rank of the block. A block is searched only if its samples
    exceed the numerical rank of its sample matrix by ``MARGIN`` = 12 (else it
    is listed as under-sampled and skipped: the whole-scope figures of one
    year, 140-190 cells, are searched pooled over the years instead, rank ~80
    for 123 samples). A spurious relation would need the 12+ surplus samples,
    integer vectors moved by the subsampling and the permutations, to fall in
    a lower-dimensional subspace by chance; for the smallest cells each sample
    does so with probability < 1/2, so < 2^-12 per block even in that worst
    case, and in practice the found relations are checked exactly (rational
    coefficients, every sample) and the recovered values are compared with the
    truth by the test. K = 40 also keeps the copies at ~20-50 s per data set.

Attack
    Each kept relation is an equation over masked unknowns once the published
    cells take their published values. The attacker solves, for every masked
    cell of the system, min and max of its value (`scipy.optimize.milp`,
    integer unknowns, primary cells in [1, min_cell - 1], others >= 0); when
    they agree the cell is *recovered*. A breach is a recovered masked cell
    (primary or not). Also: a proportion whose numerator is masked but whose
    value and denominator are printed gives it away (``direct``).

Ages
    `extreme_ages` flags a published ``age_min``/``age_max`` that fewer than
    min_cell persons reach (the youngest or oldest person is then described),
    from the data directly.

Run ``python tests/attacker.py DATA_DIR [--subsample FRACTION --seed N]`` to
print every recovered cell and the relation behind it.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from espacep_analysis import publish
from espacep_analysis.dataset import Dataset
from espacep_analysis.load import load_dataset

METHOD, LEVEL = "wilson", 0.95
K_COPIES = 40  # perturbed copies
MARGIN = 12  # a block's samples must exceed the rank of its cells by this much
MILP_TIME = 10.0  # seconds per bound
# Units of value rows that are not counts (statistics, ages, delays); a proportion or a
# ratio is recognised by its numerator column whatever its unit.
NOT_COUNTS = {"proportion", "ratio", "p_value", "z", "difference", "verdict", "years", "days"}
PERSON_TABLES = ("persons", "consultations", "lab_results", "medical_acts", "contacts", "social_actions")
# Free attributes permuted across rows in each copy: groups of columns moved together.
SHUFFLES = {
    "persons": [["nationality"], ["gender"], ["birth_year"]],
    "consultations": [["workplace"], ["gp"], ["gynaecologist"], ["coverage_asked", "coverage_status"]],
    "medical_acts": [["act", "detail"]],
    "contacts": [["channel", "platform"], ["workplace"]],
    "social_actions": [["demand"]],
    "activities": [["programme", "type"], ["sessions", "participants", "condoms", "brochures"]],
}
Key = tuple  # (funder, indicator, scope, data year, role)


# --- cells ---------------------------------------------------------------------------------------


def cells_of(figures: pd.DataFrame, funder: str) -> dict[Key, float]:
    """Every printed number of an unmasked figures table, keyed by cell."""
    out: dict[Key, float] = {}
    f = figures.reset_index(drop=True)
    ratio = f["numerator"].notna() | f["unit"].isin(["proportion", "ratio"])
    count = ~ratio & ~f["unit"].isin(NOT_COUNTS)
    for r in f[ratio].itertuples(index=False):
        out[(funder, r.indicator, r.scope, int(r.year), "numerator")] = float(r.numerator)
        out[(funder, r.indicator, r.scope, int(r.year), "denominator")] = float(r.denominator)
    for r in f[count].itertuples(index=False):
        out[(funder, r.indicator, r.scope, int(r.year), "value")] = float(r.value)
    return out


def published_cells(masked: pd.DataFrame, funder: str) -> tuple[dict[Key, float], dict[Key, str]]:
    """(published value, masked kind) of the cells of one masked table."""
    shown: dict[Key, float] = {}
    hidden: dict[Key, str] = {}
    f = masked.reset_index(drop=True)
    ratio = f["denominator"].notna() | f["unit"].isin(["proportion", "ratio"])
    count = ~ratio & ~f["unit"].isin(NOT_COUNTS)
    for i, r in enumerate(f.itertuples(index=False)):
        base = (funder, r.indicator, r.scope, int(r.year))
        kind = (str(r.suppression) or "masked") if bool(r.suppressed) else "masked"
        if ratio.iloc[i]:
            num = r.numerator
            if pd.isna(num) and pd.notna(r.value) and pd.notna(r.denominator) and r.unit == "proportion":
                num = round(float(r.value) * float(r.denominator))  # "20,5 % (./195)"
            for role, v in (("numerator", num), ("denominator", r.denominator)):
                if pd.notna(v):
                    shown[base + (role,)] = float(v)
                else:
                    hidden[base + (role,)] = kind
        elif count.iloc[i]:
            if pd.notna(r.value):
                shown[base + ("value",)] = float(r.value)
            else:
                hidden[base + ("value",)] = kind
    return shown, hidden


@dataclass
class Publication:
    """What a reader of every report of every year sees, and the truth behind it."""

    truth: dict[Key, float]  # unmasked value of every cell of every report
    shown: dict[Key, float]  # published cells
    masked: dict[Key, str]  # masked cells -> "primary" / "derived" / "secondary" / "masked"
    report_years: dict[str, list[int]]  # funder -> report years to compute for every cell
    threshold: dict[str, int]
    ages: list[tuple] = field(
        default_factory=list
    )  # published (funder, indicator, scope, year, value) in years


def publication(ds: Dataset, years: list[int] | None = None) -> Publication:
    years = list(years or ds.years)
    truth: dict[Key, float] = {}
    shown: dict[Key, float] = {}
    masked: dict[Key, str] = {}
    latest: dict[Key, tuple[str, int]] = {}
    ages: set = set()
    thresholds = {f: int(ds.sites.funder_min_cell.get(f, 5)) for f in publish.FUNDERS}
    by_threshold = defaultdict(list)
    for f, t in thresholds.items():
        by_threshold[t].append(f)
    for year in years:
        for t, funders in by_threshold.items():
            prot = publish.protected_year(ds, year, METHOD, LEVEL, t, cache_dir=None)
            for f in funders:
                rows = prot[f][prot[f]["unit"].eq("years") & prot[f]["value"].notna()]
                ages.update(
                    (f, r.indicator, r.scope, int(r.year), float(r.value), t)
                    for r in rows.itertuples(index=False)
                )
                s, h = published_cells(prot[f], f)
                shown.update(s)
                for k, kind in h.items():
                    if kind == "primary" or k not in masked:
                        masked[k] = kind
        for f in publish.FUNDERS:
            for k, v in cells_of(publish.compute(ds, f, year, METHOD, LEVEL), f).items():
                truth[k] = v
                latest[k] = (f, year)
    shown = {k: v for k, v in shown.items() if k in truth}
    masked = {k: v for k, v in masked.items() if k in truth and k not in shown}
    needed: dict[str, set] = defaultdict(set)
    for f, y in latest.values():
        needed[f].add(y)
    return Publication(
        truth,
        shown,
        masked,
        {f: sorted(v) for f, v in needed.items()},
        thresholds,
        sorted(ages, key=lambda a: (a[3], a[0], a[1], a[2])),
    )


# --- perturbed copies ----------------------------------------------------------------------------


def perturbed(ds: Dataset, seed: int, shuffle: bool = True) -> Dataset:
    """A copy keeping a random share of the persons (all their rows), attributes permuted."""
    rng = np.random.default_rng(seed)
    rate = rng.uniform(0.45, 0.9)
    keys = pd.Index(
        pd.concat([getattr(ds, t)["pseudonym"] for t in PERSON_TABLES if "pseudonym" in getattr(ds, t)])
        .dropna()
        .unique()
    )
    kept = set(keys[rng.random(len(keys)) < rate])
    tables = {}
    for name in PERSON_TABLES + ("activities",):
        df = getattr(ds, name)
        if df.empty:
            tables[name] = df
            continue
        if "pseudonym" in df:
            p = df["pseudonym"]
            keep = p.isin(kept).to_numpy(dtype=bool) | (
                p.isna().to_numpy(dtype=bool) & (rng.random(len(df)) < rate)
            )
        else:
            keep = rng.random(len(df)) < rate
        df = df[keep].copy()
        if shuffle:
            for group in SHUFFLES.get(name, []):
                if all(c in df for c in group) and len(df) > 1:
                    order = rng.permutation(len(df))
                    for c in group:
                        df[c] = df[c].iloc[order].to_numpy()
            if name == "lab_results" and len(df) > 1:
                for _, idx in df.groupby("test", sort=False).groups.items():
                    pos = df.index.get_indexer(idx)
                    order = rng.permutation(pos)
                    for c in ("result", "titre"):
                        col = df.columns.get_loc(c)
                        df.iloc[pos, col] = df.iloc[order, col].to_numpy()
        tables[name] = df
    return dataclasses.replace(ds, **tables)


_WORK: dict = {}


def _sample(seed: int) -> dict[Key, float]:
    ds, report_years = _WORK["ds"], _WORK["report_years"]
    copy = perturbed(ds, seed)
    out: dict[Key, float] = {}
    for f, years in report_years.items():
        for y in years:
            out.update(cells_of(publish.compute(copy, f, y, METHOD, LEVEL), f))
    return out


def samples(ds: Dataset, pub: Publication, seeds: list[int], workers: int | None = None) -> list[dict]:
    """The unmasked cells of each perturbed copy (in worker processes when possible)."""
    _WORK.update(ds=ds, report_years=pub.report_years)
    workers = workers or min(len(os.sched_getaffinity(0)), 4)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_sample, seeds, chunksize=1)
    return [_sample(s) for s in seeds]


# --- relations -----------------------------------------------------------------------------------


@dataclass
class Relation:
    """``target = sum(coef * cell)``, holding on the full data and on every copy."""

    target: Key
    terms: list[tuple[Fraction, Key]]

    def format(self, shown: dict[Key, float]) -> str:
        def name(k: Key) -> str:
            f, ind, scope, year, role = k
            v = f"={shown[k]:g}" if k in shown else "=?"
            return f"{ind}[{scope},{year}{'' if role == 'value' else ',' + role[:3]}]{v}"

        rhs = " ".join(
            f"{'+' if c > 0 else '-'} {'' if abs(c) == 1 else f'{abs(c)}*'}{name(k)}" for c, k in self.terms
        )
        return f"{name(self.target)} = {rhs.lstrip('+ ') or '0'}"


@dataclass
class Attack:
    pub: Publication
    relations: list[Relation] = field(default_factory=list)
    recovered: dict[Key, tuple[float, str, list[Relation]]] = field(default_factory=dict)
    blocks: int = 0
    undersampled: list[str] = field(default_factory=list)
    constant_masked: list[Key] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def breaches(self) -> list[str]:
        """One readable line per recovered masked cell, with its true value and the relations."""
        lines = []
        for k, (v, how, rels) in sorted(self.recovered.items(), key=lambda kv: _order(kv[0])):
            f, ind, scope, year, role = k
            kind = self.pub.masked.get(k, "?")
            lines.append(
                f"{f} {ind} [{scope}, {year}, {role}] ({kind}) recovered = {v:g} "
                f"(true {self.pub.truth.get(k, float('nan')):g}) by {how}: "
                + " ; ".join(r.format(self.pub.shown) for r in rels)
            )
        return lines


def _order(k: Key):
    return (k[3], k[0], k[1], k[2], k[4])


def _null_relations(M: np.ndarray, cols: list, first: set) -> tuple[list[list[tuple[Fraction, int]]], int]:
    """Exact relations among the columns of the sample matrix ``M`` (rows = samples).

    Returns (relations as [(coef, column)], numerical rank). Each relation is a row of
    the reduced row echelon form of the null space, pivoting first on the columns in
    ``first`` (the masked cells), so a relation reads "masked cell = combination of the
    others". Coefficients are rationals, checked exactly on every row of ``M``.
    """
    scale = np.abs(M).max(axis=0)
    scale[scale == 0] = 1
    u, s, vt = np.linalg.svd(M / scale, full_matrices=True)
    tol = max(M.shape) * np.finfo(float).eps * 1e3 * (s[0] if len(s) else 1)
    rank = int((s > tol).sum())
    null = vt[rank:] / scale  # back to unscaled columns
    if len(null) == 0:
        return [], rank
    order = sorted(range(len(cols)), key=lambda j: (j not in first, j))
    N = null[:, order].copy()
    _rows, piv = [], 0
    for j in range(N.shape[1]):  # Gauss-Jordan with partial pivoting
        if piv == len(N):
            break
        p = piv + int(np.argmax(np.abs(N[piv:, j])))
        if abs(N[p, j]) < 1e-9:
            continue
        N[[piv, p]] = N[[p, piv]]
        N[piv] /= N[piv, j]
        for r in range(len(N)):
            if r != piv:
                N[r] -= N[r, j] * N[piv]
        piv += 1
    out = []
    Mi = M.astype(np.int64)
    for r in range(piv):
        terms = [
            (Fraction(float(N[r, jj])).limit_denominator(64), order[jj])
            for jj in np.flatnonzero(np.abs(N[r]) > 1e-7)
        ]
        den = math.lcm(*[t[0].denominator for t in terms]) if terms else 1
        if den > 1000 or any(abs(c) > 1000 for c, _ in terms):
            continue  # not a clean rational relation: left out
        ints = np.zeros(M.shape[1], dtype=np.int64)
        for c, j in terms:
            ints[j] = int(c * den)
        if not np.all(Mi @ ints == 0):
            continue  # not an exact rational relation: left out
        out.append(terms)
    return out, rank


def _blocks(keys: list[Key], years: list[int]):
    """Search blocks (lists of column groups; a group holds one cell per pooled year).

    Cells of one data year sharing a scope (all funders, and each funder alone) or an
    indicator; and the cells of one scope (all funders, each funder alone) pooled over
    the years: one relation then has to hold on every year's samples, which triples the
    samples of the largest blocks (the whole-scope figures of a report).
    """
    by = defaultdict(list)
    for k in keys:
        f, ind, scope, year, role = k
        by[("scope", scope, year)].append(k)
        by[("scope", f, scope, year)].append(k)
        by[("indicator", ind, year)].append(k)
    for name, ks in by.items():
        yield name, [[k] for k in ks]
    pooled = defaultdict(lambda: defaultdict(dict))
    for k in keys:
        pooled[("pooled scope", k[2])][(k[0], k[1], k[2], k[4])][k[3]] = k
        pooled[("pooled scope", k[0], k[2])][(k[0], k[1], k[2], k[4])][k[3]] = k
    for name, cells in pooled.items():
        common = [c for c in cells.values() if all(y in c for y in years)]
        if len(common) > 1 and len(years) > 1:
            yield name, [[c[y] for y in years] for c in common]


def attack(
    ds: Dataset | None,
    k: int = K_COPIES,
    seed: int = 11,
    workers: int | None = None,
    pub: Publication | None = None,
    sample_list: list[dict] | None = None,
) -> Attack:
    """Discover the relations on perturbed copies, then try them on the masked figures."""
    t0 = time.perf_counter()
    pub = pub or publication(ds)
    t1 = time.perf_counter()
    if sample_list is None:
        sample_list = samples(ds, pub, [seed * 1000 + i for i in range(k)], workers)
    t2 = time.perf_counter()
    result = Attack(pub, samples=sample_list, seconds={"publication": t1 - t0, "copies": t2 - t1})
    keys = sorted(pub.truth, key=_order)
    col = {key: i for i, key in enumerate(keys)}
    X = np.array(
        [[pub.truth[key] for key in keys]] + [[s.get(key, np.nan) for key in keys] for s in sample_list],
        dtype=float,
    )
    usable = ~np.isnan(X).any(axis=0) & np.all(np.round(X) == X, axis=0)
    constant = (X[0] == X).all(axis=0)
    result.constant_masked = [key for key in pub.masked if constant[col[key]]]
    visible = [
        key
        for key in keys
        if (key in pub.shown or key in pub.masked) and usable[col[key]] and not constant[col[key]]
    ]
    years = sorted({key[3] for key in visible})
    seen: set = set()
    for name, groups in _blocks(visible, years):
        if not any(key in pub.masked for g in groups for key in g):
            continue  # no masked cell: nothing to learn for the attack
        # rows: every sample of every year pooled; columns: one per group
        M = np.vstack([X[:, [col[g[i]] for g in groups]] for i in range(len(groups[0]))])
        masked_cols = {j for j, g in enumerate(groups) if any(key in pub.masked for key in g)}
        result.blocks += 1
        rels, rank = _null_relations(M, groups, masked_cols)
        if M.shape[0] - rank < MARGIN:
            result.undersampled.append(f"{name}: {len(groups)} cells, rank {rank}, {M.shape[0]} samples")
            continue
        for terms in rels:
            for i in range(len(groups[0])):
                lead_c, lead = terms[0]
                rel = Relation(groups[lead][i], [(-c / lead_c, groups[j][i]) for c, j in terms[1:]])
                sig = (rel.target, tuple(sorted((str(c), key) for c, key in rel.terms)))
                if sig not in seen:
                    seen.add(sig)
                    result.relations.append(rel)
    t3 = time.perf_counter()
    _solve(result)
    result.seconds.update(search=t3 - t2, solve=time.perf_counter() - t3)
    return result


def _solve(result: Attack) -> None:
    """Interval of every masked cell under the relations, its bounds and integrality."""
    pub = result.pub
    rels = [
        r for r in result.relations if r.target in pub.masked or any(key in pub.masked for _, key in r.terms)
    ]
    unknowns = sorted(
        {key for r in rels for key in [r.target] + [key for _, key in r.terms] if key in pub.masked},
        key=_order,
    )
    if not unknowns:
        return
    pos = {key: i for i, key in enumerate(unknowns)}
    A = np.zeros((len(rels), len(unknowns)))
    rhs = np.zeros(len(rels))
    for i, r in enumerate(rels):
        for c, key in [(Fraction(1), r.target)] + [(-c, key) for c, key in r.terms]:
            if key in pos:
                A[i, pos[key]] += float(c)
            else:
                rhs[i] -= float(c) * pub.shown[key]
    primary = np.array([pub.masked[key] == "primary" for key in unknowns])
    lo = np.where(primary, 1.0, 0.0)
    hi = np.array([pub.threshold[key[0]] - 1.0 if p else np.inf for key, p in zip(unknowns, primary)])
    parent = list(range(len(unknowns)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in A:
        nz = np.flatnonzero(row)
        for j in nz[1:]:
            parent[find(j)] = find(nz[0])
    comps = defaultdict(list)
    for j in range(len(unknowns)):
        comps[find(j)].append(j)
    for comp in comps.values():
        cr = [i for i in range(len(rels)) if np.any(A[i, comp])]
        sub = A[np.ix_(cr, comp)]
        cons = LinearConstraint(sub, rhs[cr] - 1e-6, rhs[cr] + 1e-6)
        bounds = Bounds(lo[comp], hi[comp])
        for jj, j in enumerate(comp):
            ends = []
            for sign in (1.0, -1.0):
                obj = np.zeros(len(comp))
                obj[jj] = sign
                res = milp(
                    obj,
                    constraints=[cons],
                    integrality=np.ones(len(comp)),
                    bounds=bounds,
                    options={"time_limit": MILP_TIME},
                )
                ends.append(None if res.x is None or res.status != 0 else sign * res.fun)
            if None in ends or round(ends[0]) != round(ends[1]):
                continue
            key = unknowns[j]
            used = [rels[i] for i in cr if A[i, j]]
            direct = [
                r
                for r in used
                if all(k2 not in pos or k2 == key for k2 in [r.target] + [k3 for _, k3 in r.terms])
            ]
            if direct:
                used, how = direct[:1], "a relation with published cells"
            else:
                how = f"bounds and {len(cr)} relations over {len(comp)} masked cells, " f"among which"
            result.recovered[key] = (float(round(ends[0])), how, used)


# --- extreme ages --------------------------------------------------------------------------------


def extreme_ages(ds: Dataset, pub: Publication) -> list[str]:
    """Published youngest/oldest ages (whole scope) that fewer than min_cell persons reach.

    The ages are recomputed from the data (age = year - birth year of the persons with
    a consultation that year); a printed age that no person has is reported too.
    """
    out = []
    for f, indicator, scope, year, value, t in pub.ages:
        kind = indicator.rsplit(".", 1)[-1]
        if kind not in ("age_min", "age_max") or scope != "all":
            continue
        cons = ds.consultations[ds.consultations["date"].dt.year.eq(year)]
        seen = ds.persons[ds.persons["pseudonym"].isin(cons["pseudonym"].dropna().unique())]
        ages = (year - seen["birth_year"].astype("Float64")).dropna().astype(float)
        n = int((ages <= value).sum() if kind == "age_min" else (ages >= value).sum())
        if not (ages == value).any():
            out.append(
                f"{f} {indicator} [{scope}, {year}] = {value:g}: no person seen that year has this age"
            )
        elif n < t:
            out.append(
                f"{f} {indicator} [{scope}, {year}] = {value:g} describes {n} person(s) "
                f"(fewer than {t} are {'that young' if kind == 'age_min' else 'that old'})"
            )
    return out


# --- data sets -----------------------------------------------------------------------------------


def subsample(ds: Dataset, fraction: float, seed: int) -> Dataset:
    """The persons of ``ds`` kept with probability ``fraction`` (all their rows), nothing permuted."""
    rng = np.random.default_rng(seed)
    keys = pd.Index(pd.concat([getattr(ds, t)["pseudonym"] for t in PERSON_TABLES]).dropna().unique())
    kept = set(keys[rng.random(len(keys)) < fraction])
    tables = {}
    for name in PERSON_TABLES + ("activities",):
        df = getattr(ds, name)
        if "pseudonym" in df:
            p = df["pseudonym"]
            keep = p.isin(kept).to_numpy(dtype=bool) | (
                p.isna().to_numpy(dtype=bool) & (rng.random(len(df)) < fraction)
            )
        else:
            keep = rng.random(len(df)) < fraction
        tables[name] = df[keep].copy()
    return dataclasses.replace(ds, **tables)


def report(result: Attack, ages: list[str]) -> str:
    lines = [
        f"{len(result.pub.masked)} masked cells, {result.blocks} blocks searched, "
        f"{len(result.relations)} relations found, {len(result.undersampled)} blocks under-sampled "
        f"(skipped), {len(result.constant_masked)} masked cells constant under perturbation "
        f"(declared, not attacked)",
        "seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()),
    ]
    breaches = result.breaches()
    lines.append(f"{len(breaches)} masked cells recovered:")
    lines += [f"  {b}" for b in breaches]
    lines.append(f"{len(ages)} extreme ages describing fewer than min_cell persons:")
    lines += [f"  {a}" for a in ages]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument(
        "--subsample",
        type=float,
        default=None,
        help="attack a random share of the persons instead (e.g. 0.4)",
    )
    parser.add_argument("--subsample-seed", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11, help="seed of the perturbed copies")
    parser.add_argument("--copies", type=int, default=K_COPIES)
    args = parser.parse_args(argv)
    ds = load_dataset(args.data_dir)
    if args.subsample:
        ds = subsample(ds, args.subsample, args.subsample_seed)
    result = attack(ds, k=args.copies, seed=args.seed)
    ages = extreme_ages(ds, result.pub)
    print(report(result, ages))
    return 1 if result.recovered or ages else 0


if __name__ == "__main__":
    sys.exit(main())
