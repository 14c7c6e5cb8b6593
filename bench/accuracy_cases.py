"""One page's cases: its copies built and each judged through the library API, in a worker
process. The page is extracted once; every copy is compared with that extraction by the same two
steps `compare_text` takes, and the gold copy also through `compare_text` itself, to show that
the shortcut gives what users get."""

from __future__ import annotations

import gzip
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import accuracy_copies as copies
from provenance import compare_text
from provenance.compare.text_check import compare_prepared, prepare_text
from provenance.text.decode import decode_html
from provenance.text.extract import Article, NoArticle, extract_article

UNTOUCHED = ("gold", "typography", "no-periphery", "select-all", "reader-mode")
TAMPERED = (
    "figure",
    "insert-foreign",
    "delete-paragraph",
    "reword",
    "other-article",
    "outside-number",
)
KINDS = UNTOUCHED + TAMPERED
EXPECTED = {
    "figure": "modified",
    "insert-foreign": "foreign content",
    "delete-paragraph": "excerpt",
    "reword": "modified",
    "other-article": "foreign content",
    "outside-number": "modified",
}
FAITHFUL = ("verbatim", "faithful")
REASON_KEPT = 400  # characters of the first reason kept in the results


@dataclass(frozen=True)
class Page:
    set: str
    id: str
    url: str
    gold: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.set}/{self.id}"

    def body(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


@dataclass(frozen=True)
class Task:
    page: Page
    kinds: tuple[str, ...]
    foreign_gold: str  # another page's article: donor of the inserted sentence
    other_gold: str  # another page's article: the other-article copy
    select_all: str | None  # the browser's innerText, None where there is none
    api_check: bool = True  # also run the gold copy through `compare_text` itself


@dataclass(frozen=True)
class Case:
    set: str
    id: str
    kind: str
    verdict: str | None  # None: the copy does not apply to this page (skipped)
    reason: str  # first reason (truncated), or why the copy was skipped
    ok: bool  # untouched: not a false alarm; tampered: detected
    exact: bool  # tampered: expected verdict and the change named in the first reason
    reasons: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class PageResult:
    cases: tuple[Case, ...]
    cpu: float  # seconds of CPU this page took in the worker
    api_mismatch: str | None  # set when compare_text and the shortcut disagree on the gold copy
    charset_conflict: bool  # the page declares a charset its bytes are not in


def build_copies(task: Task, body: bytes, page_text: str) -> dict[str, copies.Copy | str]:
    """Each wanted kind's copy, or why it does not apply."""
    built: dict[str, copies.Copy | str] = {}
    for kind in task.kinds:
        try:
            built[kind] = _build(kind, task, body, page_text) or SKIP_REASONS[kind]
        except Exception as error:  # a harness bug: counted with the skips, shown in the report
            built[kind] = f"harness error: {type(error).__name__}: {error}"[:REASON_KEPT]
    return built


def _build(kind: str, task: Task, body: bytes, page_text: str) -> copies.Copy | None:
    page, gold = task.page, task.page.gold
    if kind == "gold":
        return copies.Copy(kind, gold)
    if kind == "typography":
        return copies.Copy(kind, copies.typography(gold, page.id))
    if kind == "no-periphery":
        stripped = copies.no_periphery(gold, body)
        return copies.Copy(kind, stripped[0]) if stripped else None
    if kind == "select-all":
        return copies.Copy(kind, task.select_all) if task.select_all else None
    if kind == "reader-mode":
        text = copies.reader_mode(body)
        return copies.Copy(kind, text) if text else None
    if kind == "figure":
        return copies.figure(gold, page.id)
    if kind == "insert-foreign":
        return copies.insert_foreign(gold, task.foreign_gold, page.id)
    if kind == "delete-paragraph":
        return copies.delete_paragraph(gold, page.id)
    if kind == "reword":
        return copies.reword(gold, page.id)
    if kind == "other-article":
        return copies.other_article(task.other_gold)
    if kind == "outside-number":
        return copies.outside_number(gold, page_text, page.id)
    raise ValueError(f"no such copy kind: {kind}")


SKIP_REASONS = {
    "no-periphery": "no standfirst, byline, dateline or caption line found in the gold",
    "select-all": "no innerText from Chromium",
    "reader-mode": "readability-lxml found no article",
    "figure": "no number in a middle paragraph",
    "insert-foreign": "fewer than 2 paragraphs, or no donor sentence",
    "delete-paragraph": "no middle paragraph of 80 characters or more",
    "reword": "no middle paragraph with a word to reword",
    "outside-number": "no line with a number in the page text outside the article",
}


def copies_of(task: Task) -> dict[str, copies.Copy | str]:
    """The task's copies on their own (the crawl mode writes them out as seed files)."""
    body = task.page.body()
    article = extract_article(body, url=task.page.url, content_type="text/html")
    return build_copies(task, body, "" if isinstance(article, NoArticle) else article.page_text)


def judge_page(task: Task) -> PageResult:
    """Every copy of the page judged. An exception in the comparison is a case with the verdict
    "error" (a false alarm, or a miss), never the end of the run."""
    started = time.process_time()
    page = task.page
    body = page.body()
    try:
        article: Article | NoArticle = extract_article(body, url=page.url, content_type="text/html")
    except Exception as error:
        failed = f"error: {type(error).__name__}: {error}"[:REASON_KEPT]
        crashed = tuple(
            Case(page.set, page.id, k, "error", failed, False, False) for k in task.kinds
        )
        return PageResult(crashed, time.process_time() - started, None, False)
    page_text = "" if isinstance(article, NoArticle) else article.page_text
    cases: list[Case] = []
    mismatch = None
    for kind, copy in build_copies(task, body, page_text).items():
        if isinstance(copy, str):
            cases.append(Case(page.set, page.id, kind, None, copy, False, False))
            continue
        try:
            case, differs = _judge_copy(task, copy, article, body)
        except Exception as error:
            failed = f"error: {type(error).__name__}: {error}"[:REASON_KEPT]
            case, differs = Case(page.set, page.id, kind, "error", failed, False, False), None
        cases.append(case)
        mismatch = mismatch or differs
    conflict = "select-all" in task.kinds and decode_html(body, "text/html").conflict
    return PageResult(tuple(cases), time.process_time() - started, mismatch, conflict)


def _judge_copy(
    task: Task, copy: copies.Copy, article: Article | NoArticle, body: bytes
) -> tuple[Case, str | None]:
    """The copy's case, and how `compare_text` differs from the shortcut (gold copy only)."""
    page, kind = task.page, copy.kind
    assessment = compare_prepared(prepare_text(copy.text), article).assessment
    mismatch = None
    if kind == "gold" and task.api_check:
        api = compare_text(copy.text, body, url=page.url, content_type="text/html").assessment
        if (api.verdict, api.reasons) != (assessment.verdict, assessment.reasons):
            mismatch = f"{api.verdict} against {assessment.verdict}"
    verdict = str(assessment.verdict)
    first = assessment.reasons[0] if assessment.reasons else ""
    if kind in EXPECTED:
        ok = verdict not in FAITHFUL
        named = (
            copies.quotes_from(first, copy.text)
            if kind == "other-article"
            else copies.named(first, copy.markers)
        )
        exact = verdict == EXPECTED[kind] and named
    elif kind == "reader-mode":
        ok, exact = verdict not in ("modified", "foreign content"), False
    else:
        ok, exact = verdict in FAITHFUL, False
    reason = first[:REASON_KEPT]
    return Case(
        page.set, page.id, kind, verdict, reason, ok, exact, len(assessment.reasons)
    ), mismatch
