"""Pages whose requisites are hostile, under ``/_hostile/NAME`` (at the root or under any
source host). Each carries the article of seed 004 so that it can still be judged, plus:

- ``images?n=N``: N distinct ``<img>`` tags (a per-page count cap must hold);
- ``import-loop``: a stylesheet importing one that imports the first again;
- ``srcset?n=N``: one image with a srcset of N candidates (one is fetched);
- ``private``: an image that redirects to a private address;
- ``huge?bytes=N``: an image N bytes long (kept up to the size limit, marked truncated);
- ``slow?seconds=S``: an image that answers after S seconds (the page's time cap).

Also ``loop-a.css``/``loop-b.css`` and ``huge.png`` for them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from replica.faults import MAX_STALL_SECONDS, article_page
from replica.page_assets import png
from replica.responses import Response

PREFIX = "/_hostile/"
MAX_IMAGES = 20_000
MAX_HUGE = 256 * 1024 * 1024
_HTML = "text/html; charset=utf-8"


def hostile_name(request_path: str) -> str | None:
    path = urlsplit(request_path).path
    at = path.find(PREFIX)
    if at < 0 or "/" in path[1:at]:
        return None
    return path[at + len(PREFIX) :]


def answer_hostile(request_path: str) -> Response | None:
    """The hostile page or resource a path names; None when it names none."""
    name = hostile_name(request_path)
    if name is None:
        return None
    query = {k: v[-1] for k, v in parse_qs(urlsplit(request_path).query).items()}
    number = _bounded(query.get("n"), 10, MAX_IMAGES)
    if name == "images":
        return _page("".join(f'<img src="img-{i}.png" alt="">' for i in range(number)))
    if name == "import-loop":
        return _page("", head='<link rel="stylesheet" href="loop-a.css">')
    if name == "srcset":
        candidates = ", ".join(f"cand-{w}.png {w}w" for w in range(100, 100 * (number + 1), 100))
        return _page(f'<img src="cand-fallback.png" srcset="{candidates}" alt="">')
    if name == "private":
        return _page('<img src="../_faults/redirect-to?url=http://10.255.255.1/inside.png" alt="">')
    if name == "huge":
        size = _bounded(query.get("bytes"), 1 << 20, MAX_HUGE)
        return _page(f'<img src="huge.png?bytes={size}" alt="">')
    if name == "slow":
        seconds = min(float(query.get("seconds", "10")), MAX_STALL_SECONDS)
        return _page(f'<img src="../_faults/stall?seconds={seconds:g}" alt="">')
    if name in ("loop-a.css", "loop-b.css"):
        other = "loop-b.css" if name == "loop-a.css" else "loop-a.css"
        css = f'@import url("{other}");\nbody {{ border-top: 2px solid #333; }}\n'
        return Response(200, [("Content-Type", "text/css")], css.encode())
    if name == "huge.png":
        size = _bounded(query.get("bytes"), 1 << 20, MAX_HUGE)
        head = png(1, 1, lambda x, y: (0, 0, 0))
        return Response(200, [("Content-Type", "image/png")], head + b"\0" * (size - len(head)))
    if name.endswith(".png"):
        return Response(200, [("Content-Type", "image/png")], png(2, 2, lambda x, y: (9, 9, 9)))
    return None


def _bounded(value: str | None, default: int, limit: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        number = default
    return max(1, min(number, limit))


def _page(body_extra: str, head: str = "") -> Response:
    page = article_page()
    page = page.replace(b"</head>", head.encode() + b"</head>", 1)
    page = page.replace(b"</body>", body_extra.encode() + b"</body>", 1)
    return Response(200, [("Content-Type", _HTML)], page)
