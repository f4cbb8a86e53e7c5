"""``augury serve --tls-cert FILE --tls-key FILE`` serves HTTPS and WSS (issue 10, "TLS").

A self-signed certificate for 127.0.0.1 is made here with ``cryptography``; the client
trusts exactly that certificate. Over TLS the official SDK places an order, a signed
WebSocket subscribes and receives it, and plain HTTP on the same port gets no answer.
``augury demo`` takes the same two flags (and refuses one without the other).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import signal
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.sync.client import connect as ws_connect

from tests.e2e.server_harness import AUGURY, free_port
from tests.security.net_harness import (
    WS_PATH,
    NetServer,
    running,
    signed,
    tls_context,
    wait_until,
)

pytestmark = pytest.mark.process  # a real server in a subprocess


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "augury test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, tls_files: tuple[Path, Path]
) -> Iterator[NetServer]:
    srv = NetServer(tmp_path_factory.mktemp("tls-serve") / "data", tls=tls_files)
    with running(srv):
        yield srv


def test_the_sdk_trades_over_https_and_a_wss_stream_sees_it(
    server: NetServer, tls_files: tuple[Path, Path]
) -> None:
    from kalshi_python_sync import Configuration, KalshiClient

    key_id, pem = server.user("tls-trader", "100")
    config = Configuration(host=f"{server.url}/trade-api/v2", ssl_ca_cert=str(tls_files[0]))
    config.api_key_id = key_id
    config.private_key_pem = pem
    sdk = KalshiClient(config)
    assert server.url.startswith("https://")
    url = f"wss://127.0.0.1:{server.port}{WS_PATH}"
    headers = signed((key_id, pem), "GET", WS_PATH)
    with ws_connect(url, ssl=tls_context(tls_files[0]), additional_headers=headers) as ws:
        ws.send(json.dumps({"id": 1, "cmd": "subscribe", "params": {"channels": ["user_orders"]}}))
        assert json.loads(ws.recv(timeout=30))["type"] == "subscribed"
        created = sdk.create_order_v2(
            ticker="KXTEST-26DEC-T1",
            side="bid",
            count="1",
            price="0.20",
            time_in_force="good_till_canceled",
            self_trade_prevention_type="taker_at_cross",
        )
        assert created.order_id
        update = json.loads(ws.recv(timeout=30))
        assert update["type"] == "user_order"
        assert update["msg"]["order_id"] == created.order_id


def test_plain_http_on_the_tls_port_is_not_served(server: NetServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /trade-api/v2/exchange/status HTTP/1.1\r\nhost: x\r\n\r\n")
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    assert b"exchange_active" not in answer


def test_a_client_that_does_not_trust_the_certificate_is_refused(server: NetServer) -> None:
    context = ssl.create_default_context()  # the system's CAs only
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(sock, server_hostname="127.0.0.1")


def test_the_demo_serves_https_with_the_same_flags(
    tmp_path: Path, tls_files: tuple[Path, Path]
) -> None:
    port = free_port()
    args = [str(AUGURY), "demo", "--data", str(tmp_path / "demo"), "--port", str(port)]
    args += ["--tls-cert", str(tls_files[0]), "--tls-key", str(tls_files[1])]
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(verify=tls_context(tls_files[0]), timeout=10) as client:

            def up() -> bool:
                assert proc.poll() is None, log.read_text()[-2000:]
                try:
                    url = f"https://127.0.0.1:{port}/trade-api/v2/exchange/status"
                    return client.get(url).status_code == 200
                except httpx.HTTPError:
                    return False

            wait_until(up, limit_s=180)
        wait_until(lambda: "wss://127.0.0.1" in log.read_text(), limit_s=180)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_the_flags_go_together(command: str, tmp_path: Path, tls_files: tuple[Path, Path]) -> None:
    result = subprocess.run(
        [str(AUGURY), command, "--data", str(tmp_path / "d"), "--tls-cert", str(tls_files[0])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "--tls-cert and --tls-key go together" in result.stdout + result.stderr
