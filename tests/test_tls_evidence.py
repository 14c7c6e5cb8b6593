"""TLS evidence and the crawl's provenance summary: the replica served over HTTPS on loopback
with a self-signed certificate the test makes, crawled for real; every HTTPS response gets a
metadata record (WARC-Refers-To it) with the server's certificate, the TLS version and cipher,
the HTML report shows them, and every WARC's warcinfo carries the provenance summary."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from archive.replay.tls_cert import write_self_signed
from archive.warc.reader import iter_records
from tests.conftest import run_crawl
from tests.processes import announced_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TLS_TYPE = "application/json; profile=urn:warcproof:tls"


@pytest.fixture(scope="module")
def https_replica(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, x509.Certificate]]:
    folder = tmp_path_factory.mktemp("https")
    cert = write_self_signed(
        folder / "replica.pem", folder / "replica.key", "warcproof https replica"
    )
    with announced_url(
        [sys.executable, "-m", "replica", "--port", "0",
         "--tls-cert", str(folder / "replica.pem"), "--tls-key", str(folder / "replica.key")],
        ROOT,
    ) as url:  # fmt: skip
        assert url.startswith("https://"), url
        yield url, cert


@pytest.fixture(scope="module")
def crawled(
    https_replica: tuple[str, x509.Certificate], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("tls-crawl")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    collection = root / "collection"
    result = run_crawl(root / "seeds" / "seeds.toml", collection, https_replica[0])
    assert result.returncode in (0, 3), result.stderr
    return collection


@pytest.mark.crawl
def test_every_https_response_has_its_tls_record(
    crawled: Path, https_replica: tuple[str, x509.Certificate]
) -> None:
    fingerprint = https_replica[1].fingerprint(hashes.SHA256()).hex()
    responses, evidence = {}, {}
    for warc in sorted((crawled / "warcs").glob("*.warc.gz")):
        for record in iter_records(warc):
            if record.rec_type == "response" and (record.target_uri or "").startswith("https:"):
                responses[record.record_id] = record.target_uri
            if record.rec_type == "metadata" and record.header("Content-Type") == TLS_TYPE:
                evidence[record.header("WARC-Refers-To")] = json.loads(record.payload)
    assert responses
    assert set(evidence) == set(responses)
    for record_id, tls in evidence.items():
        assert tls["url"] == responses[record_id]
        assert tls["tls_version"] in ("TLSv1.2", "TLSv1.3")
        assert tls["cipher"]
        assert tls["certificates"][0]["sha256"] == fingerprint
        assert tls["certificates"][0]["ip_addresses"] == ["127.0.0.1"]
        pem = tls["certificate_chain_pem"][0].encode()
        assert x509.load_pem_x509_certificate(pem) == https_replica[1]
    checked = subprocess.run(
        [str(BIN / "warcproof"), "check", str(crawled / "warcs")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout  # the validator accepts the TLS records


@pytest.mark.crawl
def test_warcinfo_carries_the_provenance_summary(crawled: Path) -> None:
    for warc in sorted((crawled / "warcs").glob("*.warc.gz")):
        info = next(iter_records(warc))
        assert info.rec_type == "warcinfo"
        fields = dict(
            line.split(": ", 1) for line in info.payload.decode().splitlines() if ": " in line
        )
        assert "scrapy/" in fields["warcproof-libraries"]
        assert "openssl/" in fields["warcproof-libraries"]
        settings = json.loads(fields["warcproof-settings"])
        assert settings["ROBOTSTXT_OBEY"] is True
        assert settings["WARCPROOF_REPLICA_URL"].startswith("https://127.0.0.1:")
        assert fields["warcproof-host-addresses"] != "unknown"
        assert fields["warcproof-time-source"].startswith("system clock (UTC")


@pytest.mark.crawl
def test_the_html_report_shows_the_certificate_and_tls_version(
    crawled: Path, https_replica: tuple[str, x509.Certificate], tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = subprocess.run(
        [str(BIN / "warcproof"), "report", "--collection", str(crawled), "--html", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert "<dt>TLS connection</dt><dd>TLSv1." in page
    assert "<dt>Server certificate</dt><dd>CN=warcproof https replica" in page
    assert https_replica[1].fingerprint(hashes.SHA256()).hex() in page
