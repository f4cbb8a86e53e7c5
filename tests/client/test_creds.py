"""The credential store: 0600 files in 0700 directories, refused when others can read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from augury.client.creds import CredentialError, CredentialStore
from augury.client.signing import generate_private_key_pem

KEY = generate_private_key_pem("ed25519")


def test_add_stores_private_files_and_load_returns_a_working_signer(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "home", "alice")
    store.add("main", "key-1", KEY, "demo")
    cred_dir = tmp_path / "home" / "users" / "alice" / "credentials"
    assert cred_dir.stat().st_mode & 0o777 == 0o700
    assert {p.name: p.stat().st_mode & 0o777 for p in cred_dir.iterdir()} == {
        "main.json": 0o600,
        "main.pem": 0o600,
        "current": 0o600,
    }
    profile, signer = store.load()
    assert (profile.name, profile.key_id, profile.host) == ("main", "key-1", "demo")
    assert signer.headers("GET", "/trade-api/v2/x", 1)["KALSHI-ACCESS-KEY"] == "key-1"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    store = CredentialStore(tmp_path, "bob")
    store.add("main", "k", KEY, "local")
    (store.dir / "main.pem").chmod(mode)
    with pytest.raises(CredentialError, match="accessible by group or others"):
        store.load("main")
    (store.dir / "main.pem").chmod(0o600)
    store.load("main")


@pytest.mark.parametrize("mode", [0o750, 0o705, 0o755])
def test_a_directory_others_can_enter_is_refused(tmp_path: Path, mode: int) -> None:
    store = CredentialStore(tmp_path, "bob")
    store.add("main", "k", KEY, "local")
    store.dir.chmod(mode)
    with pytest.raises(CredentialError, match="accessible by group or others"):
        store.load("main")


def test_an_invalid_key_is_refused_at_add_and_at_load(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path, "carol")
    with pytest.raises(ValueError, match="PEM"):
        store.add("bad", "k", "not a key", "local")
    assert store.names() == []
    store.add("good", "k", KEY, "local")
    (store.dir / "good.pem").write_text(
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(CredentialError, match=r"good\.pem"):
        store.load("good")


@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden", "", "x" * 65, "a b"])
def test_names_cannot_escape_the_store(tmp_path: Path, name: str) -> None:
    with pytest.raises(CredentialError):
        CredentialStore(tmp_path, "dave").add(name, "k", KEY, "local")
    with pytest.raises(CredentialError):
        CredentialStore(tmp_path, name)


def test_users_are_separate_and_use_remove_work(tmp_path: Path) -> None:
    alice, bob = CredentialStore(tmp_path, "alice"), CredentialStore(tmp_path, "bob")
    alice.add("a1", "ka1", KEY, "local")
    alice.add("a2", "ka2", KEY, "prod")
    assert bob.names() == []
    assert alice.current() == "a1"
    alice.use("a2")
    assert alice.load()[0].key_id == "ka2"
    alice.remove("a2")
    assert alice.names() == ["a1"]
    assert alice.current() is None
    with pytest.raises(CredentialError, match="no credential selected"):
        alice.load()
    with pytest.raises(CredentialError, match="no credential named"):
        alice.use("a2")
