"""A Scrapy stats collector that also writes the crawl's final stats to a JSON file
(`-s STATS_CLASS=bench.crawlstats.JsonStatsCollector -s BENCH_STATS_FILE=PATH`), so the
benchmark reads `response_received_count` and `elapsed_time_seconds` without parsing logs.
It adds `crawl_cpu_seconds`: the crawler process's CPU time (all its threads, no child
processes) from spider open to close, start-up and shutdown left out."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from scrapy.statscollectors import MemoryStatsCollector, StatsT


class JsonStatsCollector(MemoryStatsCollector):
    def open_spider(self, *args: Any, **kwargs: Any) -> None:
        self._cpu_started = time.process_time()
        super().open_spider(*args, **kwargs)

    def close_spider(self, *args: Any, **kwargs: Any) -> None:
        self.set_value("crawl_cpu_seconds", time.process_time() - self._cpu_started)
        super().close_spider(*args, **kwargs)

    def _persist_stats(self, stats: StatsT) -> None:
        super()._persist_stats(stats)
        target = self._crawler.settings.get("BENCH_STATS_FILE")
        if target:
            Path(target).write_text(json.dumps(stats, default=str), "utf-8")
