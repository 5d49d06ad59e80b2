"""Issue 11: inputs cannot reach outside the report, and the audit catches what could carry data out.

- Hostile narrative text and a hostile antenna label (a copied ``sites.yaml``)
  rendered through the real pages, `show` and the report template: no markup
  survives, no file is embedded, the text appears escaped.
- The batch's working folder holds no link to the data and the published
  notebook no absolute path.
- The audit fails on a data: URI that is not an image, an embedded file, an
  absolute path of the machine, a leftover temporary folder, a symbolic link,
  a file of unknown type; it matches the data path as a whole path.
"""

from __future__ import annotations

import base64
import io
import json
import textwrap
from html import escape
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from espacep_analysis import markup, render
from espacep_analysis.audit import Identifiers, _match_text, _matcher, audit_outputs
from espacep_analysis.batch import BatchOptions, run_batch

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "data" / "synthetic"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
ATTACKS = [
    '<img src=".input/synthetic/persons.csv">',
    "![x](.input/synthetic/lab_results.csv)",
    "<img src=x onerror=alert(1)>",
    "<style>@import url(http://evil/x.css)</style>",
    '<iframe src="http://evil/frame"></iframe>',
    '<meta http-equiv=refresh content="0;url=http://evil">',
    "[a](javascript:alert(1))",
]


def _markup_free(html: str) -> None:
    """No attack survives as markup (tags, event handlers, scripts' URLs); the only images are chart outputs."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["iframe", "script", "object", "embed", "link", "base", "form"])
    assert not [m for m in soup.find_all("meta") if m.get("http-equiv")]
    assert all("@import" not in s.get_text() for s in soup.find_all("style"))
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
    assert all(a["href"].startswith(("http://", "https://", "#")) for a in soup.find_all("a", href=True))
    images = ("data:image/png;base64,", "data:image/svg+xml;base64,")  # the charts: PNG or SVG (plots.show)
    assert all(img["src"].startswith(images) for img in soup.find_all("img"))
    persons = base64.b64encode((SYNTHETIC / "persons.csv").read_bytes()[:300]).decode()[:40]
    assert persons not in html


@pytest.mark.parametrize("attack", ATTACKS)
def test_markdown_subset_prints_attacks_as_text(attack):
    html = markup.markdown_html(f"Texte *libre*.\n\n{attack}\n\n- un\n- [site](https://espacep.be)")
    _markup_free(html)
    assert "<em>libre</em>" in html and '<a href="https://espacep.be"' in html and "<li>un</li>" in html
    assert escape(attack, quote=False) in html  # printed as typed
    assert "<img" not in markup.markdown_html("- " + markup.plain(attack))
    assert "<img" not in markup.sanitize_html(f"<table><tr><td>{attack}</td></tr></table>")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> str:
    """The INAMI contacts and nationality pages and an AViQ narrative with the attacks, rendered to HTML.

    The notebook runs in a folder that links the data as ``.input/synthetic``
    (as the batch did), so an embedding exporter would find the files.
    """
    work = tmp_path_factory.mktemp("hostile")
    sites = yaml.safe_load((REPO / "params" / "sites.yaml").read_text(encoding="utf-8"))
    sites["antennas"]["liege"]["label"] = "Liège " + " ".join(ATTACKS)
    (work / "sites.yaml").write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
    (work / ".input").mkdir()
    (work / ".input" / "synthetic").symlink_to(SYNTHETIC, target_is_directory=True)
    narrative = "\n\n".join(ATTACKS)
    code = textwrap.dedent(f"""
        import espacep_analysis.sites as s
        s.load_sites.__defaults__ = ({str(work / "sites.yaml")!r},)
        from espacep_analysis.pages import build_report, show, aviq, inami
        report = build_report("inami", 2019, {str(SYNTHETIC)!r}, min_cell=0,  # unmasked: no cache
                              params_dir={str(SYNTHETIC.parent.parent / "params")!r})
        show(inami.contacts(report.book, report.antenna_labels))
        show(inami.nationality(report.book, report.antenna_labels))
        from espacep_analysis.declared import Declared
        show(aviq.narrative_block(Declared("aviq", 2019, narrative={{"proximity": {narrative!r}}}), "proximity"))
        from IPython.display import Markdown, HTML, display
        display(Markdown({ATTACKS[0]!r}))
        display(HTML({ATTACKS[2]!r}))
    """)
    nb = new_notebook(cells=[new_markdown_cell("## Essai\n\n" + ATTACKS[0]), new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "in.ipynb")
    papermill.execute_notebook(
        str(work / "in.ipynb"),
        str(work / "report.ipynb"),
        cwd=str(work),
        progress_bar=False,
        kernel_name="python3",
    )
    render.to_html(work / "report.ipynb", work / "report.html", title="Essai", funder="inami", year=2019)
    return (work / "report.html").read_text(encoding="utf-8")


def test_hostile_narrative_and_label_stay_text_in_the_report(hostile_report, tmp_path):
    html = hostile_report
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    assert audit_outputs(tmp_path, SYNTHETIC) == []  # nothing embedded, no path
    _markup_free(html)
    assert "<h2" in html and "Liège" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # printed, escaped
    assert "&lt;iframe src=" in html and "&lt;meta http-equiv=refresh" in html
    assert "[a](javascript:alert(1))" in html


# --- the batch: no link to the data, no absolute path published -----------------------------------

BODY = """
import json, os
assert os.path.isabs(data_dir) and os.path.isdir(data_dir), data_dir
assert not any(os.path.islink(p) or p == ".input" for p in os.listdir(".")), os.listdir(".")
with open("figures.csv", "w") as f:
    f.write("indicator,year,value\\nn_persons,2019,42\\n")
with open("figures-excel.csv", "w") as f:
    f.write("indicator;year;value\\nn_persons;2019;42\\n")
with open("provenance.json", "w") as f:
    json.dump({"year": year, "rendered_at": "2020-01-01T00:00:00Z"}, f)
"""


def test_batch_links_no_data_and_publishes_no_absolute_path(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    params = new_code_cell(
        'year = 2019\ndata_dir = ""\noutput_dir = ""\ncache_dir = ""', metadata={"tags": ["parameters"]}
    )
    nb = new_notebook(cells=[params, new_code_cell(BODY)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "inami.ipynb")
    out = tmp_path / "out"
    buffer = io.StringIO()
    code = run_batch(
        BatchOptions(
            SYNTHETIC,
            out,
            years=[2019],
            funders=["inami"],
            pdf=False,
            workers=1,
            warm_kernels=False,
            notebooks_dir=folder,
        ),
        out=buffer,
    )
    assert code == 0, buffer.getvalue()
    text = (out / "2019" / "inami" / "report.ipynb").read_text(encoding="utf-8")
    for private in (str(SYNTHETIC), str(REPO), str(tmp_path), str(Path.home())):
        assert private not in text
    meta = json.loads(text)["metadata"]["papermill"]
    assert meta["parameters"]["data_dir"] == "synthetic" and meta["input_path"] == "inami.ipynb"


# --- the audit -----------------------------------------------------------------------------------


def _kinds(out: Path) -> list[tuple[str, str]]:
    return sorted((Path(f.file).name, f.kind) for f in audit_outputs(out, SYNTHETIC))


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "outputs" / "2019" / "inami"
    folder.mkdir(parents=True)
    image = base64.b64encode(PNG).decode()
    (folder / "report.html").write_text(
        f"<p>40/195, Liège/Namur, https://espacep.be/a/b</p>" f'<img src="data:image/png;base64,{image}">',
        encoding="utf-8",
    )
    return tmp_path / "outputs"


def test_clean_outputs_pass(out):
    assert _kinds(out) == []


def test_data_uri_of_csv_and_embedded_base64_fail(out):
    csv = base64.b64encode((SYNTHETIC / "persons.csv").read_bytes()[:2000]).decode()
    page = out / "2019" / "inami" / "report.html"
    page.write_text(f'<img src="data:text/csv;base64,{csv}">', encoding="utf-8")
    assert _kinds(out) == [("report.html", "data_uri")]
    page.write_text(f'<img src="data:image/png;base64,{csv}">', encoding="utf-8")  # not a PNG
    assert _kinds(out) == [("report.html", "data_uri")]
    page.write_text(f"<p>{csv}</p>", encoding="utf-8")
    assert _kinds(out) == [("report.html", "embedded_file")]


def test_notebook_image_output_that_is_not_an_image_fails(out):
    csv = base64.b64encode(b"pseudonym,birth_year\nXX-1,1990\n" * 10).decode()
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[new_output("display_data", data={"image/png": csv})])]
    )
    nbformat.write(nb, out / "2019" / "inami" / "report.ipynb")
    assert _kinds(out) == [("report.ipynb", "embedded_file")]


def test_absolute_path_in_a_notebook_fails_but_urls_do_not(out, tmp_path):
    nb = new_notebook(
        metadata={
            "papermill": {
                "input_path": str(tmp_path / "notebooks" / "inami.ipynb"),
                "output_path": "report.ipynb",
            }
        }
    )
    nbformat.write(nb, out / "2019" / "inami" / "report.ipynb")
    assert _kinds(out) == [("report.ipynb", "machine_path")]
    nb.metadata["papermill"]["input_path"] = "https://example.org/work/notebooks/inami.ipynb"
    nbformat.write(nb, out / "2019" / "inami" / "report.ipynb")
    assert _kinds(out) == []
    (out / "notes.txt").write_text(f"rendu depuis {REPO}/notebooks", encoding="utf-8")
    assert _kinds(out) == [("notes.txt", "machine_path")]


def test_leftover_temporary_folder_symlink_and_unknown_file_fail(out, tmp_path):
    temp = out / "2019" / ".inami.tmp-123" / ".input"
    temp.mkdir(parents=True)
    assert _kinds(out) == [(".inami.tmp-123", "leftover_temp")]
    temp.parent.rename(out / "2019" / "kept")
    (out / "2019" / "kept" / ".input" / "synthetic").symlink_to(SYNTHETIC, target_is_directory=True)
    assert _kinds(out) == [("synthetic", "symlink")]
    (out / "2019" / "kept" / ".input" / "synthetic").unlink()
    (out / "2019" / "inami" / "data.parquet").write_bytes(b"PAR1")
    assert _kinds(out) == [("data.parquet", "unknown_file")]


def test_data_path_matches_whole_paths_not_prefixes():
    matcher = _matcher(Identifiers(frozenset({"SYN-1"}), frozenset(), ("/x/d",), frozenset()))
    assert _match_text("sorties dans /x/d_out/2019", matcher, "f") == []
    assert [f.kind for f in _match_text("lu dans /x/d/persons.csv", matcher, "f")] == ["data_path"]


def test_cache_option_reaches_the_notebook_parameters(tmp_path):
    from espacep_analysis.batch import input_digests, plan_jobs
    from espacep_analysis.cli import build_parser

    args = build_parser().parse_args(
        ["report", "--output", str(tmp_path / "o"), "--cache", str(tmp_path / "c")]
    )
    assert args.cache == str(tmp_path / "c")
    options = BatchOptions(
        SYNTHETIC, tmp_path / "o", years=[2019], funders=["inami"], cache_dir=Path(args.cache)
    )
    job = plan_jobs(options, [2019], input_digests(SYNTHETIC)).jobs[0]
    assert job.parameters["cache_dir"] == str((tmp_path / "c").resolve())


def test_the_repository_outputs_placeholder_is_not_a_finding(out):
    """`make report` writes into the repository's outputs/, which holds git's empty .gitkeep."""
    (out / ".gitkeep").write_bytes(b"")
    assert _kinds(out) == []
    (out / ".gitkeep").write_text("SYN-000760\n", encoding="utf-8")
    assert _kinds(out) == [(".gitkeep", "unknown_file")]
