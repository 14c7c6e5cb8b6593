"""A local RFC 3161 time-stamping authority: Debian's `openssl ts -reply` behind a loopback
HTTP server. Run as `python -m tests.tsa_server DIR` with DIR holding tsa.pem (the TSA's
certificate), tsa.key and chain.pem (the certificates to include after it); prints its URL.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """\
[ tsa ]
default_tsa = local_tsa

[ local_tsa ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def configure(folder: Path) -> Path:
    config = folder / "tsa.cnf"
    config.write_text(CONFIG.format(dir=folder))
    serial = folder / "serial"
    if not serial.exists():
        serial.write_text("01\n")
    return config


class TsaHandler(BaseHTTPRequestHandler):
    folder: Path
    config: Path

    def do_POST(self) -> None:
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.TemporaryDirectory() as scratch:
            request, reply = Path(scratch) / "q.tsq", Path(scratch) / "r.tsr"
            request.write_bytes(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(self.config),
                 "-queryfile", str(request), "-out", str(reply)],
                capture_output=True,
                check=False,
            )  # fmt: skip
            body = reply.read_bytes() if done.returncode == 0 else done.stderr
        self.send_response(200 if done.returncode == 0 else 400)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    folder = Path(sys.argv[1]).resolve()
    TsaHandler.folder = folder
    TsaHandler.config = configure(folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), TsaHandler)
    print(f"http://127.0.0.1:{server.server_address[1]}/tsa", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
