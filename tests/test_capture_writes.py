"""Where the capture extension writes: a small write on the calling (reactor) thread when the
writer thread is idle, in order with everything else; no worker processes for a crawl without
item pipelines."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from archive.warc.reader import iter_records
from spiders import settings as crawl_settings
from spiders.extensions.capture import WarcCaptureExtension
from spiders.extensions.worker_pool import WorkerPool


def capture(collection: Path, **settings: Any) -> WarcCaptureExtension:
    project = {name: getattr(crawl_settings, name) for name in dir(crawl_settings)}
    warcproof = {name: value for name, value in project.items() if name.startswith("WARCPROOF_")}
    crawler = get_crawler(
        settings_dict={**warcproof, "WARCPROOF_COLLECTION": str(collection), **settings}
    )
    return WarcCaptureExtension(crawler)


def test_a_small_write_runs_at_once_on_the_calling_thread(tmp_path: Path) -> None:
    extension = capture(tmp_path / "c", WARCPROOF_WARC_INLINE_BYTES=100)
    assert extension.writer is not None
    results: list[Any] = []
    written = extension.submit(
        5, extension.writer.write_metadata, "urn:test:a", b"small", "text/plain"
    )
    written.addCallback(results.append)
    thread = extension.submit(5, threading.get_ident)
    thread.addCallback(results.append)
    assert len(results) == 2
    assert results[1] == threading.get_ident()
    assert extension.backlog == 0
    assert extension.queued == 0
    files = extension.writer.close()
    uris = [record.target_uri for path in files for record in iter_records(path)]
    assert uris == [None, "urn:test:a"]  # the file's warcinfo, then the record


def test_a_large_write_or_one_of_unknown_size_is_not_run_here(tmp_path: Path) -> None:
    extension = capture(tmp_path / "c", WARCPROOF_WARC_INLINE_BYTES=100)
    ran: list[int] = []
    extension.thread.start()
    try:
        for size in (101, None):
            extension.submit(size, lambda: ran.append(threading.get_ident()))
        assert extension.queued == 2  # handed to the writer thread (results come via reactor)
        extension.submit(1, lambda: ran.append(-1))
        assert -1 not in ran  # the thread has work queued: this one queues behind it
        assert extension.queued == 3
    finally:
        extension.thread.stop()  # runs what was queued, then ends the thread
    assert ran[2] == -1
    assert threading.get_ident() not in ran
    assert extension.writer is not None
    extension.writer.close()


def test_no_worker_processes_without_item_pipelines() -> None:
    bare = get_crawler(settings_dict={"ITEM_PIPELINES": {}, "WARCPROOF_WORKERS": 2})
    assert WorkerPool.from_crawler(bare).workers == 0
    full = get_crawler(
        settings_dict={
            "ITEM_PIPELINES": {"spiders.pipelines.judge.JudgePipeline": 200},
            "WARCPROOF_WORKERS": 2,
        }
    )
    assert WorkerPool.from_crawler(full).workers == 2
