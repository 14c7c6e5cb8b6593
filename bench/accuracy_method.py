"""How the accuracy harness builds and scores its copies: the last section of bench/ACCURACY.md,
kept beside the code it describes."""

METHOD = """
Pages: every page of `dragnet/` and `l3s_gn1/` whose gold `articleBody` has 300 characters or
more, its bytes passed as they are (`content_type="text/html"`, no charset: the comparison
decodes them), with the gold's URL (or `http://127.0.0.1/<set>/<id>.html` where the gold has
none). Each page is extracted once (`extract_article`) and every copy compared with that
extraction by `compare_prepared(prepare_text(copy), article)`, the two steps `compare_text`
takes; on every tenth page the gold copy is also run through `compare_text` itself and any
difference is counted above. A process pool of `--jobs` workers judges the pages. Every choice
below is made by a random generator seeded with the kind and the page id, so a rerun builds the
same copies. Pages are judged in a fixed pseudo-random order (sha256 of `set/id`):
with `--time-limit` no page is started after the limit, and the tables count only the pages
judged, a fair sample of both sets.

Untouched copies (expected verbatim or faithful):

- `gold`: the gold text as it is.
- `typography`: the gold with every straight quote made curly (opening after white space or an
  opening bracket or dash, else closing) and every curly quote straight; `—` written `--`, `–`
  written `-`, ` -- ` written ` — `, ` - ` written ` – `; about half the spaces after a
  sentence end doubled; about 8% of the spaces made no-break spaces; CRLF line ends.
- `no-periphery`: the gold without the lines the page marks as captions or that stand
  under the headline as byline, dateline or standfirst. Rule: the page's own DOM is read (the
  project's decoder, lxml); texts of `figcaption` elements and of elements whose class or id
  mentions `caption` or `credit` are caption texts; texts of `time` and `address` elements and
  of elements whose class or id mentions byline, dateline, author, timestamp, date, posted,
  standfirst, dek, deck, subhead, strapline, summary or teaser are leading texts (elements over
  600 characters are ignored). A gold line of at most 160 characters is dropped when it is a
  caption text or a piece of one (anywhere but the first line), or, among lines 2 to 8, when it
  is a leading text or a piece of one, or reads as a byline (`By`, `Posted`, `Published`,
  `Updated`, `Written by`, `Filed under`, `Photo`, `Image`, `Credit`, `Source` at its start,
  not followed by a number: "By 2022, the law..." is a sentence), or is under 80 characters
  and holds a date (`July 24`, `24 July 2012`) or a clock time and is not a sentence (eight
  words or more ending in a full stop: "The film opens February 13, 2013." stays). The
  headline (first line) always stays. Pages where nothing is dropped are skipped (the copy
  would be the gold again); l3s_gn1's gold has no bylines or captions (those were labelled
  supplemental), so most of its pages are skipped.
- `select-all`: `document.body.innerText` from Debian's headless Chromium (the flags of the
  issue, `--window-size=1280,1024`, a fresh profile) driven over the DevTools protocol (pip
  `websockets`), each page in a new tab with scripts disabled (as dragnet's annotators copied
  with JavaScript off, and because a page's scripts cannot reach their servers here),
  loaded from a loopback server that serves the page's bytes at one path with
  `Content-Type: text/html` and answers 404 for everything else, and Chromium resolving no host
  but 127.0.0.1. The text is read after the load event (or 30 s). Texts are cached in
  `~/.cache/warcproof-accuracy/<method>/<sha256 of the page>.txt`. A cold run of all 1,941
  pages took 56 minutes (3,346 s) with two Chromium processes side by side, on this 2-core
  machine shared with other work (load average 25 to 30): about 1.7 s a page each; a warm run
  reads the cache in a second.
- `reader-mode` (scored apart): readability-lxml's `Document(decoded page)`: its
  `short_title()`, then the blocks of `summary()` as paragraphs. It may rightly be an excerpt;
  only modified and foreign content count as false alarms.

Tampered copies (expected verdict; exact-right also needs the first reason to quote the change):

- `figure` (modified): a number (a run of digits not inside a word or another number) in a
  middle paragraph gets another last digit. Middle paragraphs: not the first (headline) nor the
  last, within the middle half when there are enough. Named: the new number with the word
  before or after it.
- `insert-foreign` (foreign content): a sentence (40 to 240 characters) from another page of
  the same set, not in this gold, inserted as a paragraph among the middle paragraphs. Named:
  its first four words.
- `delete-paragraph` (excerpt): a middle paragraph of 80 characters or more deleted, one the
  gold holds only once (a few gold texts repeat a paragraph: deleting one of the two takes no
  text out of the copy). Named: its first four words, or the first six of any of its lines or
  sentences (a gold paragraph may open with a caption or a heading line, and then a right
  reason quotes the story's sentence after it; until 2026-12-08 only the first four words
  counted).
- `reword` (modified): in a sentence (40 to 240 characters ending in . ! or ?) of a middle
  paragraph, a word of a fixed list of 20 replaced by its
  synonym (said -> stated, big -> large, company -> firm, ...), or else two neighbouring words
  swapped. Named: the new word with a neighbour, or the swapped pair.
- `other-article` (foreign content): another page's gold of the same set, whole. Named: the
  first quotation in the first reason is text of that copy.
- `outside-number` (modified): a line of the page's visible text (the extraction's
  `page_text`) of four words or more that holds a number and is not in the gold (nor its first
  or last 60 characters), with the number changed as in `figure`, appended to the gold as a
  last paragraph. Named: the new number with a neighbouring word.

Where a copy cannot be built for a page it is skipped and counted above. Marker comparison
normalises both sides with the project's normaliser, squashes white space and folds case.
"""
