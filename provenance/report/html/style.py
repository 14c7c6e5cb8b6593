"""The HTML report's look: a palette whose text/background pairs all reach WCAG AA contrast
(4.5:1), the style sheet built from it (screen, phone width, print) and the optional script."""

from __future__ import annotations

# name -> (text colour, background colour); every pair is tested for contrast >= 4.5.
PALETTE: dict[str, tuple[str, str]] = {
    "page": ("#1b1b1b", "#ffffff"),
    "muted": ("#4d4d4d", "#ffffff"),
    "link": ("#0b4f9c", "#ffffff"),
    "head": ("#1b1b1b", "#eef1f4"),
    "matched": ("#1b1b1b", "#ffffff"),
    "matched-tag": ("#1d5c21", "#e3f1e4"),
    "edited": ("#1b1b1b", "#fff7e0"),
    "edited-tag": ("#6b3d00", "#ffe4a8"),
    "del": ("#8a1111", "#fddede"),
    "ins": ("#0c4a1b", "#d3efd9"),
    "furniture": ("#4d4d4d", "#f3f3f3"),
    "furniture-tag": ("#383838", "#dedede"),
    "foreign": ("#1b1b1b", "#fde9ed"),
    "foreign-tag": ("#8a0e2b", "#f8cdd7"),
    "omitted": ("#1b1b1b", "#eaf1fd"),
    "omitted-tag": ("#123a78", "#d0e0fb"),
    "headline": ("#1b1b1b", "#f3eff9"),
    "headline-tag": ("#4a2a78", "#e2d9f2"),
    "note": ("#1b1b1b", "#fff4d6"),
    "verdict-verbatim": ("#0f4d2f", "#d1e7dd"),
    "verdict-faithful": ("#0f4d2f", "#d1e7dd"),
    "verdict-excerpt": ("#5c4503", "#fff0c2"),
    "verdict-modified": ("#7d1d26", "#f8d7da"),
    "verdict-foreign-content": ("#561a85", "#eee0fa"),
    "verdict-unverifiable": ("#3d4247", "#e2e3e5"),
    # Who changed the text: the copy (orange, solid edge), the source (blue, dashed edge).
    "who-copy": ("#6e2a00", "#ffe3cc"),
    "who-source": ("#0b3d6b", "#dbeafe"),
    "who-both": ("#4a2a78", "#ece3f7"),
}
# Borders carry no text; they only reinforce the tags.
_BORDERS = {
    "matched": "#3b8a40",
    "edited": "#b36b00",
    "furniture": "#8a8a8a",
    "foreign": "#b0173a",
    "omitted": "#2459b3",
    "headline": "#6b45a8",
}
_FOCUS = "#0b4f9c"


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _variables() -> str:
    lines = [f"--{name}-fg:{fg};--{name}-bg:{bg};" for name, (fg, bg) in PALETTE.items()]
    lines += [f"--{name}-border:{colour};" for name, colour in _BORDERS.items()]
    return ":root{" + "".join(lines) + f"--focus:{_FOCUS};" + "}"


def _unit_rules() -> str:
    rules = []
    for kind in _BORDERS:
        rules.append(
            f"tr.k-{kind}>td{{background:var(--{kind}-bg);color:var(--{kind}-fg)}}"
            f"tr.k-{kind}>td.tag{{border-left:.35rem solid var(--{kind}-border)}}"
            f".t-{kind}{{background:var(--{kind}-tag-bg);color:var(--{kind}-tag-fg)}}"
        )
    for name in PALETTE:
        if name.startswith("verdict-"):
            rules.append(f".{name}{{background:var(--{name}-bg);color:var(--{name}-fg)}}")
    return "".join(rules)


_SHEET = """
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
 color:var(--page-fg);background:var(--page-bg)}
a{color:var(--link-fg)}
a:focus-visible,summary:focus-visible,input:focus-visible+label,[tabindex]:focus-visible{
 outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-10000px;top:0;background:var(--page-bg);padding:.5rem 1rem}
.skip:focus{left:1rem;top:1rem;z-index:10}
header,main,footer{max-width:84rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.35rem;margin:0 0 .5rem}
h3{font-size:1.1rem;margin:1.25rem 0 .5rem}
.muted{color:var(--muted-fg)}
.meta{margin:.25rem 0;color:var(--muted-fg)}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
th{text-align:left;background:var(--head-bg);color:var(--head-fg)}
th,td{padding:.35rem .55rem;vertical-align:top}
table.summary td,table.summary th,table.history td,table.history th{border:1px solid #c4c8cc}
dl.counts{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}
dl.counts div{border:1px solid #c4c8cc;padding:.2rem .6rem;text-align:center}
dl.counts dt{font-size:.8rem;color:var(--muted-fg)}
dl.counts dd{margin:0;font-weight:700;font-variant-numeric:tabular-nums}
table.summary{width:100%;font-size:.92rem}
table.summary td.src{min-width:16rem}
caption{text-align:left;padding:.25rem 0}
table.summary th[scope=row]{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.3rem;font-weight:700;
 letter-spacing:.02em;white-space:nowrap;border:1px solid currentColor}
.tag{font-size:.78rem;font-weight:700;letter-spacing:.04em;text-transform:uppercase}
.tag span{display:inline-block;padding:0 .35rem;border-radius:.25rem;white-space:nowrap}
.url,.id,code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;
 font-size:.85rem;overflow-wrap:anywhere}
section.seed{border-top:3px solid #1b1b1b;margin-top:2.5rem;padding-top:1rem}
nav.pager{display:flex;gap:1rem;flex-wrap:wrap;margin:.5rem 0}
ul.reasons{margin:.25rem 0 .75rem;padding-left:1.25rem}
.who{display:inline-block;margin-left:.5rem;padding:.05rem .5rem;border-radius:.3rem;
 font-size:.85rem;font-weight:700;vertical-align:middle}
.who-copy{background:var(--who-copy-bg);color:var(--who-copy-fg);border:2px solid currentColor}
.who-source{background:var(--who-source-bg);color:var(--who-source-fg);
 border:2px dashed currentColor}
.who-both{background:var(--who-both-bg);color:var(--who-both-fg);border:2px double currentColor}
p.who-statement{padding:.5rem .8rem;margin:.5rem 0;font-weight:600;border-radius:.3rem}
td.why{min-width:14rem}
.note{background:var(--note-bg);color:var(--note-fg);border-left:.35rem solid #b36b00;
 padding:.4rem .7rem;margin:.5rem 0}
table.align{width:100%;table-layout:fixed;margin:.5rem 0}
table.align col.c-tag{width:8.5rem}
table.align td{border-top:1px solid #d5d8dc}
table.align tr.para>td{border-top:2px solid #8d949b}
.side{display:none}
.side-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
 white-space:nowrap}
.absent{font-style:italic}
del{background:var(--del-bg);color:var(--del-fg);text-decoration:line-through 2px}
ins{background:var(--ins-bg);color:var(--ins-fg);text-decoration:underline 2px}
.sim{display:block;font-weight:400;text-transform:none;letter-spacing:0;margin-top:.2rem}
.fulltext{white-space:pre-wrap;border:1px solid #c4c8cc;padding:.5rem;margin:0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
dl.evidence{display:grid;grid-template-columns:minmax(10rem,16rem) 1fr;gap:.25rem 1rem}
dl.evidence dt{font-weight:700}
dl.evidence dd{margin:0;overflow-wrap:anywhere}
dl.legend{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;align-items:start}
dl.legend dd{margin:0}
details{margin:.75rem 0}
summary{cursor:pointer;font-weight:700}
.controls{margin:1rem 0}
.keys{display:none}
.js .keys{display:inline}
body:has(#only-differences:checked) tr.k-matched{display:none}
@media (max-width:700px){
 table.align,table.align tbody,table.align tr,table.align td{display:block;width:auto}
 table.align thead,table.align colgroup{display:none}
 table.align tr{border-top:2px solid #8d949b;margin-bottom:.25rem}
 table.align td{border-top:0}
 .side{display:block;font-size:.78rem;font-weight:700;color:var(--muted-fg)}
 table.summary,table.summary tbody,table.summary th,table.summary td{display:block}
 table.summary thead{display:none}
 table.summary caption{display:block}
 table.summary tr{display:flex;flex-wrap:wrap;gap:.3rem .4rem;border:1px solid #c4c8cc;
  padding:.4rem;margin-bottom:.5rem}
 table.summary th,table.summary td{border:0;padding:0;background:none}
 table.summary td.src{flex-basis:100%;min-width:0}
 table.summary td.num{border:1px solid #c4c8cc;padding:0 .35rem}
 table.summary .side{display:inline;font-weight:400}
 .cols,dl.evidence,dl.legend{grid-template-columns:1fr}
 dl.evidence dd{margin-bottom:.4rem}
}
@media print{
 .skip,.controls,nav.pager,.noprint{display:none}
 body{font-size:10pt}
 section.seed{break-before:page;border-top:0}
 tr,dl.evidence>*{break-inside:avoid}
 a{color:inherit}
}
"""

STYLE = _variables() + _unit_rules() + _SHEET

# Optional: the report is complete without it. "n"/"p" jump between seeds; printing opens
# every collapsed section so the paper copy holds all the evidence.
SCRIPT = """
(function(){
var seeds=Array.prototype.slice.call(document.querySelectorAll("section.seed"));
function current(){var y=window.scrollY+10,k=-1;
 seeds.forEach(function(s,i){if(s.offsetTop<=y){k=i;}});return k;}
document.addEventListener("keydown",function(ev){
 if(ev.altKey||ev.ctrlKey||ev.metaKey||/INPUT|TEXTAREA|SELECT/.test(ev.target.tagName)){return;}
 var k=current(),to=null;
 if(ev.key==="n"){to=seeds[Math.min(k+1,seeds.length-1)];}
 if(ev.key==="p"){to=seeds[Math.max(k-1,0)];}
 if(to){to.scrollIntoView();to.querySelector("h2").focus();}
});
window.addEventListener("beforeprint",function(){
 document.querySelectorAll("details").forEach(function(d){d.open=true;});
});
document.documentElement.classList.add("js");
})();
"""
