"""The synthetic generator: deterministic, committed as generated, and plausible row by row.

Plausibility invariants are checked on the committed data set as the library
loads it (`load.load_dataset`, which also rejects any row breaking the data
contract), with plain pandas, independently of the generator's own
bookkeeping: medical tables first, then the outreach tables (contacts, social
actions, activities) and how they tie to the consultations.
"""

from __future__ import annotations

import csv
import filecmp
import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from targetcheck import ALL_TARGETS, check, funder

from espacep_analysis.codes import COLUMNS, MEDICAL_TABLES, OUTREACH_TABLES
from espacep_analysis.indicators import aviq, cocof, inami
from espacep_analysis.load import load_dataset, validate_directory
from espacep_analysis.origins import origin_group
from espacep_analysis.synthetic import DEFAULT_SEED, TABLES, design, generate, main

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
    """data/synthetic/ == generate(seed=DEFAULT_SEED): regenerate with `espacep synthetic` after changes.

    The committed files were written by another process: this is also the "same seed, same
    bytes" check (an in-process repeat was dropped to keep the file fast).
    """
    match, mismatch, errors = filecmp.cmpfiles(DATA, fresh, FILES, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_other_seed_other_rows_same_targets(fresh, tmp_path):
    assert main(["--out", str(tmp_path), "--seed", "7"]) == 0
    for name in FILES[:-1]:
        assert (tmp_path / name).read_bytes() != (fresh / name).read_bytes(), name
    other = load_dataset(tmp_path)
    modules = {"inami": inami, "aviq": aviq, "cocof": cocof}
    years = {f: sorted({t["year"] for t in ALL_TARGETS if funder(t) == f}) for f in modules}
    figures = {
        (f, y): m.compute_figures(other, y, n_previous=0) for f, m in modules.items() for y in years[f]
    }
    for target in ALL_TARGETS:
        if target.get("status", "ok") == "ok":
            check(target, figures[funder(target), target["year"]])


# sha256 of each file as committed before 2020 was added (commit 2ad793d): its 2017-2019 rows
CALIBRATED_DIGESTS = {
    "persons.csv": "87f11d3b9e5f0307996582e5c0c13c76628394843e7fb9293de3833204da7f1f",
    "consultations.csv": "6fbafda93dbd397d6157a1a456898b67fcd2b4f04b96e00f9010e0b2eb6d78ed",
    "lab_results.csv": "f6b47c89442474d0a3d78c73ab50cd70171aa149c8f1e2365177c298ed97a773",
    "medical_acts.csv": "5204f280b170a6da79983be2045ba079677b6751376b0d45055eb18cc6a30e9d",
    "contacts.csv": "2ac42db80f77116fb0a90219a0861e709fff9134c52c7b05ccce68e8f73623a7",
    "social_actions.csv": "6ef2979038feb693c1f03551ada88071d73ba9869557790977e5cc437c7397f0",
    "activities.csv": "9a36e29bd68737c1d3984bb23c2ea38cf0d25a231d855bca77c716757a1dea7e",
}


def _calibrated_text(name: str, seen: set[str] | None) -> str:
    """Header and the rows of 2017-2019 of a committed file, in file order, as bytes-exact text.

    Event tables: rows dated up to `design.CALIBRATED_LAST_YEAR`; persons: those in ``seen``.
    """
    lines = (DATA / name).read_text(encoding="utf-8").split("\n")
    header, rows = lines[0], [line for line in lines[1:] if line]
    columns = header.split(",")
    if seen is None:
        at = columns.index("sample_date" if "sample_date" in columns else "date")
        keep = [int(row[at][:4]) <= design.CALIBRATED_LAST_YEAR for row in csv.reader(rows)]
    else:
        keep = [row[0] in seen for row in csv.reader(rows)]
    return header + "\n" + "".join(line + "\n" for line, k in zip(rows, keep) if k)


def test_calibrated_years_keep_their_bytes():
    """Adding 2020 changed no row of 2017-2019 (nor their order): the files before 2020 are prefixes."""
    events = {name: _calibrated_text(name, None) for name in CALIBRATED_DIGESTS if name != "persons.csv"}
    seen = {
        row[0]
        for name in ("consultations.csv", "lab_results.csv", "medical_acts.csv")
        for row in list(csv.reader(io.StringIO(events[name])))[1:]
    }
    events["persons.csv"] = _calibrated_text("persons.csv", seen)
    digests = {name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in events.items()}
    assert digests == CALIBRATED_DIGESTS


def test_2020_is_generated_valid_and_plausible(ds):
    """2020 rows in every table, accepted by validation, volumes within 20 % of 2019's (not calibrated)."""
    assert design.LAST_YEAR == 2020 and design.CALIBRATED_LAST_YEAR == 2019
    assert validate_directory(DATA).ok
    for table in ("consultations", "lab_results", "medical_acts", "contacts", "social_actions", "activities"):
        frame = getattr(ds, table)
        years = frame["sample_date" if table == "lab_results" else "date"].dt.year
        assert (years == 2020).sum() > 0.8 * (years == 2019).sum() > 0, table
    figures = {
        y: inami.compute_figures(ds, y, n_previous=0).set_index(["indicator", "scope"])["value"]
        for y in (2019, 2020)
    }
    for indicator in ("persons_seen", "consultations", "new_persons", "vaccine_doses", "counsels"):
        ratio = figures[2020][(f"inami.{indicator}", "all")] / figures[2019][(f"inami.{indicator}", "all")]
        assert 0.8 < ratio < 1.2 and ratio != 1, indicator
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "2020 is plausible but **not calibrated**" in readme


def test_every_table_of_the_contract_is_generated():
    assert set(TABLES) == set(MEDICAL_TABLES) | set(OUTREACH_TABLES)


def test_files_have_the_contract_columns_and_format():
    for table in TABLES:
        lines = (DATA / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(COLUMNS[table])
    consultations = pd.read_csv(DATA / "consultations.csv", dtype=str, keep_default_na=False)
    assert set(consultations["coverage_asked"]) == {"yes", "no"}
    assert consultations["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert ((consultations["coverage_asked"] == "no") == (consultations["coverage_status"] == "")).all()
    actions = pd.read_csv(DATA / "social_actions.csv", dtype=str, keep_default_na=False)
    assert set(actions["first_contact"]) == {"yes", "no"}
    assert ((actions["first_contact"] == "no") == (actions["place"] == "")).all()
    contacts = pd.read_csv(DATA / "contacts.csv", dtype=str, keep_default_na=False)
    assert ((contacts["channel"] == "internet") == (contacts["platform"] != "")).all()
    activities = pd.read_csv(DATA / "activities.csv", dtype=str, keep_default_na=False)
    assert activities["sessions"].str.fullmatch(r"[1-9]\d*").all()  # whole numbers >= 1


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
    c = ds.consultations.assign(
        region=lambda f: f["site"].map(ds.sites.frame["region"]), year=lambda f: f["date"].dt.year
    )
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
    assert wide[1].notna().all()  # every series starts in the data
    assert (wide[3].isna() | wide[2].notna()).all()
    gap2 = (wide[2] - wide[1]).dt.days.dropna()  # "0-1-4 mois", shifted to working days
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
    ok = joined.loc[
        (joined["date"] >= joined["sample_date"]) & (joined["date"].dt.year == joined["sample_date"].dt.year)
    ]
    return len(hits) > 0 and set(hits["pseudonym"]) == set(ok["pseudonym"])


@pytest.mark.parametrize(
    "test, result, act, detail",
    [
        ("syphilis", "positive", "treatment", "syphilis"),
        ("gonorrhoea", "positive", "treatment", "gonorrhoea"),
        ("chlamydia", "positive", "treatment", "chlamydia"),
        ("cervical_cytology", "hsil", "referral", "gynaecologist"),
        ("hiv", "positive", "referral", "hiv_reference_centre"),
    ],
)
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
        acts["site"].isin(wallonia) & (acts["date"].dt.year == 2019)
    ).sum()
    assert n == design.WALLONIA_ACTS_AND_RESULTS[2019] == 4469


def test_pseudonyms_look_synthetic():
    text = (DATA / "persons.csv").read_text(encoding="utf-8")
    assert len(re.findall(r"^SYN-[0-9A-F]{6},", text, flags=re.M)) == text.count("\n") - 1


def test_bad_targets_file_is_reported(tmp_path):
    """A wrong tolerance is an EspacepError naming the file, the entry and the allowed values."""
    from espacep_analysis.errors import EspacepError
    from espacep_analysis.synthetic.targets import load_targets

    bad = tmp_path / "targets.yaml"
    bad.write_text(
        "targets:\n- {id: inami.persons_seen, year: 2019, scope: all, printed: '1076',\n"
        "   value: 1076, tolerance: roughly, source: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(EspacepError, match=r"targets\.yaml:2: targets\[0\]: tolerance 'roughly' not one of"):
        load_targets(bad)
    with pytest.raises(EspacepError, match="targets.yaml"):
        generate(tmp_path / "out", targets_path=bad)


# --- outreach: contacts, social actions, activities ---------------------------------------------


def _with_year_region(ds, table):
    return table.assign(year=table["date"].dt.year, region=table["site"].map(ds.sites.frame["region"]))


@pytest.fixture(scope="module")
def outreach(ds):
    """Contacts, social actions and consultations with their year and region."""
    return (
        _with_year_region(ds, ds.contacts),
        _with_year_region(ds, ds.social_actions),
        _with_year_region(ds, ds.consultations),
    )


def test_outreach_covers_every_year_and_only_wallonia_and_brussels(ds, outreach):
    contacts, actions, _ = outreach
    years = list(range(design.FIRST_YEAR, design.LAST_YEAR + 1))
    for table in (contacts, actions, ds.activities.assign(year=ds.activities["date"].dt.year)):
        assert sorted(table["year"].unique()) == years
    assert set(contacts["region"]) == set(actions["region"]) == {"wallonie", "bruxelles"}
    assert contacts["pseudonym"].dropna().str.fullmatch(r"SYN-[0-9A-F]{6}").all()


def test_contacts_on_working_days(outreach):
    contacts = outreach[0]
    assert (contacts["date"].dt.day_of_week < 5).all()
    assert not ((contacts["date"].dt.month == 12) & (contacts["date"].dt.day == 25)).any()


def test_one_region_per_outreach_person_and_year(outreach):
    contacts = outreach[0].dropna(subset=["pseudonym"])
    assert (contacts.groupby(["pseudonym", "year"])["region"].nunique() == 1).all()


def test_outreach_persons_partly_seen_medically(ds, outreach):
    """Many persons met never consult; the persons seen in consultation were met in outreach too."""
    contacts, _, consultations = outreach
    medical = set(ds.persons["pseudonym"])
    for (year, region), group in contacts.dropna(subset=["pseudonym"]).groupby(["year", "region"]):
        met = set(group["pseudonym"])
        seen = set(
            consultations.loc[
                (consultations["year"] == year) & (consultations["region"] == region), "pseudonym"
            ]
        )
        assert 0.15 < len(met & medical) / len(met) < 0.8, (year, region)
        assert len(seen & met) / len(seen) >= (0.95 if region == "wallonie" else 0.75), (year, region)


def test_first_contact_of_the_year_not_after_the_first_consultation(outreach):
    """Social workers meet a person at the latest on the day of their first consultation, at that site."""
    contacts, _, consultations = outreach
    first_contact = (
        contacts.dropna(subset=["pseudonym"])
        .sort_values(["date", "site"])
        .groupby(["pseudonym", "year"])[["date", "site"]]
        .first()
    )
    first_visit = (
        consultations.sort_values(["date", "site"]).groupby(["pseudonym", "year"])[["date", "site"]].first()
    )
    both = first_contact.join(first_visit, how="inner", suffixes=("_contact", "_visit"))
    assert len(both) > 1000
    assert (both["date_contact"] <= both["date_visit"]).all()
    assert (both["site_contact"] == both["site_visit"]).all()
    assert (both["date_contact"] < both["date_visit"]).mean() > 0.2  # some were met before


def test_returning_outreach_persons(outreach):
    contacts = outreach[0].dropna(subset=["pseudonym"])
    for region in ("wallonie", "bruxelles"):
        mine = contacts[contacts["region"] == region]
        before = set(mine.loc[mine["year"] == 2018, "pseudonym"])
        now = set(mine.loc[mine["year"] == 2019, "pseudonym"])
        assert 0.25 < len(now & before) / len(now) < 0.85, region


def test_contacts_per_person_heavy_tailed(outreach):
    per_person = outreach[0].dropna(subset=["pseudonym"]).groupby(["pseudonym", "year"]).size()
    assert per_person.median() <= 3 and per_person.max() >= 40
    assert (per_person == 1).mean() > 0.2


def test_internet_contacts_carry_a_platform_and_dating_persons_work_in_private(ds, outreach):
    contacts = outreach[0]
    online = contacts[contacts["channel"] == "internet"]
    assert (
        online["platform"].notna().all()
        and contacts.loc[contacts["channel"] != "internet", "platform"].isna().all()
    )
    dating = online[
        online["platform"].isin(list(aviq.DATING_PLATFORMS))
        & (online["region"] == "wallonie")
        & (online["year"] == 2019)
    ]
    assert dating["pseudonym"].nunique() == 221
    assert (dating.drop_duplicates("pseudonym")["workplace"] == "private").mean() > 0.5


def test_social_actions_happen_on_contacts(outreach):
    contacts, actions, _ = outreach
    keys = set(zip(contacts["pseudonym"], contacts["date"], contacts["site"]))
    assert all(k in keys for k in zip(actions["pseudonym"], actions["date"], actions["site"]))
    assert not actions.duplicated(["pseudonym", "date", "site", "demand"]).any()


def test_first_contact_flag_is_the_earliest_social_action_of_the_year(outreach):
    actions = outreach[1]
    flagged = actions[actions["first_contact"]]
    assert not flagged.duplicated(["pseudonym", "year"]).any()
    earliest = actions.sort_values(["date", "site"]).groupby(["pseudonym", "year"])[["date", "site"]].first()
    assert len(flagged) == len(earliest)
    joined = flagged.set_index(["pseudonym", "year"])[["date", "site"]].join(earliest, suffixes=("", "_min"))
    assert (joined["date"] == joined["date_min"]).all() and (joined["site"] == joined["site_min"]).all()


def test_first_contact_place_is_the_channel_of_that_contact(outreach):
    contacts, actions, _ = outreach
    flagged = actions.loc[actions["first_contact"], ["pseudonym", "date", "site", "place"]]
    joined = flagged.merge(
        contacts[["pseudonym", "date", "site", "channel"]], on=["pseudonym", "date", "site"]
    )
    assert len(joined) == len(flagged)
    assert (joined["place"] == joined["channel"]).all()


def test_wallonia_consultation_demands_are_consultations(outreach):
    """ "1445 consultations médicales répertoriées": 1445 of the 1449 Wallonia consultations of 2019."""
    _, actions, consultations = outreach
    demands = actions[(actions["demand"] == "medical_consultation")]
    visits = set(zip(consultations["pseudonym"], consultations["date"], consultations["site"]))
    assert all(k in visits for k in zip(demands["pseudonym"], demands["date"], demands["site"]))
    assert set(demands["region"]) == {"wallonie"}
    in_2019 = consultations[(consultations["year"] == 2019) & (consultations["region"] == "wallonie")]
    assert (len(in_2019), (demands["year"] == 2019).sum()) == (1449, 1445)


def test_activities(ds):
    activities = ds.activities.assign(year=ds.activities["date"].dt.year)
    assert (activities["sessions"] >= 1).all() and (activities["participants"] >= 0).all()
    courses = activities[activities["type"].isin(["language_course", "literacy_course"])]
    assert set(courses["site"]) == {"bruxelles"} and (courses["programme"] == "other").all()
    sessions = activities[activities["type"] == "information_session"]
    assert set(sessions["site"]) <= set(ds.sites.funder_sites("aviq"))
    assert sessions.groupby("year")["sessions"].sum().between(90, 120).all()
    stands = activities[
        (activities["type"] == "stand") & (activities["site"] == "bruxelles") & (activities["year"] == 2019)
    ]
    assert sorted(zip(stands["sessions"], stands["condoms"])) == [(1, 1000), (3, 3500)]
