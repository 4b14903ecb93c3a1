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
import stat
from collections.abc import Hashable
from datetime import UTC, datetime

from pavedroad.secrets.errors import (
    AuthenticationError,
    SecretLookupError,
    SecretNotFoundError,
    TransientBackendError,
)
from pavedroad.secrets.providers.base import FetchedSecret, Provider, SecretMetadata, select_key
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.value import SecretValue

#: The environment variable that confines ``file:`` references to a directory.
ROOT_ENV = "PAVEDROAD_SECRETS_FILE_ROOT"
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
        except OSError:
            return None  # a loop, a too-long path ...: the read reports it
        return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    return None


class FileProvider(Provider):
    """Reads secret files. Trailing newlines are stripped: ``kubectl create secret
    --from-file`` and editors add them, no secret needs them.

    Only regular files are read: a FIFO, a device or a socket is refused without opening it
    for a blocking read, and at most :data:`MAX_FILE_BYTES` are read.

    :param root: confine ``file:`` references to this directory: a path that resolves (after
        symlinks) outside it is refused. Defaults to ``PAVEDROAD_SECRETS_FILE_ROOT`` when that
        is set and non-empty; no confinement otherwise.
    """

    schemes = ("file",)

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        if root is None:
            root = os.environ.get(ROOT_ENV) or None
        self._root: str | None = None
        if root is not None:
            text = os.fspath(root)
            if not os.path.isabs(text):
                raise ValueError(
                    f"{ROOT_ENV} / FileProvider(root=...) must be an absolute directory, "
                    "e.g. /var/run/secrets/app"
                )
            self._root = os.path.realpath(text)

    @property
    def root(self) -> str | None:
        """The directory ``file:`` references are confined to, or None."""
        return self._root

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

    def _resolve(self, ref: SecretReference) -> str:
        """The path to open: the reference's own, or (confined) its real path inside the root."""
        if self._root is None:
            return ref.body
        # strict: a missing file or a symlink loop is reported as such, not as "outside".
        real = os.path.realpath(ref.body, strict=True)
        if os.path.commonpath([self._root, real]) != self._root:
            raise AuthenticationError(
                f"file: {ref} resolves outside the allowed root {self._root} "
                f"({ROOT_ENV}); reference a file under it",
                reference=str(ref),
                provider=ref.scheme,
            )
        return real

    def _read(self, ref: SecretReference) -> tuple[bytes, os.stat_result]:
        for _ in range(_RACE_RETRIES):
            try:
                path = self._resolve(ref)
                # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise _os_error(exc, ref) from None
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise _not_regular(st, ref)
                chunks: list[bytes] = []
                size = 0
                while size <= MAX_FILE_BYTES:
                    chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                data = b"".join(chunks)
            except OSError as exc:
                raise _os_error(exc, ref) from None
            finally:
                os.close(fd)
            if len(data) > MAX_FILE_BYTES:
                raise SecretNotFoundError(
                    f"file: {ref} is larger than {MAX_FILE_BYTES} bytes; it is not a secret "
                    "file, fix the path",
                    reference=str(ref),
                    provider=ref.scheme,
                )
            return data, st
        raise _missing(ref)

    def describe(self, ref: SecretReference) -> SecretMetadata:
        try:
            st = os.stat(self._resolve(ref))
        except FileNotFoundError:
            raise _missing(ref) from None
        except OSError as exc:
            raise _os_error(exc, ref) from None
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st, ref)
        return SecretMetadata(
            last_changed=datetime.fromtimestamp(st.st_mtime, tz=UTC),
            version=f"{st.st_ino}-{st.st_mtime_ns}",
        )

    def change_token(self, ref: SecretReference) -> Hashable | None:
        return stat_token(ref.body)


def _missing(ref: SecretReference) -> SecretNotFoundError:
    return SecretNotFoundError(
        f"file: secret {ref} not found: no file at {ref.body}; check the volume mount and "
        "the Secret's key name",
        reference=str(ref),
        provider=ref.scheme,
    )


def _not_regular(st: os.stat_result, ref: SecretReference) -> SecretNotFoundError:
    if stat.S_ISDIR(st.st_mode):
        return SecretNotFoundError(
            f"file: {ref} is a directory; reference a file inside the mount, e.g. "
            f"file:{ref.body.rstrip('/')}/<key>",
            reference=str(ref),
            provider=ref.scheme,
        )
    kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "not a regular file"
    return SecretNotFoundError(
        f"file: {ref} is {kind}; a secret must be a regular file (or a symlink to one)",
        reference=str(ref),
        provider=ref.scheme,
    )


def _os_error(exc: OSError, ref: SecretReference) -> SecretLookupError:
    """A clear, typed error for a failed open/read; names the reference, never content."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return AuthenticationError(
            f"file: permission denied reading {ref}: check the volume's defaultMode "
            "and the pod's runAsUser/fsGroup",
            reference=str(ref),
            provider=ref.scheme,
        )
    if code == errno.EISDIR:
        return SecretNotFoundError(
            f"file: {ref} is a directory; reference a file inside the mount, e.g. "
            f"file:{ref.body.rstrip('/')}/<key>",
            reference=str(ref),
            provider=ref.scheme,
        )
    if code == errno.ELOOP:
        return SecretNotFoundError(
            f"file: {ref} cannot be opened: its symlinks form a loop (or nest too deeply); "
            "fix the link or reference the file itself",
            reference=str(ref),
            provider=ref.scheme,
        )
    if code == errno.ENAMETOOLONG:
        return SecretNotFoundError(
            f"file: {ref} cannot be opened: a name in the path is longer than the file "
            "system allows (255 bytes); fix the path",
            reference=str(ref),
            provider=ref.scheme,
        )
    if code == errno.ENOTDIR:
        return SecretNotFoundError(
            f"file: {ref} cannot be opened: a component of the path is not a directory",
            reference=str(ref),
            provider=ref.scheme,
        )
    if code in (errno.EIO, errno.EAGAIN, errno.ESTALE, errno.EINTR):
        return TransientBackendError(
            f"file: reading {ref} failed ({os.strerror(code)}); will retry",
            reference=str(ref),
            provider=ref.scheme,
        )
    return TransientBackendError(
        f"file: reading {ref} failed ({os.strerror(code) if code else type(exc).__name__})",
        reference=str(ref),
        provider=ref.scheme,
    )
