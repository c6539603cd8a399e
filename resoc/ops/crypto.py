"""Encrypting a backup as a stream: AES-256-GCM in chunks, the key derived from a passphrase.

The file is a header (magic, scrypt parameters, salt, nonce prefix) and then chunks, each
`length (4 bytes) | ciphertext with its tag`. Each chunk's nonce is the prefix, the chunk's
number and a flag marking the last chunk, and the header is authenticated with every chunk, so
a chunk altered, reordered, dropped or cut off at the end is refused.
"""

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"RESOC-BACKUP-AESGCM-1\n"
CHUNK = 1024 * 1024
TAG = 16
# scrypt's cost: 2**15 x 8 x 128 bytes = 32 MiB of memory, a fraction of a second.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_HEADER = struct.Struct(">IIII16s7s")  # n, r, p, chunk size, salt, nonce prefix
_LENGTH = struct.Struct(">I")


class DecryptionError(Exception):
    pass


def is_encrypted(path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise ValueError("The passphrase is empty.")
    if n > 2**20 or r > 16 or p > 4:
        raise DecryptionError("The file asks for an unreasonable key derivation.")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written to it reaches `raw` encrypted."""

    def __init__(self, raw, passphrase: str):
        salt, prefix = os.urandom(16), os.urandom(7)
        self._raw = raw
        self._header = MAGIC + _HEADER.pack(SCRYPT_N, SCRYPT_R, SCRYPT_P, CHUNK, salt, prefix)
        self._aead = AESGCM(_key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
        self._prefix, self._number, self._buffer = prefix, 0, bytearray()
        raw.write(self._header)

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: the last chunk is only known on close.
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), chunk, self._header)
        self._raw.write(_LENGTH.pack(len(sealed)) + sealed)
        self._number += 1

    def close(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()

    def flush(self) -> None:
        pass


def decrypt_file(source, target, passphrase: str) -> None:
    """Decrypt the open file `source` into the open file `target`."""
    head = source.read(len(MAGIC) + _HEADER.size)
    if len(head) != len(MAGIC) + _HEADER.size or not head.startswith(MAGIC):
        raise DecryptionError("Not an encrypted Resoc backup.")
    n, r, p, chunk, salt, prefix = _HEADER.unpack(head[len(MAGIC) :])
    aead = AESGCM(_key(passphrase, salt, n, r, p))
    number = 0
    while True:
        length = source.read(_LENGTH.size)
        if len(length) != _LENGTH.size:
            raise DecryptionError("The backup is cut off: its last part is missing.")
        (size,) = _LENGTH.unpack(length)
        if size > chunk + TAG:
            raise DecryptionError("The backup is damaged.")
        sealed = source.read(size)
        for last in (False, True):
            try:
                plain = aead.decrypt(_nonce(prefix, number, last), sealed, head)
            except InvalidTag:
                continue
            break
        else:
            if number == 0:
                raise DecryptionError("Wrong passphrase, or the backup is damaged.")
            raise DecryptionError("The backup is damaged or was altered.")
        target.write(plain)
        number += 1
        if last:
            if source.read(1):
                raise DecryptionError("The backup has data past its end.")
            return
