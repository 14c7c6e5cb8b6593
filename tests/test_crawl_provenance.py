"""The crawl's provenance summary (warcinfo fields), without a crawl: every field one line, the
settings as JSON, the versions of the libraries that shape the output."""

from __future__ import annotations

import json

from scrapy.settings import Settings

import spiders.settings
from spiders.crawl_provenance import OUTPUT_SETTINGS, host_addresses, summary_fields


def test_summary_fields_are_single_lines_naming_versions_settings_addresses_and_clock() -> None:
    settings = Settings()
    settings.setmodule(spiders.settings)
    settings.set("WARCPROOF_REPLICA_URL", "https://127.0.0.1:1")
    fields = summary_fields(settings)
    assert all("\n" not in value and "\r" not in value for value in fields.values())
    libraries = dict(item.split("/", 1) for item in fields["warcproof-libraries"].split())
    assert {"python", "openssl", "warcproof", "scrapy", "twisted", "warcio"} <= set(libraries)
    recorded = json.loads(fields["warcproof-settings"])
    assert set(recorded) == set(OUTPUT_SETTINGS)
    assert recorded["WARCPROOF_REPLICA_URL"] == "https://127.0.0.1:1"
    assert recorded["USER_AGENT"].startswith("warcproof/")
    assert fields["warcproof-host-addresses"].split() == host_addresses()
    assert "kernel NTP state: " in fields["warcproof-time-source"]
