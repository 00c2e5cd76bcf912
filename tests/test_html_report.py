"""The HTML report: the index of reused stories, pair pages with every reported passage marked at its
exact span, escaping of everything a document brings, and the CLI's ``--format html -o DIR``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from syndidetect.cli.main import main
from syndidetect.detector import detect
from syndidetect.documents import Document
from syndidetect.errors import InputError
from syndidetect.report import DocumentSummary, Report
from syndidetect.sources import read_inputs

COPY = ("000_c5b587893c6a010b.txt", "001_cfa5f3a7a816170c.txt")
SPUN = ("002_9d80eb7e5257ff50.txt", "004_ab43671d69f11038.txt")


@dataclass
class Mark:
    attrs: dict[str, str]
    text: str = ""
    inner: list[str] = field(default_factory=list)  # tags inside it


@dataclass
class Column:
    document: str = ""
    text: str = ""  # the document text as the page shows it
    marks: list[Mark] = field(default_factory=list)
    rest: list[tuple[int, int]] = field(default_factory=list)
    dimmed: list[str] = field(default_factory=list)


class PairPage(HTMLParser):
    """The two columns of a pair page: their text, marks (with spans into it) and styled pieces."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.columns: list[Column] = []
        self.scripts = 0
        self._in_text = False
        self._open: list[tuple[str, dict[str, str], int]] = []  # tags open inside the text, with offsets
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.scripts += tag == "script"
        if tag == "section" and "doc" in a.get("class", "").split():
            self.columns.append(Column(a["aria-label"]))
        elif tag == "div" and a.get("class") == "text":
            self._in_text = True
        elif self._in_text:
            col = self.columns[-1]
            if tag == "mark":
                col.marks.append(Mark(a))
            elif col.marks and any(t == "mark" for t, _, _ in self._open):
                col.marks[-1].inner.append(tag)
            self._open.append((tag, a, len(col.text)))

    def handle_endtag(self, tag: str) -> None:
        if not self._in_text:
            return
        if not self._open:
            self._in_text = False
            return
        opened, attrs, start = self._open.pop()
        assert opened == tag, (opened, tag)  # the markup nests
        col = self.columns[-1]
        classes = attrs.get("class", "").split()
        if tag == "mark":
            col.marks[-1].text = col.text[start:]
        if "rest" in classes:
            col.rest.append((start, len(col.text)))
        if "bp" in classes:
            col.dimmed.append(col.text[start:])

    def handle_data(self, data: str) -> None:
        if self._in_text:
            self.columns[-1].text += data


@pytest.fixture(scope="module")
def seeds_report(seeds_dir: Path) -> Report:
    return detect(read_inputs([str(seeds_dir)]))


@pytest.fixture(scope="module")
def html_dir(seeds_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    assert seeds_report.to_html(out) == out / "index.html"
    return out


def page_of(html_dir: Path, documents: tuple[str, str]) -> str:
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    hrefs: list[str] = re.findall(r'href="(pairs/\d+\.html)"', index)
    for href in hrefs:
        page = (html_dir / href).read_text(encoding="utf-8")
        if re.search(r"<h1>[^<]*" + re.escape(documents[0]) + "[^<]*" + re.escape(documents[1]), page) or \
                re.search(r"<h1>[^<]*" + re.escape(documents[1]) + "[^<]*" + re.escape(documents[0]), page):
            return page
    raise AssertionError(f"no page for {documents}")


def test_index_shows_who_reused_the_story(html_dir: Path) -> None:
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", index).split())
    first = text.index("001_cfa5f3a7a816170c.txt reused by 1 document: 000_c5b587893c6a010b.txt")
    row = text[first:first + 400]
    assert "verbatim" in row and "16 of 25 paragraphs" in row
    assert "001_cfa5f3a7a816170c.txt → 000_c5b587893c6a010b.txt" in row
    assert re.search(r"\b78% ", row)  # of the story's words
    second = text.index("002_9d80eb7e5257ff50.txt / 004_ab43671d69f11038.txt copy, direction not determined")
    assert first < second and "reworded" in text[second:second + 400]
    assert "Related pairs: shared passages, not copies (6)" in text
    assert len(list((html_dir / "pairs").glob("*.html"))) == 8


def test_copy_page_marks_every_paragraph_match_at_its_exact_span(seeds_report: Report, html_dir: Path,
                                                                  seeds_dir: Path) -> None:
    page = PairPage(page_of(html_dir, COPY))
    pair = next(p for p in seeds_report.pairs if p.documents == COPY)
    left, right = page.columns
    assert (left.document, right.document) == (COPY[1], COPY[0])  # the source on the left
    assert len(pair.passages) == 1 and len(pair.matches) == 16
    assert [len(left.marks), len(right.marks)] == [16, 16]
    for column in (left, right):
        file_text = (seeds_dir / column.document).read_text(encoding="utf-8")
        assert column.text == file_text  # the page shows the whole text, untouched
        for mark in column.marks:
            start, end = int(mark.attrs["data-start"]), int(mark.attrs["data-end"])
            assert mark.text == file_text[start:end]
        spans = {(int(m.attrs["data-start"]), int(m.attrs["data-end"])) for m in column.marks}
        side = pair.documents.index(column.document)
        assert spans == {(m.paragraphs[side].start, m.paragraphs[side].end) for m in pair.matches}
    # Partners carry the same number, in the same order on both sides.
    assert [m.attrs["data-passage"] for m in left.marks] == [m.attrs["data-passage"] for m in right.marks]
    assert "containment 1.00" in left.marks[0].attrs["title"]


def test_every_passage_character_is_marked_or_shown_as_one_sided(seeds_report: Report, html_dir: Path) -> None:
    for pair in seeds_report.pairs:
        page = PairPage(page_of(html_dir, pair.documents))
        for column in page.columns:
            covered = [False] * len(column.text)
            for mark in column.marks:
                covered[int(mark.attrs["data-start"]):int(mark.attrs["data-end"])] = \
                    [True] * (int(mark.attrs["data-end"]) - int(mark.attrs["data-start"]))
            for start, end in column.rest:
                covered[start:end] = [True] * (end - start)
            side = pair.documents.index(column.document)
            for passage in pair.passages:
                span = passage.spans[side]
                missed = [c for k, c in enumerate(column.text[span.start:span.end])
                          if not covered[span.start + k] and not c.isspace()]
                assert missed == [], (pair.documents, column.document, span.start)


def test_reworded_page_shows_removed_and_added_words(html_dir: Path) -> None:
    page = PairPage(page_of(html_dir, SPUN))
    left, right = page.columns
    assert any("del" in m.inner for m in left.marks) and not any("ins" in m.inner for m in left.marks)
    assert any("ins" in m.inner for m in right.marks) and not any("del" in m.inner for m in right.marks)
    assert {m.attrs["class"] for m in left.marks} == {"reworded"}
    assert {m.attrs["data-passage"] for m in left.marks} == {m.attrs["data-passage"] for m in right.marks}
    assert "direction not determined" in page_of(html_dir, SPUN)


def test_user_strings_are_escaped(tmp_path: Path) -> None:
    story = ("Officials said the <script>alert('pwned')</script> river flooded the old town on Monday after three "
             "days of rain, and hundreds of residents were moved to the school gym overnight.\n\n"
             "The mayor said repairs to the bridge would take weeks & cost \"millions\".")
    evil_id = '<img src=x onerror="alert(1)">.txt'
    report = detect([Document(evil_id, story), Document("copy.txt", "Menu\n\n" + story)])
    report.to_html(tmp_path)
    for page in [tmp_path / "index.html", *(tmp_path / "pairs").glob("*.html")]:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img" not in html
        assert html.count("<script") == (1 if page.parent.name == "pairs" else 0)  # only ours
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.txt" in html
    pair_page = PairPage(next((tmp_path / "pairs").glob("*.html")).read_text(encoding="utf-8"))
    assert pair_page.columns[0].text == story  # shown as text, character for character
    assert pair_page.scripts == 1


def test_boilerplate_is_dimmed(tmp_path: Path) -> None:
    footer = "Copyright 2024 Example Media Group. All rights reserved."
    story = ("The river flooded the old town on Monday after three days of rain, and hundreds of residents were "
             "moved to the school gym overnight while the water kept rising.")
    fillers = ["Bakers in the valley started selling rye loaves again after a long winter break.",
               "Cyclists asked the council for a safer lane along the harbour road this spring.",
               "Beekeepers counted fewer hives than last year but expect honey prices to hold.",
               "Fishing boats stayed in port on Friday as the gale warning was extended twice.",
               "The church bells were restored by volunteers who raised funds over three years."]
    docs = [("a.txt", story + "\n\n" + footer), ("b.txt", "Intro line here.\n\n" + story + "\n\n" + footer)]
    docs += [(f"f{k}.txt", text + "\n\n" + footer) for k, text in enumerate(fillers)]
    report = detect(docs)
    assert [text for text, _ in report.boilerplate] == [footer]
    report.to_html(tmp_path)
    page = PairPage(next((tmp_path / "pairs").glob("*.html")).read_text(encoding="utf-8"))
    assert [c.dimmed for c in page.columns] == [[footer], [footer]]


def test_to_html_needs_the_texts(seeds_report: Report, tmp_path: Path, seeds_dir: Path) -> None:
    without = Report(tuple(DocumentSummary(d.id, d.paragraphs) for d in seeds_report.documents),
                     seeds_report.pairs, seeds_report.groups, seeds_report.boilerplate)
    with pytest.raises(InputError, match=r"the HTML report needs the text of '000_c5b587893c6a010b.txt' "
                                         r"\(5 missing\); pass documents="):
        without.to_html(tmp_path)
    index = without.to_html(tmp_path, documents=read_inputs([str(seeds_dir)]))
    assert "reused by 1 document" in index.read_text(encoding="utf-8")


def test_pages_are_self_contained(html_dir: Path) -> None:
    for page in [html_dir / "index.html", *(html_dir / "pairs").glob("*.html")]:
        html = page.read_text(encoding="utf-8")
        assert "<style>" in html and not re.search(r"<link|\bsrc=|https?://|@import", html)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_cli_writes_the_folder(seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert main(["scan", str(seeds_dir), "--format", "html", "-o", str(out), "--copies-only"]) == 0
    assert capsys.readouterr().out == f"HTML report: {out / 'index.html'} (2 pair pages)\n"
    assert sorted(p.name for p in (out / "pairs").glob("*.html")) == ["0001.html", "0002.html"]
    assert "republishes 16 of 25" in (out / "pairs" / "0001.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "html"], "--format html writes a folder of pages: give it with -o DIR"),
    (["--format", "html", "-o", "x", "--dask", "local"], "--format html shows the document texts"),
])
def test_cli_html_usage_errors(seeds_dir: Path, args: list[str], message: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(seeds_dir), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("syndidetect: error: ") and message in err and err.count("\n") == 1


def test_counts_take_the_singular_for_one(seeds_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(seeds_dir / name) for name in ("000_c5b587893c6a010b.txt", "001_cfa5f3a7a816170c.txt")]
    detect(read_inputs(paths)).to_html(tmp_path / "two")  # one copy of the other
    html = (tmp_path / "two" / "index.html").read_text(encoding="utf-8")
    assert "<title>syndidetect report: 1 copy among 2 documents</title>" in html
    assert "2 documents · 1 copy · 0 related pairs" in html
    assert main(["scan", *paths, "--format", "html", "-o", str(tmp_path / "cli")]) == 0
    assert capsys.readouterr().out == f"HTML report: {tmp_path / 'cli' / 'index.html'} (1 pair page)\n"


def test_every_pair_page_has_the_terminal_reports_headline(seeds_report: Report, html_dir: Path) -> None:
    pages = " ".join((html_dir / "pairs" / name).read_text(encoding="utf-8")
                     for name in sorted(p.name for p in (html_dir / "pairs").glob("*.html")))
    headlines = [pair.headline for pair in seeds_report.pairs]
    assert any("paragraph each" in h for h in headlines)  # the seeds have a related pair of 1 and 1
    for headline in headlines:
        assert f"<h1>{headline}</h1>" in pages
