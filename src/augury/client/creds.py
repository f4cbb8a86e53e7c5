"""Credentials per user: ``<root>/users/<user_id>/credentials/``, private to its owner.

Layout (every directory mode 0700, every file 0600)::

    <root>/users/<user_id>/credentials/
        <profile>.json      {"key_id": ..., "host": ...}
        <profile>.pem       the API key's private key (PKCS#8 or PKCS#1 PEM)
        current             the profile ``augury creds use`` selected

``root`` is ``$AUGURY_HOME`` or ``~/.augury``; ``user_id`` is the local login unless given.
Loading refuses any file or directory that the group or others can read or write (as
``ssh`` does with keys) and validates the private key (RSA >= 2048 bits or Ed25519), so a
leaked-permission or corrupt credential fails loudly before any request is signed.
Profile and user names are ``[A-Za-z0-9_.-]{1,64}`` and never start with a dot: no path
can escape the store.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from augury.client.signing import Signer

__all__ = ["CredentialError", "CredentialStore", "Profile", "default_root"]

_NAME: Final = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$")
_PEM_MAX_BYTES: Final = 64 * 1024


class CredentialError(ValueError):
    """A credential is missing, unsafe (permissions) or invalid."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One stored credential."""

    name: str
    key_id: str
    host: str

    def signer(self, pem: str) -> Signer:
        """Return the signer for this profile's key."""
        return Signer.from_pem(self.key_id, pem)


def default_root() -> Path:
    """Return ``$AUGURY_HOME`` or ``~/.augury``."""
    env = os.environ.get("AUGURY_HOME")
    return Path(env) if env else Path.home() / ".augury"


def _check_name(kind: str, name: str) -> str:
    if not _NAME.match(name):
        raise CredentialError(f"{kind} {name!r} must match [A-Za-z0-9_.-], 1-64 characters")
    return name


def _private(path: Path, kind: str) -> None:
    mode = path.stat().st_mode
    if stat.S_IMODE(mode) & 0o077:
        raise CredentialError(
            f"{path} is accessible by group or others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod {'700' if kind == 'dir' else '600'} {path}"
        )


class CredentialStore:
    """The credential store of one local user."""

    def __init__(self, root: Path | None = None, user_id: str | None = None) -> None:
        self.root = root or default_root()
        self.user_id = _check_name("user", getpass.getuser() if user_id is None else user_id)
        self.dir = self.root / "users" / self.user_id / "credentials"

    def _ensure_dirs(self) -> None:
        for path in (self.root, self.root / "users", self.dir.parent, self.dir):
            path.mkdir(mode=0o700, exist_ok=True)
            path.chmod(0o700)

    def _write(self, path: Path, text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    def add(self, name: str, key_id: str, pem: str, host: str) -> Profile:
        """Validate and store a credential (replacing one of the same name)."""
        _check_name("profile", name)
        Signer.from_pem(key_id, pem)  # refuse a bad key before storing anything
        self._ensure_dirs()
        self._write(self.dir / f"{name}.pem", pem)
        self._write(self.dir / f"{name}.json", json.dumps({"key_id": key_id, "host": host}))
        if not (self.dir / "current").exists():
            self.use(name)
        return Profile(name, key_id, host)

    def names(self) -> list[str]:
        """Return the stored profile names."""
        if not self.dir.exists():
            return []
        _private(self.dir, "dir")
        return sorted(p.stem for p in self.dir.glob("*.json"))

    def current(self) -> str | None:
        """Return the profile ``use`` selected, if any."""
        path = self.dir / "current"
        if not path.exists():
            return None
        _private(path, "file")
        return path.read_text().strip() or None

    def use(self, name: str) -> None:
        """Make ``name`` the default profile."""
        _check_name("profile", name)
        if not (self.dir / f"{name}.json").exists():
            raise CredentialError(f"no credential named {name!r}")
        self._write(self.dir / "current", name)

    def remove(self, name: str) -> None:
        """Delete a stored credential."""
        _check_name("profile", name)
        found = False
        for suffix in (".json", ".pem"):
            path = self.dir / f"{name}{suffix}"
            if path.exists():
                path.unlink()
                found = True
        if not found:
            raise CredentialError(f"no credential named {name!r}")
        if self.current() == name:
            (self.dir / "current").unlink()

    def load(self, name: str | None = None) -> tuple[Profile, Signer]:
        """Load a profile (default: the current one), checking permissions and the key."""
        chosen = name or self.current()
        if chosen is None:
            raise CredentialError("no credential selected: augury creds add NAME ... first")
        _check_name("profile", chosen)
        for path in (self.root, self.root / "users", self.dir.parent, self.dir):
            if path.exists():
                _private(path, "dir")
        meta_path, pem_path = self.dir / f"{chosen}.json", self.dir / f"{chosen}.pem"
        if not meta_path.exists() or not pem_path.exists():
            raise CredentialError(f"no credential named {chosen!r}")
        _private(meta_path, "file")
        _private(pem_path, "file")
        if pem_path.stat().st_size > _PEM_MAX_BYTES:
            raise CredentialError(f"{pem_path} is too large to be a key")
        meta = json.loads(meta_path.read_text())
        profile = Profile(chosen, str(meta["key_id"]), str(meta["host"]))
        try:
            signer = profile.signer(pem_path.read_text())
        except ValueError as exc:
            raise CredentialError(f"{pem_path}: {exc}") from None
        return profile, signer
