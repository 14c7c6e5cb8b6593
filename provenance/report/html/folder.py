"""`warcproof report --html DIR`: the report of a large collection as a folder that works
offline: `index.html` (the counts per verdict and a table of every seed, searched, filtered by
verdict and shown a page of rows at a time by an inline script), `seeds.js` (the table's rows,
loaded by a script tag, which browsers allow from local files), and `seeds/NAME.html`, one page
per seed (the seed section of the one-file report). Written seed by seed as the ledger yields
them, so memory stays flat in the number of seeds; the folder appears whole or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import ExitStack, closing
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from provenance.ledger.queries import ReportLedger
from provenance.report.html.document import (
    VERDICT_MEANINGS,
    HtmlReportError,
    Progress,
    legend,
    seed_pages,
)
from provenance.report.html.seed_section import SeedPage, coverage, e, seed_section, verdict_badge
from provenance.report.html.style import SCRIPT, STYLE
from provenance.report.summary import open_ledger
from provenance.report.who_changed import capture_line, human_time, one_line_reason

MARK = ".warcproof-report"  # names a folder this module wrote (and may replace)
ROWS_PER_PAGE = 100
_WHY_CHARS = 300  # the summary's reason, cut to keep seeds.js small at 100,000 seeds

# The summary table: rows from seeds.js, filtered by the search box and the verdict buttons,
# drawn ROWS_PER_PAGE at a time. The filter lives in the address too (index.html#q=TEXT&verdict=
# modified), so a filtered view can be bookmarked. Text goes in through textContent only; the
# badges' markup is the report's own.
_FINDER = """
(function(){
var all=window.WARCPROOF_SEEDS||[],
    badges=JSON.parse(document.getElementById("badges").textContent);
var size=@ROWS@,page=0,shown=all,hay=null;
var find=document.getElementById("find"),body=document.getElementById("rows"),
    status=document.getElementById("shown"),prev=document.getElementById("prev"),
    next=document.getElementById("next");
function haystack(){if(!hay){hay=all.map(function(r){
 return (r[0]+"\\n"+r[2]+"\\n"+r[4]).toLowerCase();});}return hay;}
function chosen(){var c=document.querySelector('input[name="verdict"]:checked');
 return c?c.value:"";}
function cell(tr,cls){var td=document.createElement("td");td.className=cls;tr.appendChild(td);
 return td;}
function span(parent,cls,text){var s=document.createElement("span");s.className=cls;
 s.textContent=text;parent.appendChild(s);}
function draw(){
 var pages=Math.max(1,Math.ceil(shown.length/size)),rows=document.createDocumentFragment();
 page=Math.max(0,Math.min(page,pages-1));
 shown.slice(page*size,(page+1)*size).forEach(function(r){
  var tr=document.createElement("tr"),th=document.createElement("th"),
      a=document.createElement("a");
  tr.setAttribute("data-seed",r[0]);tr.setAttribute("data-verdict",badges[r[1]][0]);
  th.scope="row";a.href="seeds/"+encodeURIComponent(r[5]);a.textContent=r[0];
  th.appendChild(a);tr.appendChild(th);
  cell(tr,"verdict").innerHTML=badges[r[1]][1];
  var src=cell(tr,"src");span(src,"url",r[2]||"unknown");
  src.appendChild(document.createElement("br"));span(src,"muted",r[3]);
  cell(tr,"why").textContent=r[4];cell(tr,"num").textContent=r[6];
  rows.appendChild(tr);});
 body.textContent="";body.appendChild(rows);
 status.textContent=shown.length+" of "+all.length+" seed(s) shown"+
  (pages>1?", page "+(page+1)+" of "+pages:"");
 prev.disabled=page===0;next.disabled=page>=pages-1;}
function fromHash(){
 var p=new URLSearchParams(location.hash.slice(1)),v=p.get("verdict")||"";find.value=p.get("q")||"";
 document.querySelectorAll('input[name="verdict"]').forEach(function(r){r.checked=r.value===v;});
 if(!chosen()){document.querySelector('input[name="verdict"][value=""]').checked=true;}}
function toHash(){var p=new URLSearchParams();
 if(find.value.trim()){p.set("q",find.value.trim());}if(chosen()){p.set("verdict",chosen());}
 history.replaceState(null,"",location.pathname+location.search+"#"+p.toString());}
function apply(){
 var q=find.value.trim().toLowerCase(),v=chosen(),h=q?haystack():null;shown=[];
 for(var i=0;i<all.length;i++){
  if(v!==""&&badges[all[i][1]][0]!==v){continue;}
  if(q&&h[i].indexOf(q)<0){continue;}
  shown.push(all[i]);}
 page=0;draw();}
function changed(){toHash();apply();}
find.addEventListener("input",changed);
document.getElementById("verdicts").addEventListener("change",changed);
window.addEventListener("hashchange",function(){fromHash();apply();});
prev.addEventListener("click",function(){page-=1;draw();});
next.addEventListener("click",function(){page+=1;draw();});
document.documentElement.classList.add("js");
fromHash();apply();
})();
""".replace("@ROWS@", str(ROWS_PER_PAGE))
_FINDER_STYLE = (
    ".finder{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;margin:1rem 0}"
    ".finder fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.3rem .8rem}"
    ".finder input[type=search]{font:inherit;padding:.2rem .4rem;min-width:18rem}"
    "nav.pages button{font:inherit;margin-right:.5rem}"
)


@dataclass(frozen=True)
class FolderReport:
    folder: Path
    seeds: int
    tally: Mapping[str, int]  # seeds per verdict
    crawls: tuple[int, ...]  # the crawls the verdicts come from


def write_html_folder(
    collection: Path,
    out: Path,
    crawl_id: int | None = None,
    progress: Progress | None = None,
    ledger: ReportLedger | None = None,
) -> FolderReport:
    """Write the report folder `out` (replacing one this function wrote before)."""
    _check_target(out)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise HtmlReportError(f"{out}: cannot write the report there: {exc.strerror}") from None
    try:
        with ExitStack() as stack:
            if ledger is None:
                ledger = stack.enter_context(closing(open_ledger(collection, crawl_id)))
            report = _write(ledger, collection, scratch, crawl_id, progress)
        (scratch / MARK).write_text("written by warcproof report --html\n", "utf-8")
        os.chmod(scratch, 0o755)
        _replace(scratch, out)
    except OSError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise HtmlReportError(f"{out}: cannot write the report: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return FolderReport(out, report.seeds, report.tally, report.crawls)


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise HtmlReportError(f"{out}: exists and is not a folder (give a new folder name)")
    if out.is_dir() and any(out.iterdir()) and not (out / MARK).exists():
        raise HtmlReportError(
            f"{out}: the folder holds other files; give an empty or new folder (a report "
            "folder warcproof wrote is replaced)"
        )


def _replace(scratch: Path, out: Path) -> None:
    """Put the new folder in place of `out`; an old report folder goes only once it has."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=scratch.parent))
        os.replace(out, old / out.name)
    os.replace(scratch, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write(
    ledger: ReportLedger,
    collection: Path,
    folder: Path,
    crawl_id: int | None,
    progress: Progress | None,
) -> FolderReport:
    (folder / "seeds").mkdir()
    verdicts = [str(verdict) for verdict, _ in VERDICT_MEANINGS]
    tally = dict.fromkeys(verdicts, 0)
    crawls: set[int] = set()
    total = ledger.seed_count(crawl_id)
    context = _context(collection, crawl_id)
    with (folder / "seeds.js").open("w", encoding="utf-8") as data:
        data.write("window.WARCPROOF_SEEDS=[\n")
        held: tuple[SeedPage, str] | None = None  # written once the next seed's name is known
        before: str | None = None
        done = 0
        for page in seed_pages(ledger, collection, crawl_id):
            name = file_name(page.anchor)
            if held is not None:
                _seed_file(folder, *held, before, name, context)
                before = held[1]
            held = (page, name)
            verdict = str(page.entry.verdict.verdict)
            tally[verdict] = tally.get(verdict, 0) + 1
            crawls.add(page.entry.crawl_id)
            data.write("," if done else "")
            data.write(json.dumps(_row(page, name, verdicts), ensure_ascii=False) + "\n")
            done += 1
            if progress is not None:
                progress(done, total)
        if held is not None:
            _seed_file(folder, *held, before, None, context)
        data.write("];\n")
    shown = _crawls_text(crawl_id, crawls)
    (folder / "index.html").write_text(_index(collection, shown, tally, done), "utf-8")
    return FolderReport(folder, done, tally, tuple(sorted(crawls)))


def _context(collection: Path, crawl_id: int | None) -> str:
    which = f"crawl {crawl_id}" if crawl_id is not None else "each seed's latest crawl"
    return f"Collection {collection.name}, {which}"


def _crawls_text(crawl_id: int | None, crawls: Iterable[int]) -> str:
    found = sorted(crawls)
    if not found:
        return "no verdicts recorded"
    if crawl_id is not None:
        return f"crawl {crawl_id}"
    if len(found) == 1:
        return f"crawl {found[0]}"
    listed = ", ".join(str(c) for c in found[:20]) + (", ..." if len(found) > 20 else "")
    return f"each seed's latest crawl ({listed})"


def file_name(anchor: str) -> str:
    """A seed page's file name: its anchor (unique, and made of characters safe in file
    names), lower-cased with the positions of its capitals in hex after a "+" when it has any,
    so that no two names differ in case alone (case-blind file systems)."""
    capitals = sum(1 << k for k, char in enumerate(anchor) if char.isupper())
    return f"{anchor.lower()}+{capitals:x}.html" if capitals else f"{anchor}.html"


def _row(page: SeedPage, name: str, verdicts: list[str]) -> list[object]:
    """The seed's row in seeds.js: id, verdict (index into the badges), source URL, capture
    line, reason, page file, share of the seed in the article."""
    entry = page.entry
    capture = entry.capture
    why = one_line_reason(entry, page.who)
    return [
        entry.verdict.seed_id,
        verdicts.index(str(entry.verdict.verdict)),
        capture.source_url if capture and capture.source_url else "",
        capture_line(capture),
        why if len(why) <= _WHY_CHARS else why[: _WHY_CHARS - 1] + "\u2026",
        name,
        coverage(entry.verdict.counts),
    ]


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light">'
        f"<title>{e(title)}</title><style>{STYLE}{_FINDER_STYLE}</style></head><body>"
    )


def _seed_file(
    folder: Path,
    page: SeedPage,
    name: str,
    previous: str | None,
    following: str | None,
    context: str,
) -> None:
    verdict = page.entry.verdict
    document = "\n".join(
        [
            _head(f"Seed {verdict.seed_id}: {verdict.verdict} \u2013 warcproof report"),
            '<header><p class="meta"><a href="../index.html">Provenance report</a> \u00b7 '
            f"{e(context)}</p></header>",
            '<main id="main"><p class="controls"><input type="checkbox" id="only-differences"> '
            '<label for="only-differences">Show only the differences (hide matched units)'
            "</label></p>",
            seed_section(page, previous, following, "../index.html"),
            "</main>",
            f"<script>{SCRIPT}</script></body></html>",
        ]
    )
    (folder / "seeds" / name).write_text(document, "utf-8")


def _index(collection: Path, shown: str, tally: Mapping[str, int], seeds: int) -> str:
    verdicts = [verdict for verdict, _ in VERDICT_MEANINGS]
    badges = json.dumps([[str(v), verdict_badge(v)] for v in verdicts]).replace("</", "<\\/")
    totals = ", ".join(f"{n} {verdict}" for verdict, n in tally.items() if n)
    buttons = "".join(
        f'<label><input type="radio" name="verdict" value="{e(verdict)}"> '
        f"{verdict_badge(verdict)} {tally.get(str(verdict), 0)}</label>"
        for verdict in verdicts
    )
    generated = human_time(datetime.now(UTC).isoformat())
    return "\n".join(
        [
            _head(f"warcproof provenance report: {collection.name}, {shown}"),
            "<header><h1>Provenance report</h1>",
            f'<p class="meta">Collection <code>{e(collection)}</code> \u00b7 {e(shown)} '
            f"\u00b7 generated {e(generated)} by warcproof {e(version('warcproof'))}</p>",
            "</header>",
            '<main id="main"><section id="summary" aria-labelledby="summary-h">',
            f'<h2 id="summary-h">Seeds</h2><p>{seeds} seed(s): {e(totals or "none")}.</p>',
            '<form class="finder" role="search" onsubmit="return false">',
            '<label for="find">Search (seed id, source URL, reason)</label>',
            '<input type="search" id="find" autocomplete="off">',
            '<fieldset id="verdicts"><legend class="muted">Verdict</legend>'
            f'<label><input type="radio" name="verdict" value="" checked> all {seeds}</label>'
            f"{buttons}</fieldset></form>",
            '<p id="shown" aria-live="polite"></p>',
            "<noscript><p>The table of seeds needs JavaScript; every seed's page is in the "
            "folder <code>seeds/</code> beside this file.</p></noscript>",
            '<div class="scroll" role="region" aria-label="Seeds" tabindex="0">'
            '<table class="summary"><thead><tr><th scope="col">Seed</th>'
            '<th scope="col">Verdict</th><th scope="col">Source and capture time</th>'
            '<th scope="col">Why</th><th scope="col">In the article</th></tr></thead>'
            '<tbody id="rows"></tbody></table></div>',
            '<nav class="pages" aria-label="Pages of seeds"><button type="button" id="prev">'
            'Previous page</button><button type="button" id="next">Next page</button></nav>',
            "</section>",
            legend(),
            "</main>",
            f'<script type="application/json" id="badges">{badges}</script>',
            '<script src="seeds.js" charset="utf-8"></script>',
            f"<script>{_FINDER}</script></body></html>",
        ]
    )
