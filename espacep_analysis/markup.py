"""Every string that enters a report goes through here: escaped, or rendered from a Markdown subset and sanitised.

Narrative paragraphs (``params/<year>/<funder>.yaml``), labels (``params/sites.yaml``,
declared figures) and any other string from the params or the data are text,
never markup. The report's text blocks are written in a small Markdown subset:

- paragraphs (separated by a blank line) and line breaks;
- emphasis ``*italic*``, ``**bold**`` and inline code with backticks;
- bullet lists (``- item``) and numbered lists (``1. item``), nested by indentation;
- links ``[text](https://...)`` to ``http`` and ``https`` addresses only (any
  other target, relative paths included, leaves the text as written).

Nothing else is markup: raw HTML is shown as text (``<img ...>`` prints as
typed), images (``![x](...)``) are not images, headings, tables, block quotes
and code blocks are off. The HTML produced is then cleaned by the `nh3`
sanitiser with an allow-list of tags and attributes, so that no tag, attribute
or URL scheme outside the subset can reach a report even if the Markdown
parser let one through. Labels interpolated into a Markdown text are escaped
first with `plain`, so they print literally.

Public API: `escape` (HTML text), `plain` (a label inside Markdown),
`markdown_html` (the subset to safe HTML), `sanitize_html` (HTML outputs of
the notebooks: figure tables), `LINK_SCHEMES`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"http", "https"})
TEXT_TAGS = frozenset({"p", "br", "em", "strong", "code", "ul", "ol", "li", "a"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TABLE_TAGS = frozenset(
    {
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "div",
        "span",
        "sup",
        "sub",
        "small",
        "details",
        "summary",
    }
)
TEXT_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
TABLE_ATTRIBUTES = {
    **TEXT_ATTRIBUTES,
    "*": {"class"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
}
# Markdown rules of the subset (markdown-it-py rule names); everything else stays off.
_BLOCK_RULES = ["paragraph", "list"]
_INLINE_RULES = ["emphasis", "link", "escape", "backticks", "newline", "entity"]
_MD_INLINE = re.compile(r"([\\`*_\[\]<>!&~|{}])")  # inline markup, an entity, a reference ({{tab:key}})
_MD_LINE_START = re.compile(r"^(\d*)([-+#>=.)])")  # what would start a list, a heading, a quote


def escape(text: object) -> str:
    """``text`` as HTML text (``&``, ``<``, ``>`` and quotes escaped)."""
    return html.escape(str(text), quote=True)


def plain(text: object) -> str:
    """``text`` escaped for a Markdown text of the subset: it prints exactly as written, on one line.

    The characters that can open inline markup or an entity (backslash,
    backtick, ``*``, ``_``, brackets, braces (`document` references), ``<``, ``>``, ``!``, ``&``, ``~``, ``|``)
    are backslash-escaped (CommonMark), as is a list, heading or quote marker
    at the start; whitespace runs, line breaks included, become one space. A
    label thus starts neither a list nor a link, an image or emphasis, and an
    ordinary label ("Liège/Seraing/Ans", "au bureau") is left as it is.
    """
    one_line = " ".join(str(text).split())
    return _MD_LINE_START.sub(r"\1\\\2", _MD_INLINE.sub(r"\\\1", one_line))


def _link_allowed(url: str) -> bool:
    """Links of the subset: absolute ``http``/``https`` URLs with a host, nothing else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and bool(parts.netloc)


@lru_cache(maxsize=2)
def _parser(headings: bool):
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(_BLOCK_RULES + (["heading"] if headings else []))
    md.enable(_INLINE_RULES)
    md.validateLink = _link_allowed  # type: ignore[method-assign]  # markdown-it-py's documented hook
    return md


def _clean(markup: str, tags: frozenset, attributes: dict) -> str:
    import nh3

    return nh3.clean(
        markup,
        tags=set(tags),
        attributes={k: set(v) for k, v in attributes.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def markdown_html(source: str, *, headings: bool = False) -> str:
    """Render ``source`` (the Markdown subset above) to sanitised HTML.

    Parameters
    ----------
    source : str
        Markdown text; raw HTML in it prints as text.
    headings : bool
        Also accept ``#`` headings (the notebooks' own section titles).

    Returns
    -------
    str
        HTML made of `TEXT_TAGS` only (and headings when asked).
    """
    rendered = _parser(headings).render(str(source))
    return _clean(rendered, TEXT_TAGS | (HEADING_TAGS if headings else frozenset()), TEXT_ATTRIBUTES)


def sanitize_html(markup: str) -> str:
    """Keep only text, table and list markup of ``markup`` (a notebook's HTML output).

    Tags outside `TEXT_TAGS` and `TABLE_TAGS` are removed (their text kept,
    ``script``/``style`` dropped with their content), attributes outside the
    allow-list dropped, links kept only to ``http``/``https``. Images, frames,
    ``meta``, ``style``, forms and event handlers never survive.
    """
    return _clean(str(markup), TEXT_TAGS | TABLE_TAGS, TABLE_ATTRIBUTES)
