"""A Scrapy stats collector that also writes the crawl's final stats to a JSON file
(`-s STATS_CLASS=bench.crawlstats.JsonStatsCollector -s BENCH_STATS_FILE=PATH`), so the
benchmark reads `response_received_count` and `elapsed_time_seconds` without parsing logs."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.statscollectors import MemoryStatsCollector, StatsT


class JsonStatsCollector(MemoryStatsCollector):
    def _persist_stats(self, stats: StatsT) -> None:
        super()._persist_stats(stats)
        target = self._crawler.settings.get("BENCH_STATS_FILE")
        if target:
            Path(target).write_text(json.dumps(stats, default=str), "utf-8")
