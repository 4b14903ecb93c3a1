"""``file:/path``: a secret in a file, as Kubernetes, External Secrets or the CSI driver mount it.

The kubelet updates a mounted Secret atomically: it writes the new files into a fresh
``..<timestamp>`` directory, points the ``..data`` symlink at it with a rename, and deletes the
old directory. Opening the path in one call resolves all symlinks at once, so a read sees the old
content or the new content, never a mix. The change token (device, inode, mtime and size of the
resolved file) changes with every swap, which lets the cache notice a new value quickly.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Hashable
from datetime import UTC, datetime

from pavedroad.secrets.errors import (
    AuthenticationError,
    SecretNotFoundError,
    TransientBackendError,
)
from pavedroad.secrets.providers.base import FetchedSecret, Provider, SecretMetadata, select_key
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.value import SecretValue

# A secret file larger than this is almost certainly the wrong file.
MAX_FILE_BYTES = 1 << 20
# The kubelet deletes the old directory right after the swap: a stat or read that raced with it
# is retried this many times.
_RACE_RETRIES = 3


def stat_token(path: str) -> tuple[int, int, int, int] | None:
    """``(device, inode, mtime_ns, size)`` of the file behind ``path``, or None if missing."""
    for _ in range(_RACE_RETRIES):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            continue
        return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    return None


class FileProvider(Provider):
    """Reads secret files. Trailing newlines are stripped: ``kubectl create secret
    --from-file`` and editors add them, no secret needs them."""

    schemes = ("file",)

    def fetch(self, ref: SecretReference) -> FetchedSecret:
        data, st = self._read(ref)
        try:
            document = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SecretNotFoundError(
                f"file: secret {ref} is not UTF-8 text; store text (base64-encode binary)",
                reference=str(ref),
                provider=ref.scheme,
            ) from None
        document = document.rstrip("\r\n")
        value = SecretValue(select_key(document, ref, ref.scheme))
        return FetchedSecret(value, version=f"{st.st_ino}-{st.st_mtime_ns}")

    def _read(self, ref: SecretReference) -> tuple[bytes, os.stat_result]:
        for _ in range(_RACE_RETRIES):
            try:
                with open(ref.body, "rb") as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
                    st = os.fstat(handle.fileno())
            except FileNotFoundError:
                continue
            except PermissionError:
                raise AuthenticationError(
                    f"file: permission denied reading {ref}: check the volume's defaultMode "
                    "and the pod's runAsUser/fsGroup",
                    reference=str(ref),
                    provider=ref.scheme,
                ) from None
            except IsADirectoryError:
                raise SecretNotFoundError(
                    f"file: {ref} is a directory; reference a file inside the mount, e.g. "
                    f"file:{ref.body.rstrip('/')}/<key>",
                    reference=str(ref),
                    provider=ref.scheme,
                ) from None
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EAGAIN, errno.ESTALE):
                    raise TransientBackendError(
                        f"file: reading {ref} failed ({os.strerror(exc.errno)}); will retry",
                        reference=str(ref),
                        provider=ref.scheme,
                    ) from None
                raise
            if len(data) > MAX_FILE_BYTES:
                raise SecretNotFoundError(
                    f"file: {ref} is larger than {MAX_FILE_BYTES} bytes; it is not a secret "
                    "file, fix the path",
                    reference=str(ref),
                    provider=ref.scheme,
                )
            return data, st
        raise SecretNotFoundError(
            f"file: secret {ref} not found: no file at {ref.body}; check the volume mount and "
            "the Secret's key name",
            reference=str(ref),
            provider=ref.scheme,
        ) from None

    def describe(self, ref: SecretReference) -> SecretMetadata:
        try:
            st = os.stat(ref.body)
        except FileNotFoundError:
            raise SecretNotFoundError(
                f"file: secret {ref} not found: no file at {ref.body}",
                reference=str(ref),
                provider=ref.scheme,
            ) from None
        return SecretMetadata(
            last_changed=datetime.fromtimestamp(st.st_mtime, tz=UTC),
            version=f"{st.st_ino}-{st.st_mtime_ns}",
        )

    def change_token(self, ref: SecretReference) -> Hashable | None:
        return stat_token(ref.body)
