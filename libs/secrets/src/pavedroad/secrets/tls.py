"""Reloading a TLS certificate and key into a live ``ssl.SSLContext``.

cert-manager (and the CSI driver, and a mesh's file-mounted certificates) renew certificates by
rewriting the mounted ``tls.crt`` and ``tls.key``. :class:`CertificateReloader` watches both
files and loads the new pair into the *same* context, so every handshake after the reload
presents the new certificate; connections already open keep theirs. No restart is needed.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable
from types import TracebackType

from pavedroad.secrets.providers.file import stat_token

logger = logging.getLogger("pavedroad.secrets")


class CertificateReloader:
    """Keeps ``context`` loaded with the current certificate chain and key from disk.

    :param cert_file: PEM certificate chain (e.g. the mounted ``tls.crt``).
    :param key_file: PEM private key (``tls.key``).
    :param context: the context to keep loaded; a new server-side context when omitted.
    :param ca_file: PEM CA bundle for verifying peers (mTLS); reloaded CAs are added to the
        trust store, so the old CA stays trusted until the process restarts (a CA overlap).
    :param poll_interval: seconds between checks in the background thread (:meth:`start`).
    :param on_reload: called after each successful reload, e.g. to count it in a metric.
    """

    def __init__(
        self,
        cert_file: str,
        key_file: str,
        *,
        context: ssl.SSLContext | None = None,
        ca_file: str | None = None,
        poll_interval: float = 10.0,
        on_reload: Callable[[], None] | None = None,
    ) -> None:
        if poll_interval <= 0:
            raise ValueError(f"poll_interval must be > 0 seconds, got {poll_interval!r}")
        self.cert_file = cert_file
        self.key_file = key_file
        self.ca_file = ca_file
        self.context = context or ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._poll_interval = poll_interval
        self._on_reload = on_reload
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._token: object = None
        self.reloads = 0
        self._load()

    def _current_token(self) -> object:
        paths = (self.cert_file, self.key_file, self.ca_file)
        return tuple(stat_token(path) if path else None for path in paths)

    def _load(self) -> None:
        token = self._current_token()
        # Validate into a scratch context first: a half-written pair (new certificate, old
        # key) must not replace a working one.
        scratch = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            scratch.load_cert_chain(self.cert_file, self.key_file)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(
                f"cannot load certificate {self.cert_file} with key {self.key_file}: {exc}; "
                "check that both files are PEM and that the key matches the certificate"
            ) from exc
        self.context.load_cert_chain(self.cert_file, self.key_file)
        if self.ca_file:
            self.context.load_verify_locations(cafile=self.ca_file)
        self._token = token

    def check(self) -> bool:
        """Reload if either file changed; True when a new pair was loaded.

        An unreadable or mismatched pair is logged and skipped; the previous certificate stays
        in use and the next check tries again.
        """
        with self._lock:
            if self._current_token() == self._token:
                return False
            try:
                self._load()
            except ValueError as exc:
                logger.warning("certificate reload skipped: %s", exc)
                return False
            self.reloads += 1
        logger.info("certificate reloaded", extra={"cert_file": self.cert_file})
        if self._on_reload is not None:
            self._on_reload()
        return True

    def start(self) -> CertificateReloader:
        """Check for new files every ``poll_interval`` seconds in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="pavedroad-cert-reloader", daemon=True
            )
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._poll_interval):
            self.check()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> CertificateReloader:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
