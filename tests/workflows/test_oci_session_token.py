"""`.github/scripts/oci-session-token`: the GitHub OIDC token exchanged for an OCI session token, offline.

A loopback HTTP server plays both GitHub's token endpoint and the identity domain's `/oauth2/v1/token`, and
checks what the script sends (RFC 8693 token exchange, client credentials as HTTP Basic, the job's public
key). Nothing here talks to GitHub or OCI.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".github" / "scripts" / "oci-session-token"
GITHUB_JWT = "eyJhbGciOi.github-oidc.jwt"
UPST = "oci-upst-session-token"
CLIENT_SECRET = "client-secret-value-never-printed"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


class _Endpoints(BaseHTTPRequestHandler):
    seen: list[dict] = []
    refuse = False

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        self.seen.append({"github": self.headers.get("Authorization"), "audience": query.get("audience")})
        self._reply(200, {"value": GITHUB_JWT})

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "form": form})
        if self.refuse:
            self._reply(401, {"error": "invalid_client"})
        else:
            self._reply(200, {"token": UPST})


@pytest.fixture
def endpoints():
    _Endpoints.seen = []
    _Endpoints.refuse = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoints)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Endpoints
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _run(base: str, config_dir: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "ACTIONS_ID_TOKEN_REQUEST_URL": f"{base}/github-token?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "runner-request-token",
        "OCI_DOMAIN_URL": f"{base}/",
        "OCI_CLIENT_ID": "residency-ci",
        "OCI_CLIENT_SECRET": CLIENT_SECRET,
        "OCI_TENANCY_OCID": "ocid1.tenancy.oc1..aaaaaaaaestate",
        "OCI_REGION": "us-ashburn-1",
        "OCI_CONFIG_DIR": str(config_dir),
    }
    return subprocess.run(["python3", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)


def test_the_oidc_token_becomes_a_session_token_profile(endpoints, tmp_path):
    base, seen = endpoints
    done = _run(base, tmp_path / "oci")
    assert done.returncode == 0, done.stderr
    github, exchange = seen.seen
    assert github == {"github": "bearer runner-request-token", "audience": ["oci"]}
    assert exchange["path"] == "/oauth2/v1/token"
    assert exchange["auth"] == "Basic " + base64.b64encode(f"residency-ci:{CLIENT_SECRET}".encode()).decode()
    form = {k: v[0] for k, v in exchange["form"].items()}
    public_der = base64.b64decode(form.pop("public_key"))
    assert form == {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                    "requested_token_type": "urn:oci:token-type:oci-upst",
                    "subject_token": GITHUB_JWT, "subject_token_type": "jwt"}
    config_dir = tmp_path / "oci"
    key = config_dir / "session_key.pem"
    # The public key sent is the one of the private key written, and the fingerprint is its MD5, as OCI shows it.
    derived = subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-outform", "DER"], capture_output=True,
                             check=True).stdout
    assert derived == public_der
    md5 = hashlib.md5(public_der).hexdigest()
    assert (config_dir / "config").read_text() == (
        "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..aaaaaaaaestate\nregion=us-ashburn-1\n"
        f"fingerprint={':'.join(md5[i:i + 2] for i in range(0, 32, 2))}\n"
        f"key_file={key}\nsecurity_token_file={config_dir / 'session_token'}\n"
    )
    assert (config_dir / "session_token").read_text() == UPST
    for path in (key, config_dir / "session_token", config_dir / "config"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for secret in (CLIENT_SECRET, GITHUB_JWT, UPST):
        assert secret not in done.stdout + done.stderr


def test_a_refused_exchange_fails_the_step_without_printing_secrets(endpoints, tmp_path):
    base, seen = endpoints
    seen.refuse = True
    done = _run(base, tmp_path / "oci")
    assert done.returncode == 1
    assert "the token exchange at" in done.stderr and "was refused: HTTP 401" in done.stderr
    assert not (tmp_path / "oci" / "config").exists()
    assert CLIENT_SECRET not in done.stdout + done.stderr and GITHUB_JWT not in done.stdout + done.stderr


def test_missing_oidc_permission_is_named(tmp_path):
    done = subprocess.run(["python3", str(SCRIPT)], env={"PATH": os.environ["PATH"]}, capture_output=True, text=True)
    assert done.returncode == 1
    assert "missing ACTIONS_ID_TOKEN_REQUEST_URL" in done.stderr and "id-token: write" in done.stderr
