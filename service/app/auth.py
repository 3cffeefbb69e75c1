"""API keys: hashed on load, checked in constant time, one role each."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from service.app.config import parse_api_keys


def hash_key(key: str) -> str:
    """SHA-256 hex digest of an API key (keys are long random strings, so no salt is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh random API key."""
    return secrets.token_urlsafe(24)


class KeyRing:
    """The configured keys, stored as ``(role, sha256)`` pairs only."""

    def __init__(self, spec: str) -> None:
        self._hashes: list[tuple[str, str]] = []
        for role, key in parse_api_keys(spec):
            if key.startswith("sha256:") and len(key) == 7 + 64:
                self._hashes.append((role, key[7:].lower()))
            else:
                self._hashes.append((role, hash_key(key)))

    def __len__(self) -> int:
        return len(self._hashes)

    def roles_for(self, key: str) -> set[str]:
        """Roles granted to ``key`` (empty when the key is unknown). Admin keys may also do intake."""
        digest = hash_key(key)
        roles: set[str] = set()
        for role, stored in self._hashes:
            if hmac.compare_digest(digest, stored):
                roles.add(role)
        if "admin" in roles:
            roles.add("intake")
        return roles
