"""Client signing: every signed write gets a timestamp its key never used before.

The server refuses a repeated (key, timestamp, signature) on writes and handshakes
(decision 0020), and Ed25519 signs deterministically, so two orders sent to the same path in
one millisecond must carry different stamps. The expectations below are the contract's
(CONTRACT §1.2: the signature covers ``timestamp + METHOD + path``) checked with the public
key, not with the client's own code.
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor

from cryptography.hazmat.primitives.asymmetric import ed25519

from augury.client.signing import (
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    Signer,
    generate_private_key_pem,
)

PATH = "/trade-api/v2/portfolio/events/orders"


def _verify(signer: Signer, headers: dict[str, str], method: str) -> None:
    public = signer.key.public_key()
    assert isinstance(public, ed25519.Ed25519PublicKey)
    message = (headers[HEADER_TIMESTAMP] + method + PATH).encode()
    public.verify(base64.b64decode(headers[HEADER_SIGNATURE]), message)


def test_writes_in_one_millisecond_get_their_own_stamps() -> None:
    signer = Signer.from_pem("k", generate_private_key_pem("ed25519"))
    first = signer.headers("POST", PATH, 1_700_000_000_000)
    second = signer.headers("POST", PATH, 1_700_000_000_000)
    third = signer.headers("DELETE", PATH, 1_700_000_000_000)
    assert [first[HEADER_TIMESTAMP], second[HEADER_TIMESTAMP], third[HEADER_TIMESTAMP]] == [
        "1700000000000",
        "1700000000001",
        "1700000000002",
    ]
    assert first[HEADER_SIGNATURE] != second[HEADER_SIGNATURE]
    _verify(signer, second, "POST")
    _verify(signer, third, "DELETE")
    # Once the clock has moved past the stamps, they follow it again.
    assert signer.headers("POST", PATH, 1_700_000_000_500)[HEADER_TIMESTAMP] == "1700000000500"


def test_reads_keep_the_clock_and_handshakes_are_unique() -> None:
    signer = Signer.from_pem("k", generate_private_key_pem("ed25519"))
    reads = {signer.headers("GET", PATH, 5_000)[HEADER_TIMESTAMP] for _ in range(3)}
    assert reads == {"5000"}
    handshakes = [signer.headers("GET", PATH, 5_000, unique=True) for _ in range(2)]
    assert handshakes[0][HEADER_TIMESTAMP] != handshakes[1][HEADER_TIMESTAMP]


def test_threads_sharing_a_key_never_share_a_stamp() -> None:
    signer = Signer.from_pem("k", generate_private_key_pem("ed25519"))
    with ThreadPoolExecutor(8) as pool:
        stamps = list(pool.map(lambda _: signer.headers("POST", PATH, 9_000), range(400)))
    assert len({h[HEADER_TIMESTAMP] for h in stamps}) == 400
