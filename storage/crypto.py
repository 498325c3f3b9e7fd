"""Encryption at rest of the free text Liaison stores about clients' matters (details, questions, thread
replies, notes): Fernet keys from LIAISON_DATA_KEY, several for rotation (the first encrypts; any of them
decrypts). Values are marked, so text stored before a key was set stays readable until `liaison keys
rotate` encrypts it."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from storage.errors import LiaisonError

MARK = "enc1:"  # what an encrypted value starts with


class UnreadableText(LiaisonError):
    """Stored text this process cannot decrypt: no key, or not the key it was encrypted with."""


class Keyring:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a keyring needs at least one key")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, text: str) -> str:
        return MARK + self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(MARK):
            return stored  # written before encryption was turned on
        try:
            return self._fernet.decrypt(stored.removeprefix(MARK).encode()).decode()
        except InvalidToken:
            raise UnreadableText(
                "Some stored text was encrypted with a key that is not in LIAISON_DATA_KEY; put the old key "
                "back in the list (after the new one)."
            ) from None

    def rotate(self, stored: str) -> str:
        """The value encrypted with the first key (plain text is encrypted)."""
        return self.encrypt(self.decrypt(stored))


def new_key() -> str:
    return Fernet.generate_key().decode()


def keys_from(raw: str) -> list[str]:
    """LIAISON_DATA_KEY's keys (comma-separated); ValueError naming what is wrong with one."""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key.encode())
        except ValueError:
            raise ValueError(
                f"key {number} is not a Fernet key (32 url-safe base64 bytes); make one with "
                "`liaison keys new`"
            ) from None
    return keys


def reveal(stored: str, keyring: Keyring | None) -> str:
    if keyring is not None:
        return keyring.decrypt(stored)
    if stored.startswith(MARK):
        raise UnreadableText(
            "Some stored text is encrypted, but Liaison was started without LIAISON_DATA_KEY; start it with "
            "the key."
        )
    return stored
