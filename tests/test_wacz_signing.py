"""Signed and timestamped WACZ: signing with a local CA's domain certificate or an anonymous
P-384 key, timestamps from a local RFC 3161 TSA (`openssl ts -reply` on loopback), offline
verification with our own trust roots, and one changed byte anywhere failing with its name."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.index.collection_index import index_collection
from archive.packaging.signature_verify import SignatureCheck, verify_signed_wacz
from archive.packaging.signing import (
    DomainSigner,
    SigningError,
    anonymous_signer,
    domain_signer,
    sign_digest,
)
from archive.packaging.wacz import pack_wacz
from archive.warc.records import HttpExchange
from archive.warc.writer import WarcWriter
from tests.localpki import Issued, domain_cert, root_ca, tsa_cert
from tests.processes import announced_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOMAIN = "archive.example"
WABAC_CHECK = ROOT / "tests" / "js" / "wabac_verify.mjs"


@dataclass(frozen=True)
class Pki:
    folder: Path
    root: Issued
    domain_chain: Path  # leaf, root
    domain_key: Path
    roots: Path  # our root only
    other_roots: Path  # an unrelated root


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    root = root_ca()
    chain = domain_cert(root, DOMAIN).write(folder, "domain", [root.cert])
    tsa_folder = folder / "tsa"
    tsa_folder.mkdir()
    tsa_cert(root).write(tsa_folder, "tsa")
    (tsa_folder / "chain.pem").write_bytes(root.cert.public_bytes(serialization.Encoding.PEM))
    (folder / "roots.pem").write_bytes(root.cert.public_bytes(serialization.Encoding.PEM))
    other = root_ca("some other root")
    (folder / "other.pem").write_bytes(other.cert.public_bytes(serialization.Encoding.PEM))
    return Pki(
        folder, root, chain, folder / "domain.key", folder / "roots.pem", folder / "other.pem"
    )


@pytest.fixture(scope="module")
def tsa(pki: Pki) -> Iterator[str]:
    """The local TSA's URL."""
    yield from tsa_server(pki.folder / "tsa")


def tsa_server(folder: Path) -> Iterator[str]:
    with announced_url([sys.executable, "-m", "tests.tsa_server", str(folder)], ROOT) as url:
        yield url


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection of one WARC (one page fetched over HTTP) and its index."""
    folder = tmp_path_factory.mktemp("collection")
    with WarcWriter(folder / "warcs") as writer:
        writer.write_exchange(
            HttpExchange(
                url="http://127.0.0.1/page",
                method="GET",
                request_headers=[("Host", "127.0.0.1")],
                request_body=b"",
                protocol="HTTP/1.1",
                status=200,
                reason="OK",
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=b"<html><body><p>An article.</p></body></html>",
                ip_address="127.0.0.1",
                started=datetime.now(UTC),
            )
        )
    index_collection(folder)
    return folder


def pack(collection: Path, target: Path, sign: Callable[[str], dict[str, Any]] | None) -> Path:
    return pack_wacz(
        target,
        warcs=sorted((collection / "warcs").glob("*.warc.gz")),
        index=collection / "indexes" / "index.cdxj",
        pages=[],
        title="t",
        description="d",
        software="warcproof tests",
        sign=sign,
    ).path


@pytest.fixture(scope="module")
def domain_signed(
    collection: Path, pki: Pki, tsa: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    signer = domain_signer(pki.domain_chain, pki.domain_key)
    target = tmp_path_factory.mktemp("signed") / "domain.wacz"
    return pack(collection, target, lambda d: sign_digest(d, signer, software="t", tsa_urls=[tsa]))


def roots(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def test_a_domain_signed_and_timestamped_wacz_verifies(domain_signed: Path, pki: Pki) -> None:
    check = verify_signed_wacz(domain_signed, roots(pki.roots))
    assert check.ok, check.problems
    assert check.signer.startswith(f"{DOMAIN} (CN={DOMAIN})")
    assert "chain to CN=warcproof test root" in check.signer
    assert len(check.timestamps) == 1
    assert "by CN=warcproof test TSA" in check.timestamps[0]
    with zipfile.ZipFile(domain_signed) as wacz:
        covered = set(wacz.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        signed = json.loads(wacz.read("datapackage-digest.json"))["signedData"]
    assert {name for name, _ in check.files} == covered
    assert signed["domain"] == DOMAIN
    assert signed["domainCert"].count("BEGIN CERTIFICATE") == 2
    assert signed["timestampCert"].count("BEGIN CERTIFICATE") == 2


def test_check_command_prints_who_when_and_what(domain_signed: Path, pki: Pki) -> None:
    result = subprocess.run(
        [str(BIN / "warcproof"), "check", str(domain_signed), "--verify-signature",
         "--trust-roots", str(pki.roots)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "signature valid" in result.stdout
    assert f"signed by: {DOMAIN}" in result.stdout
    assert "timestamp: " in result.stdout
    assert "by CN=warcproof test TSA" in result.stdout
    assert "covers:    datapackage.json sha256:" in result.stdout
    assert "archive/" in result.stdout


def rewrite(source: Path, target: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of the WACZ `source` with the entry `name` changed (a consistent zip: only the
    signature chain can tell)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, change(data) if info.filename == name else data)
    return target


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def change_signed(field: str, change: Callable[[str], str]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["signedData"][field] = change(doc["signedData"][field])
        return json.dumps(doc, indent=2).encode()

    return edit


def flip_b64(text: str, where: float = 0.5) -> str:
    raw = base64.b64decode(text)
    return base64.b64encode(flip(raw, int(len(raw) * where))).decode()


def flip_pem(text: str) -> str:
    """One byte changed inside the last certificate of a PEM chain (the root's copy)."""
    certs = x509.load_pem_x509_certificates(text.encode())
    der = certs[-1].public_bytes(serialization.Encoding.DER)
    changed = flip(der, len(der) - 40)  # inside the signature value
    last = base64.encodebytes(changed).decode()
    return text[: text.rindex("-----BEGIN")] + (
        f"-----BEGIN CERTIFICATE-----\n{last}-----END CERTIFICATE-----\n"
    )


def flip_char(text: str) -> str:
    """One character of a base64 text changed to another valid one."""
    at = len(text) // 2
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


def change_top_hash(data: bytes) -> bytes:
    """One hex digit of the digest datapackage-digest.json gives first (outside signedData)."""
    at = data.index(b'"hash": "sha256:') + len(b'"hash": "sha256:')
    return data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :]


def warc_name(wacz: Path) -> str:
    with zipfile.ZipFile(wacz) as archive:
        return next(n for n in archive.namelist() if n.startswith("archive/"))


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("warc", "{warc}: altered: sha256"),
        ("datapackage.json", "datapackage.json: altered: its sha256 is"),
        ("datapackage-digest.json", "datapackage-digest.json: signedData.hash is not the digest"),
        ("signature", "signature: does not verify"),
        ("timestamp", "timestamp: "),
        ("timestamp-start", "timestamp: "),
        ("timestamp-end", "timestamp: "),
        ("timestamp-chain", "timestamp: "),
        ("domain-chain", "domain certificate: "),
    ],
)
def test_one_changed_byte_fails_naming_what_broke(
    domain_signed: Path, pki: Pki, tmp_path: Path, what: str, expected: str
) -> None:
    warc = warc_name(domain_signed)
    name, change = {
        "warc": (warc, lambda data: flip(data, len(data) // 2)),
        "datapackage.json": ("datapackage.json", lambda data: flip(data, len(data) // 2)),
        "datapackage-digest.json": ("datapackage-digest.json", change_top_hash),
        "signature": ("datapackage-digest.json", change_signed("signature", flip_char)),
        "timestamp": ("datapackage-digest.json", change_signed("timeSignature", flip_b64)),
        "timestamp-start": (
            "datapackage-digest.json",
            change_signed("timeSignature", lambda t: flip_b64(t, 0.1)),
        ),
        "timestamp-end": (
            "datapackage-digest.json",
            change_signed("timeSignature", lambda t: flip_b64(t, 0.95)),
        ),
        "timestamp-chain": ("datapackage-digest.json", change_signed("timestampCert", flip_pem)),
        "domain-chain": ("datapackage-digest.json", change_signed("domainCert", flip_pem)),
    }[what]
    tampered = rewrite(domain_signed, tmp_path / "tampered.wacz", name, change)
    check = verify_signed_wacz(tampered, roots(pki.roots))
    assert not check.ok
    assert any(p.startswith(expected.format(warc=warc)) for p in check.problems), check.problems


def test_a_byte_changed_in_place_in_the_zip_is_named(
    domain_signed: Path, pki: Pki, tmp_path: Path
) -> None:
    data = bytearray(domain_signed.read_bytes())
    with zipfile.ZipFile(domain_signed) as wacz:
        info = wacz.getinfo(warc_name(domain_signed))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x01
    tampered = tmp_path / "in-place.wacz"
    tampered.write_bytes(bytes(data))
    check = verify_signed_wacz(tampered, roots(pki.roots))
    assert any(p.startswith(f"{info.filename}: ") for p in check.problems), check.problems


def test_a_wrong_trust_root_fails_both_chains(domain_signed: Path, pki: Pki) -> None:
    check = verify_signed_wacz(domain_signed, roots(pki.other_roots))
    assert not check.ok
    assert any(p.startswith("timestamp: ") for p in check.problems), check.problems
    assert any(
        p.startswith("domain certificate: its chain does not lead to a trust root")
        for p in check.problems
    ), check.problems
    result = subprocess.run(
        [str(BIN / "warcproof"), "check", str(domain_signed), "--verify-signature",
         "--trust-roots", str(pki.other_roots)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "signature NOT valid" in result.stdout


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("window", "reason"),
    [
        (
            {"valid_from": NOW - timedelta(days=30), "valid_to": NOW - timedelta(days=1)},
            "expired when signed",
        ),
        (
            {"valid_from": NOW + timedelta(days=1), "valid_to": NOW + timedelta(days=30)},
            "not yet valid when signed",
        ),
    ],
)
def test_a_certificate_outside_its_validity_fails_with_the_reason(
    collection: Path, pki: Pki, tsa: str, tmp_path: Path, window: dict[str, datetime], reason: str
) -> None:
    issued = domain_cert(pki.root, DOMAIN, **window)
    chain = issued.write(tmp_path, "bad", [pki.root.cert])
    with pytest.raises(SigningError, match="is valid only from"):
        domain_signer(chain, tmp_path / "bad.key")  # refused when signing
    assert isinstance(issued.key, ec.EllipticCurvePrivateKey)
    signer = DomainSigner(issued.key, (issued.cert, pki.root.cert))  # made by someone else
    wacz = pack(
        collection,
        tmp_path / "bad.wacz",
        lambda d: sign_digest(d, signer, software="t", tsa_urls=[tsa]),
    )
    check = verify_signed_wacz(wacz, roots(pki.roots))
    assert any(reason in p and p.startswith("domain certificate CN=") for p in check.problems), (
        check.problems
    )


def test_a_tsa_certificate_expired_when_it_stamped_fails_with_the_reason(
    collection: Path, pki: Pki, tmp_path: Path
) -> None:
    folder = tmp_path / "expired-tsa"
    folder.mkdir()
    window = {"valid_from": NOW - timedelta(days=30), "valid_to": NOW - timedelta(days=1)}
    tsa_cert(pki.root, "expired TSA", **window).write(folder, "tsa")
    (folder / "chain.pem").write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    signer = domain_signer(pki.domain_chain, pki.domain_key)
    servers = tsa_server(folder)
    url = next(servers)
    try:
        wacz = pack(
            collection,
            tmp_path / "x.wacz",
            lambda d: sign_digest(d, signer, software="t", tsa_urls=[url]),
        )
    finally:
        servers.close()
    check = verify_signed_wacz(wacz, roots(pki.roots))
    assert any(
        p.startswith("timestamp: TSA certificate CN=expired TSA: expired when it stamped")
        for p in check.problems
    ), check.problems


def wabac_verify(signed: dict[str, Any]) -> bool:
    """wabac.js's check of an anonymous signature, step by step: WebCrypto imports `publicKey`
    as SPKI on P-384 and verifies ECDSA/SHA-256 over the UTF-8 `hash` with a raw r||s
    signature (IEEE P1363), which the `cryptography` package takes as DER."""
    key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"]))
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert key.curve.name == "secp384r1"
    raw = base64.b64decode(signed["signature"])
    assert len(raw) == 96
    der = encode_dss_signature(int.from_bytes(raw[:48]), int.from_bytes(raw[48:]))
    try:
        key.verify(der, signed["hash"].encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except Exception:
        return False
    return True


def test_keys_new_and_an_anonymous_signature_as_wabac_checks_it(
    collection: Path, pki: Pki, tsa: str, tmp_path: Path
) -> None:
    key = tmp_path / "signing.key"
    made = subprocess.run(
        [str(BIN / "warcproof"), "keys", "new", str(key)], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    public = made.stdout.split("public key:")[1].split()[0]
    again = subprocess.run(
        [str(BIN / "warcproof"), "keys", "new", str(key)], capture_output=True, text=True
    )
    assert again.returncode == 2
    assert "not overwritten" in again.stderr

    signer = anonymous_signer(key)
    wacz = pack(
        collection,
        tmp_path / "anon.wacz",
        lambda d: sign_digest(d, signer, software="t", tsa_urls=[tsa, tsa]),
    )
    with zipfile.ZipFile(wacz) as archive:
        digest_doc = json.loads(archive.read("datapackage-digest.json"))
        package = archive.read("datapackage.json")
        assert key.read_bytes() not in b"".join(archive.read(n) for n in archive.namelist())
    signed = digest_doc["signedData"]
    assert signed["publicKey"] == public
    assert signed["hash"] == digest_doc["hash"] == f"sha256:{hashlib.sha256(package).hexdigest()}"
    assert wabac_verify(signed)
    other = signed["hash"][:-1] + ("1" if signed["hash"].endswith("0") else "0")
    assert not wabac_verify({**signed, "hash": other})
    check = verify_signed_wacz(wacz, roots(pki.roots))
    assert check.ok, check.problems
    assert check.signer.startswith("anonymous key sha256:")
    assert len(check.timestamps) == 2

    def check_with(*keys: str) -> subprocess.CompletedProcess[str]:
        options = [item for key in keys for item in ("--signer-key", key)]
        return subprocess.run(
            [str(BIN / "warcproof"), "check", str(wacz), "--verify-signature",
             "--trust-roots", str(pki.roots), *options],
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    assert check_with(public).returncode == 0
    fingerprint = made.stdout.split("fingerprint:")[1].split()[0]
    assert check_with("sha256:" + "0" * 64, fingerprint).returncode == 0
    other = check_with("sha256:" + "0" * 64)
    assert other.returncode == 1
    assert f"signature: made by key {fingerprint}, not by a key given" in other.stdout
    assert check_with("not-a-key").returncode == 2


def test_pack_refuses_unusable_signing_options(tmp_path: Path) -> None:
    p256 = tmp_path / "p256.key"
    p256.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cases = {
        ("--tsa", "http://127.0.0.1:9/"): "--tsa stamps a signature",
        ("--sign", str(p256)): "needs a P-384 key",
        ("--sign", str(tmp_path / "missing.key")): "cannot read the key",
        ("--sign-cert", str(p256)): "--sign-cert and --sign-key go together",
    }
    for options, message in cases.items():
        result = subprocess.run(
            [str(BIN / "warcproof"), "pack", str(tmp_path), "-o", str(tmp_path / "x.wacz"),
             *options],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 2, (options, result.stderr)
        assert message in result.stderr, (options, result.stderr)
        assert not (tmp_path / "x.wacz").exists()


def test_an_unreachable_tsa_leaves_no_wacz(collection: Path, pki: Pki, tmp_path: Path) -> None:
    signer = domain_signer(pki.domain_chain, pki.domain_key)
    target = tmp_path / "x.wacz"
    with pytest.raises(Exception, match="cannot reach the TSA"):
        pack(
            collection,
            target,
            lambda d: sign_digest(d, signer, software="t", tsa_urls=["http://127.0.0.1:9/"]),
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.external
def test_authsigns_verifier_accepts_the_domain_signed_wacz(
    domain_signed: Path, pki: Pki, tmp_path: Path
) -> None:
    """authsign (in its own environment: its pins clash with ours) verifies the signedData
    with a roots file naming our local root for both chains."""
    python = ROOT / ".venv-authsign" / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(python.parent.parent)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "authsign==0.6.*"], check=True)
    fingerprint = pki.root.cert.fingerprint(hashes.SHA256()).hex()
    trusted = tmp_path / "roots.yaml"
    trusted.write_text(
        f"domain_cert_roots:\n  - {fingerprint}\ntimestamp_cert_roots:\n  - {fingerprint}\n"
    )
    with zipfile.ZipFile(domain_signed) as wacz:
        (tmp_path / "signed.json").write_bytes(
            json.dumps(json.loads(wacz.read("datapackage-digest.json"))["signedData"]).encode()
        )
    script = (
        "import json, sys\n"
        "from authsign.verifier import Verifier\n"
        "result = Verifier(sys.argv[1])(json.load(open(sys.argv[2])))\n"
        "print(result.observer, result.timestamp)\n"
    )
    result = subprocess.run(
        [str(python), "-c", script, str(trusted), str(tmp_path / "signed.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split()[0] == DOMAIN


def test_an_unsigned_wacz_fails_verification(collection: Path, tmp_path: Path) -> None:
    wacz = pack(collection, tmp_path / "plain.wacz", None)
    result = subprocess.run(
        [str(BIN / "warcproof"), "check", str(wacz), "--verify-signature"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "datapackage-digest.json: no signedData: the WACZ is not signed" in result.stdout


def test_check_result_lines_name_the_file(tmp_path: Path) -> None:
    check = SignatureCheck(tmp_path / "a.wacz", problems=["signature: does not verify"])
    assert check.lines() == [
        f"{tmp_path / 'a.wacz'}: signature NOT valid",
        f"{tmp_path / 'a.wacz'}: signature: does not verify",
    ]


@pytest.mark.crawl
def test_pack_signs_a_crawled_collection_and_check_verifies_it(
    pki: Pki, tsa: str, tmp_path: Path, replica_origin: str
) -> None:
    from tests.test_index import crawl_corpus

    collection = crawl_corpus(tmp_path, replica_origin, second_copy_of_004=False)
    wacz = tmp_path / "signed.wacz"
    packed = subprocess.run(
        [str(BIN / "warcproof"), "pack", str(collection), "-o", str(wacz),
         "--sign-cert", str(pki.domain_chain), "--sign-key", str(pki.domain_key),
         "--tsa", tsa],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert packed.returncode == 0, packed.stderr
    assert f"signed by {DOMAIN} at " in packed.stdout
    assert "1 timestamp(s)" in packed.stdout
    checked = subprocess.run(
        [str(BIN / "warcproof"), "check", str(wacz), "--verify-signature",
         "--trust-roots", str(pki.roots)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"signed by: {DOMAIN}" in checked.stdout
    with zipfile.ZipFile(wacz) as archive:
        listed = len(json.loads(archive.read("datapackage.json"))["resources"])
        assert pki.domain_key.read_bytes() not in archive.read("datapackage-digest.json")
    assert f"which lists {listed} file(s)" in checked.stdout

    key = tmp_path / "anonymous.key"
    subprocess.run([str(BIN / "warcproof"), "keys", "new", str(key)], check=True)
    exported = subprocess.run(
        [str(BIN / "warcproof"), "export", str(collection), "--bag", str(tmp_path / "bag"),
         "--manifest", str(tmp_path / "seeds" / "seeds.toml"), "--sign", str(key)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "signed by anonymous key sha256:" in exported.stdout
    bagged = verify_signed_wacz(tmp_path / "bag" / "data" / "collection.wacz", [])
    assert bagged.ok, bagged.problems


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(
        [
            "hash",
            "signature",
            "publicKey",
            "domain",
            "domainCert",
            "created",
            "timeSignature",
            "timestampCert",
            "additionalTimestamps",
        ]
    ),
    value=JSON_VALUES | st.datetimes().map(lambda t: t.isoformat()),
)
def test_any_signed_data_gives_a_verdict_never_a_crash(
    domain_signed: Path, pki: Pki, tmp_path: Path, field: str, value: Any
) -> None:
    def edit(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["signedData"][field] = value
        return json.dumps(doc).encode()

    tampered = rewrite(
        domain_signed, tmp_path / f"fuzz-{field}.wacz", "datapackage-digest.json", edit
    )
    check = verify_signed_wacz(tampered, roots(pki.roots))
    assert isinstance(check.problems, list)
    assert all(isinstance(line, str) for line in check.lines())


@pytest.mark.external
def test_webcrypto_accepts_the_anonymous_signature_as_wabac_does(
    collection: Path, tmp_path: Path
) -> None:
    """Node's WebCrypto, called as wabac.js calls it in the browser, accepts the signature
    and refuses it over any other digest."""
    key = tmp_path / "k.pem"
    subprocess.run(
        [str(BIN / "warcproof"), "keys", "new", str(key)], check=True, capture_output=True
    )
    signer = anonymous_signer(key)
    wacz = pack(collection, tmp_path / "anon.wacz", lambda d: sign_digest(d, signer, software="t"))
    with zipfile.ZipFile(wacz) as archive:
        signed = json.loads(archive.read("datapackage-digest.json"))["signedData"]
    raw = base64.b64decode(signed["signature"])
    der = encode_dss_signature(int.from_bytes(raw[:48]), int.from_bytes(raw[48:]))
    cases = {
        "as signed": signed,
        "other digest": {**signed, "hash": signed["hash"][:-1] + "x"},
        "DER encoding": {**signed, "signature": base64.b64encode(der).decode()},
    }
    verdicts = {}
    for name, data in cases.items():
        path = tmp_path / "signed.json"
        path.write_text(json.dumps(data))
        result = subprocess.run(
            ["node", str(WABAC_CHECK), str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        verdicts[name] = result.stdout.strip()
    assert verdicts == {"as signed": "valid", "other digest": "invalid", "DER encoding": "invalid"}
