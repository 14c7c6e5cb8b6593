"""Hand-off to archivists: the ledger's side of indexing, WACZ packing and BagIt export.

The archive package packs and bags plain data; this module reads the ledger to supply it: one
WACZ page per seed capture (the fetched URL that replays, the capture time, the page title and
the extracted text read back from the conversion record), the report, and the seed corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

from archive.collection import Collection
from archive.index.collection_index import IndexUpdate, index_collection
from archive.packaging.bag import BagSummary, check_bag_target, export_bag
from archive.packaging.pages import Page
from archive.packaging.scratch import scratch
from archive.packaging.wacz import WaczPackage, pack_wacz
from archive.warc.reader import iter_records, read_record
from provenance.errors import ProvenanceError
from provenance.ledger.queries import CapturePage, ReportLedger
from provenance.report import summary as report
from provenance.report.screenshot_records import Screenshot, find_screenshots
from provenance.sources.manifest import IntegrityProblem, load, verify


class HandoffError(ProvenanceError):
    """The collection cannot be handed off as it is (e.g. the ledger names a missing WARC)."""


class SeedsChangedError(HandoffError):
    """The seed files no longer match their manifest, so they cannot go into the bag."""

    def __init__(self, manifest: Path, problems: Sequence[IntegrityProblem]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(str(problem) for problem in problems)
        super().__init__(f"{manifest}: the seed files do not match the manifest: {listed}")


def software() -> str:
    return " ".join(f"{name}/{version(name)}" for name in ("warcproof", "cdxj-indexer", "warcio"))


def ledger_pages(collection: Path, ledger: ReportLedger) -> Iterator[Page]:
    """One page per distinct capture the ledger's verdicts were judged on, streamed, with its
    text read from the conversion record where the ledger's observation puts it (found by one
    pass over the WARCs for captures it does not place)."""
    warcs = {warc.name: warc for warc in Collection(collection).closed_warcs()}
    unplaced = {
        capture.conversion_id
        for capture in ledger.capture_pages()
        if capture.conversion_id is not None and capture.conversion_place is None
    }
    places = _locate(warcs.values(), unplaced) if unplaced else {}
    shots = find_screenshots(warcs.values())
    for capture in ledger.capture_pages():
        if capture.warc_file not in warcs:
            raise HandoffError(
                f"{collection}: the ledger puts the capture of {capture.url} in "
                f"{capture.warc_file}, which is not among the closed WARC files"
            )
        yield _page(capture, _text(capture, warcs, places), shots.get(capture.record_id))


def _text(
    capture: CapturePage, warcs: Mapping[str, Path], places: Mapping[str, tuple[Path, int]]
) -> str | None:
    if capture.conversion_id is None:
        return None
    if capture.conversion_place is not None:
        name, offset = capture.conversion_place
        if name not in warcs:
            raise HandoffError(
                f"the conversion record {capture.conversion_id} is in {name}, "
                "which is not among the closed WARC files"
            )
        place = (warcs[name], offset)
    else:
        place = places[capture.conversion_id]
    record = read_record(*place)
    if record.record_id != capture.conversion_id:
        raise HandoffError(
            f"{place[0].name} at offset {place[1]} holds {record.record_id}, not the "
            f"conversion record {capture.conversion_id} the ledger names"
        )
    return record.payload.decode("utf-8", errors="replace")  # written as UTF-8


def _locate(warcs: Iterable[Path], record_ids: set[str]) -> dict[str, tuple[Path, int]]:
    """Where each of `record_ids` is (file, offset); one strict pass over the WARCs."""
    found: dict[str, tuple[Path, int]] = {}
    for warc in warcs:
        if len(found) == len(record_ids):
            break
        for record in iter_records(warc):
            if record.record_id in record_ids:
                found[record.record_id] = (warc, record.offset)
    missing = record_ids - found.keys()
    if missing:
        raise HandoffError(f"conversion record(s) not found in the WARC files: {sorted(missing)}")
    return found


def _page(capture: CapturePage, text: str | None, shot: Screenshot | None) -> Page:
    return Page(
        id=capture.record_id.removeprefix("<").removesuffix(">").removeprefix("urn:uuid:"),
        url=capture.url,
        ts=capture.ts,
        title=capture.title,
        text=text,
        extra={
            "seeds": list(capture.verdicts),
            "verdicts": capture.verdicts,
            # The page rendered from the archive (`warcproof qa`), where there is one.
            **({"screenshot": shot.uri} if shot else {}),
        },
    )


def index(collection: Path, *, rebuild: bool = False) -> IndexUpdate:
    if not Collection(collection).warcs.is_dir():
        raise HandoffError(f"{collection}: no warcs/ folder here (is it a collection?)")
    return index_collection(collection, rebuild=rebuild)


def pack(
    collection: Path,
    target: Path,
    *,
    title: str | None = None,
    description: str | None = None,
    sign: Callable[[str], Mapping[str, Any]] | None = None,
) -> WaczPackage:
    """Update the collection's index, then pack the collection into the WACZ `target`
    (``title`` and ``description`` replace the ones written from the collection; signed by
    `sign`, see `pack_wacz`)."""
    update = index(collection)
    with closing(ReportLedger(Collection(collection).ledger, create=False)) as ledger:
        count = ledger.capture_count()
        seeds, verdicts = ledger.verdict_counts()
        summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(verdicts.items())) or "none"
        summary_text = (
            f"The source pages of {seeds} plain-text documents "
            f"(seeds), re-fetched by warcproof: {count} capture(s) in {len(update.warcs)} WARC "
            f"file(s). Next to each page's response record, and referring to it, a conversion "
            f"record (urn:text:URL) holds the article text extracted from it, a metadata record "
            f"(urn:warcproof:verdict:ID) the verdict on the seed with its evidence, and a resource "
            f"record (urn:warcproof:seed:ID) the seed file itself.\n\n"
            f"Verdicts of the latest crawl: {summary}."
        )
        return pack_wacz(
            target,
            warcs=[Collection(collection).warc(name) for name in update.warcs],
            index=update.path,
            pages=ledger_pages(collection, ledger),
            title=title or f"warcproof: source pages of the seeds of {collection.resolve().name}",
            description=description or summary_text,
            software=software(),
            pages_title="Seed source pages",
            sign=sign,
        )


def export(
    collection: Path,
    target: Path,
    manifest_path: Path,
    *,
    organization: str | None = None,
    sign: Callable[[str], Mapping[str, Any]] | None = None,
) -> tuple[BagSummary, WaczPackage]:
    """A bag holding the collection's WACZ, the latest report as JSON, and the seed corpus
    (manifest and seed files, which must still match the manifest)."""
    check_bag_target(target)
    manifest = load(manifest_path)
    problems = [p for p in verify(manifest) if p.kind != "unlisted"]
    if problems:
        raise SeedsChangedError(manifest_path, problems)
    name = collection.resolve().name
    with scratch(target.parent, f"{target.name}.wacz", directory=True) as folder:
        package = pack(collection, folder / f"{name}.wacz", sign=sign)
        shown = folder / "report.json"
        with (
            closing(report.open_ledger(collection)) as ledger,
            shown.open("w", encoding="utf-8") as out,
        ):
            report.write_json(ledger.report_rows(), out)  # streamed: memory flat in seeds
        payload: dict[str, Path | bytes] = {
            f"{name}.wacz": package.path,
            "report.json": shown,
            f"seeds/{manifest.path.name}": manifest.path,
        }
        for seed in manifest.seeds:
            payload[f"seeds/{seed.file}"] = seed.path
        summary = export_bag(
            target,
            payload=payload,
            description=(
                f"warcproof collection {name}: the WACZ of its source-page captures, the "
                f"verdicts of its latest crawl with their evidence (report.json), and the seed "
                f"texts with their manifest (seeds/)."
            ),
            organization=organization,
            identifier=name,
        )
    return summary, replace(package, path=target / "data" / f"{name}.wacz")
