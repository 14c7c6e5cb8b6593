"""The replica's root page: what it serves, for a person who opens its URL in a browser."""

from html import escape

from replica import faults, generated
from replica.responses import Response
from replica.routes import RouteTable


def index_page(routes: RouteTable, gone_hosts: frozenset[str]) -> Response:
    rows = "".join(
        f'<tr><td><a href="{escape(route.path)}">{escape(route.path)}</a></td>'
        f"<td>{route.status}</td><td>{escape(route.seed or '')}</td>"
        f"<td>{escape(route.source_url or '')}</td><td>{escape(route.notes)}</td></tr>"
        for route in routes
    )
    fault_list = "".join(
        f'<li><a href="{faults.PREFIX}{escape(name)}">{faults.PREFIX}{escape(name)}</a></li>'
        for name in sorted(faults.FAULTS)
    )
    gone = ", ".join(sorted(gone_hosts)) or "none"
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>warcproof replica origin</title></head>
<body>
<h1>warcproof replica origin</h1>
<p>Loopback reconstructions of the seeds' source pages (not captures). A request path is
<code>/HOST/PATH</code> of the source URL. Hosts answering 410 Gone: {escape(gone)}.</p>
<h2>Pages ({len(routes)})</h2>
<table border="1" cellpadding="4">
<tr><th>path</th><th>status</th><th>seed</th><th>source URL</th><th>notes</th></tr>
{rows}
</table>
<h2>Generated pages</h2>
<p><a href="{generated.PREFIX}1">{generated.PREFIX}N</a> (also under any host,
<code>/HOST{generated.PREFIX}N?size=BYTES</code>): article page N, the same bytes every time;
its plain-text copy is <code>replica.generated.article_text(N)</code>.</p>
<h2>Misbehaving servers</h2>
<ul>{fault_list}</ul>
</body></html>
"""
    headers = [("Content-Type", "text/html; charset=utf-8")]
    return Response(200, headers, document.encode("utf-8"))
