"""The synthetic generator: deterministic, committed as generated, and plausible row by row.

Plausibility invariants are checked on the committed data set as the library
loads it (`load.load_dataset`), with plain pandas, independently of the
generator's own bookkeeping.
"""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import pandas as pd
import pytest

from espacep_analysis.codes import COLUMNS
from espacep_analysis.indicators.inami import compute_figures
from espacep_analysis.load import load_dataset
from espacep_analysis.origins import origin_group
from espacep_analysis.synthetic import DEFAULT_SEED, TABLES, generate, main
from espacep_analysis.synthetic import design
from targetcheck import TARGETS, check

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
FILES = [f"{t}.csv" for t in TABLES] + ["README.md"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The data set generated today with the documented seed."""
    out = tmp_path_factory.mktemp("seed_default")
    counts = generate(out, seed=DEFAULT_SEED)
    assert set(counts) == set(TABLES)
    return out


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATA)


# --- determinism and the committed set ----------------------------------------------------

def test_committed_data_is_what_the_generator_writes(fresh):
    """data/synthetic/ == generate(seed=DEFAULT_SEED): regenerate with `espacep synthetic` after changes."""
    match, mismatch, errors = filecmp.cmpfiles(DATA, fresh, FILES, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_same_seed_same_bytes(fresh, tmp_path):
    generate(tmp_path, seed=DEFAULT_SEED)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (fresh / name).read_bytes(), name


def test_other_seed_other_rows_same_targets(fresh, tmp_path):
    assert main(["--out", str(tmp_path), "--seed", "7"]) == 0
    for name in FILES[:-1]:
        assert (tmp_path / name).read_bytes() != (fresh / name).read_bytes(), name
    other = load_dataset(tmp_path)
    figures = {y: compute_figures(other, y, n_previous=0) for y in other.years}
    for target in TARGETS:
        if target.get("status", "ok") == "ok":
            check(target, figures[target["year"]])


def test_files_have_the_contract_columns_and_format():
    for table in TABLES:
        lines = (DATA / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(COLUMNS[table])
    consultations = pd.read_csv(DATA / "consultations.csv", dtype=str, keep_default_na=False)
    assert set(consultations["coverage_asked"]) == {"yes", "no"}
    assert consultations["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert ((consultations["coverage_asked"] == "no") == (consultations["coverage_status"] == "")).all()


def test_readme_states_the_row_counts():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert f"--seed {DEFAULT_SEED}" in readme
    for table in TABLES:
        n = len((DATA / f"{table}.csv").read_text(encoding="utf-8").splitlines()) - 1
        assert f"| `{table}.csv` | {n} |" in readme, table


# --- plausibility invariants --------------------------------------------------------------

def _visit_keys(ds) -> set[tuple]:
    c = ds.consultations
    return set(zip(c["pseudonym"], c["date"], c["site"]))


def test_years_and_referential_integrity(ds):
    assert ds.years == list(range(design.FIRST_YEAR, design.LAST_YEAR + 1))
    people = set(ds.persons["pseudonym"])
    for table in (ds.consultations, ds.lab_results, ds.medical_acts):
        assert set(table["pseudonym"]) <= people
    assert people == set(ds.consultations["pseudonym"])  # nobody without a consultation
    assert ds.persons["pseudonym"].str.fullmatch(r"SYN-[0-9A-F]{6}").all()


def test_results_and_acts_fall_on_a_consultation_of_that_person_at_that_site(ds):
    visits = _visit_keys(ds)
    lab, acts = ds.lab_results, ds.medical_acts
    assert all(k in visits for k in zip(lab["pseudonym"], lab["sample_date"], lab["site"]))
    assert all(k in visits for k in zip(acts["pseudonym"], acts["date"], acts["site"]))


def test_results_handed_over_after_the_sample(ds):
    given = ds.lab_results.dropna(subset=["result_given_date"])
    assert (given["result_given_date"] > given["sample_date"]).all()


def test_ages_and_inclusion(ds):
    persons = ds.persons.set_index("pseudonym")
    c = ds.consultations
    age = c["date"].dt.year - persons.loc[c["pseudonym"], "birth_year"].to_numpy()
    assert age.between(18, 75).all()
    first = c.groupby("pseudonym")["date"].min()
    inclusion = persons.loc[first.index, "inclusion_date"]
    assert (inclusion <= first).all()
    assert (inclusion.dt.year - persons.loc[first.index, "birth_year"] >= 18).all()


def test_one_region_per_person_and_year(ds):
    c = ds.consultations.assign(region=lambda f: f["site"].map(ds.sites.frame["region"]),
                                year=lambda f: f["date"].dt.year)
    assert (c.groupby(["pseudonym", "year"])["region"].nunique() == 1).all()


def test_known_persons_mostly_seen_before(ds):
    """Of the known persons of the last year, most had a consultation in an earlier year."""
    c, last = ds.consultations, design.LAST_YEAR
    seen = set(c.loc[c["date"].dt.year == last, "pseudonym"])
    persons = ds.persons.set_index("pseudonym")
    known = {p for p in seen if persons.loc[p, "inclusion_date"].year < last}
    before = set(c.loc[c["date"].dt.year < last, "pseudonym"])
    assert len(known & before) / len(known) >= 0.8


def _doses(ds) -> pd.DataFrame:
    acts = ds.medical_acts
    return acts.loc[acts["act"] == "hbv_vaccine"].assign(dose=lambda f: f["detail"].astype(int))


def test_vaccine_doses_follow_the_0_1_4_schedule(ds):
    doses = _doses(ds)
    assert set(doses["dose"]) <= {1, 2, 3}
    assert doses.groupby(["pseudonym", "dose"]).size().max() == 1  # one series per person
    wide = doses.pivot_table(index="pseudonym", columns="dose", values="date", aggfunc="min")
    assert wide[1].notna().all()                       # every series starts in the data
    assert (wide[3].isna() | wide[2].notna()).all()
    gap2 = (wide[2] - wide[1]).dt.days.dropna()        # "0-1-4 mois", shifted to working days
    gap3 = (wide[3] - wide[1]).dt.days.dropna()
    assert gap2.between(28, 45).all() and gap3.between(112, 138).all()
    assert len(gap3) > 100


def test_vaccinated_only_with_low_or_unknown_titre(ds):
    """Before each first dose, no anti-HBs titre >= 10 and no positive HBsAg for that person."""
    first = _doses(ds).query("dose == 1").set_index("pseudonym")["date"]
    lab = ds.lab_results
    protected = lab.loc[(lab["test"] == "anti_hbs") & (lab["titre"] >= 10)]
    carriers = lab.loc[(lab["test"] == "hbsag") & (lab["result"] == "positive")]
    for bad in (protected, carriers):
        joined = bad.join(first.rename("dose1"), on="pseudonym", how="inner")
        assert not (joined["sample_date"] <= joined["dose1"]).any()


def test_women_only_tests(ds):
    gender = ds.persons.set_index("pseudonym")["gender"]
    lab = ds.lab_results
    women_tests = lab.loc[lab["test"].isin(["cervical_cytology", "gardnerella", "candida"])]
    assert (gender.loc[women_tests["pseudonym"]] == "woman").all()


def _followed(ds, test: str, result: str, act: str, detail: str) -> bool:
    lab, acts = ds.lab_results, ds.medical_acts
    hits = lab.loc[(lab["test"] == test) & (lab["result"] == result)]
    done = acts.loc[(acts["act"] == act) & (acts["detail"] == detail)]
    joined = hits.merge(done, on="pseudonym")
    ok = joined.loc[(joined["date"] >= joined["sample_date"])
                    & (joined["date"].dt.year == joined["sample_date"].dt.year)]
    return len(hits) > 0 and set(hits["pseudonym"]) == set(ok["pseudonym"])


@pytest.mark.parametrize("test, result, act, detail", [
    ("syphilis", "positive", "treatment", "syphilis"),
    ("gonorrhoea", "positive", "treatment", "gonorrhoea"),
    ("chlamydia", "positive", "treatment", "chlamydia"),
    ("cervical_cytology", "hsil", "referral", "gynaecologist"),
    ("hiv", "positive", "referral", "hiv_reference_centre"),
])
def test_results_lead_to_the_right_act(ds, test, result, act, detail):
    assert _followed(ds, test, result, act, detail)


def test_known_carriers_not_retested(ds):
    """HIV and anti-HCV positives are new diagnoses: nobody tests positive twice."""
    lab = ds.lab_results
    for test in ("hiv", "anti_hcv", "hbsag"):
        positives = lab.loc[(lab["test"] == test) & (lab["result"] == "positive"), "pseudonym"]
        assert positives.is_unique, test


def test_nationalities_typical_of_each_antenna(ds):
    """Design countries map to the groups the library's origins give them; Arlon is Latin American."""
    for code, group in design.COUNTRY_GROUPS.items():
        assert origin_group(code) == group, code
    c = ds.consultations
    arlon = c.loc[c["site"].isin(ds.sites.sites_of("antenna", "arlon")) & (c["date"].dt.year == 2019)]
    nationality = ds.persons.set_index("pseudonym")["nationality"]
    top = nationality.loc[arlon["pseudonym"].unique()].value_counts().index[:3]
    assert set(top) <= {"BR", "CO", "DO", "VE", "EC"}


def test_wallonia_acts_and_results_2019(ds):
    """AViQ's "4469 actes médicaux ... lors de 1449 consultations": acts + results at Wallonia sites."""
    wallonia = set(ds.sites.sites_of("region", "wallonie"))
    lab, acts = ds.lab_results, ds.medical_acts
    n = (lab["site"].isin(wallonia) & (lab["sample_date"].dt.year == 2019)).sum() + (
        acts["site"].isin(wallonia) & (acts["date"].dt.year == 2019)).sum()
    assert n == design.WALLONIA_ACTS_AND_RESULTS[2019] == 4469


def test_pseudonyms_look_synthetic():
    text = (DATA / "persons.csv").read_text(encoding="utf-8")
    assert len(re.findall(r"^SYN-[0-9A-F]{6},", text, flags=re.M)) == text.count("\n") - 1


def test_bad_targets_file_is_reported(tmp_path):
    """A wrong tolerance is an EspacepError naming the file, the entry and the allowed values."""
    from espacep_analysis.errors import EspacepError
    from espacep_analysis.synthetic.targets import load_targets

    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n- {id: inami.persons_seen, year: 2019, scope: all, printed: '1076',\n"
                   "   value: 1076, tolerance: roughly, source: x}\n", encoding="utf-8")
    with pytest.raises(EspacepError, match=r"targets\.yaml: targets\[0\]: tolerance 'roughly' not one of"):
        load_targets(bad)
    with pytest.raises(EspacepError, match="targets.yaml"):
        generate(tmp_path / "out", targets_path=bad)
