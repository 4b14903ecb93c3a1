"""CertificateReloader: a live SSLContext picks up a renewed certificate without a restart."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable

import pytest
from pavedroad.secrets import CertificateReloader
from pavedroad.secrets.testing import KubeletVolume, wait_until


class TlsServer:
    """A loopback TLS server that completes handshakes with the given context."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                conn.close()

    def peer_certificate(self) -> bytes:
        client = ssl.create_default_context()
        client.check_hostname = False
        client.verify_mode = ssl.CERT_NONE
        with (
            socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw,
            client.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            der = tls.getpeercert(binary_form=True)
            assert der is not None
            return der

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def pairs(
    make_certificate: Callable[[str], tuple[str, str, bytes]],
) -> list[tuple[str, str, bytes]]:
    return [make_certificate("first.example"), make_certificate("second.example")]


def test_new_handshakes_get_the_renewed_certificate(
    kubelet_volume: KubeletVolume, pairs: list[tuple[str, str, bytes]]
) -> None:
    (cert1, key1, der1), (cert2, key2, der2) = pairs
    kubelet_volume.write({"tls.crt": cert1, "tls.key": key1})
    root = kubelet_volume.root
    reloads: list[int] = []
    reloader = CertificateReloader(
        str(root / "tls.crt"),
        str(root / "tls.key"),
        poll_interval=0.05,
        on_reload=lambda: reloads.append(1),
    )
    server = TlsServer(reloader.context)
    try:
        with reloader:
            assert server.peer_certificate() == der1
            kubelet_volume.write({"tls.crt": cert2, "tls.key": key2})  # cert-manager renewal
            assert wait_until(lambda: reloader.reloads == 1, timeout=5)
            assert server.peer_certificate() == der2
    finally:
        server.close()
    assert reloads == [1]


def test_a_mismatched_pair_is_skipped_and_the_old_one_kept(
    kubelet_volume: KubeletVolume, pairs: list[tuple[str, str, bytes]]
) -> None:
    (cert1, key1, der1), (cert2, _key2, der2) = pairs
    kubelet_volume.write({"tls.crt": cert1, "tls.key": key1})
    root = kubelet_volume.root
    reloader = CertificateReloader(str(root / "tls.crt"), str(root / "tls.key"))
    server = TlsServer(reloader.context)
    try:
        kubelet_volume.write({"tls.crt": cert2, "tls.key": key1})  # half-updated pair
        assert reloader.check() is False
        assert server.peer_certificate() == der1
        kubelet_volume.write({"tls.crt": cert2, "tls.key": pairs[1][1]})
        assert reloader.check() is True
        assert server.peer_certificate() == der2
    finally:
        server.close()


def test_unloadable_files_raise_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="key matches the certificate"):
        CertificateReloader("/nonexistent/tls.crt", "/nonexistent/tls.key")


def test_a_renewed_client_certificate_is_used_by_new_connections_only(
    kubelet_volume: KubeletVolume,
    pairs: list[tuple[str, str, bytes]],
    tmp_path: object,
) -> None:
    """mTLS from the client side (e.g. to PostgreSQL with sslmode=verify-full): after the
    kubelet swaps the files, new connections present the new certificate, and a connection
    opened before the swap finishes its exchange with the old one."""
    import pathlib

    (cert1, key1, der1), (cert2, key2, der2) = pairs
    server_cert, server_key, _ = pairs[0]
    scratch = pathlib.Path(str(tmp_path))
    (scratch / "server.crt").write_text(server_cert)
    (scratch / "server.key").write_text(server_key)
    (scratch / "clients.pem").write_text(cert1 + cert2)  # the server trusts both client certs
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(scratch / "server.crt", scratch / "server.key")
    server_context.load_verify_locations(scratch / "clients.pem")
    server_context.verify_mode = ssl.CERT_REQUIRED

    seen: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one() -> None:
        conn, _ = listener.accept()
        with server_context.wrap_socket(conn, server_side=True) as tls:
            der = tls.getpeercert(binary_form=True)
            assert der is not None
            seen.append(der)
            while data := tls.recv(16):  # echo until the client closes
                tls.sendall(data)

    client_context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    client_context.check_hostname = False
    client_context.verify_mode = ssl.CERT_NONE
    kubelet_volume.write({"tls.crt": cert1, "tls.key": key1})
    root = kubelet_volume.root
    reloader = CertificateReloader(
        str(root / "tls.crt"), str(root / "tls.key"), context=client_context
    )

    def connect() -> ssl.SSLSocket:
        thread = threading.Thread(target=serve_one, daemon=True)
        thread.start()
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        tls = client_context.wrap_socket(raw, server_hostname="localhost")
        tls.sendall(b"ping")
        assert tls.recv(16) == b"ping"
        return tls

    try:
        in_flight = connect()
        kubelet_volume.write({"tls.crt": cert2, "tls.key": key2})  # cert-manager renewal
        assert reloader.check()
        with connect() as renewed:
            renewed.sendall(b"new")
            assert renewed.recv(16) == b"new"
        in_flight.sendall(b"still")  # the old connection finishes with its certificate
        assert in_flight.recv(16) == b"still"
        in_flight.close()
    finally:
        listener.close()
    assert seen == [der1, der2]
