"""plugins/module_utils/_http_probe.py against a real TLS server on the loopback interface: the name sent (SNI and
Host) stays the URL's while the connection goes to ``connect_to``, certificate checks, and every way of not getting an
answer reported instead of raised."""

from __future__ import annotations

import datetime
import http.server
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.cloudops.fargate.plugins.module_utils._http_probe import ProbeInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._http_probe import probe
from ansible_collections.cloudops.fargate.plugins.module_utils._http_probe import split_connect_to
from ansible_collections.cloudops.fargate.plugins.module_utils._http_probe import split_url
from ansible_collections.cloudops.fargate.plugins.module_utils._http_probe import summary

HOST = "app.example.test"


def _certificate(tmp_path, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        status = 503 if self.path.startswith("/down") else 200
        body = f"{self.headers['Host']} {self.path} sni={getattr(self.server, 'last_sni', None)}".encode()
        self.send_response(status)
        self.send_header("Server", "awselb/2.0")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(name="server")
def _server(tmp_path):
    cert, key = _certificate(tmp_path, HOST)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def remember_sni(_socket, server_name, _context):
        httpd.last_sni = server_name

    context.sni_callback = remember_sni
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, cert
    httpd.shutdown()
    httpd.server_close()


def _address(httpd) -> str:
    return f"127.0.0.1:{httpd.server_address[1]}"


def test_the_name_stays_the_urls_while_the_connection_goes_to_connect_to(server):
    httpd, cert = server
    result = probe(f"https://{HOST}/health?full=1", connect_to=_address(httpd), ca_path=cert)
    assert result["status"] == 200 and result["as_expected"] and result["error"] is None
    assert result["body"] == f"{HOST} /health?full=1 sni={HOST}"
    assert result["headers"]["server"] == "awselb/2.0"
    assert result["connected_to"] == _address(httpd)


def test_a_status_outside_expected_is_reported_not_raised(server):
    httpd, cert = server
    result = probe(f"https://{HOST}/down", connect_to=_address(httpd), ca_path=cert)
    assert result["status"] == 503 and not result["as_expected"]
    assert summary(result) == "503 Service Unavailable"
    assert probe(f"https://{HOST}/down", connect_to=_address(httpd), ca_path=cert, expected_status=[503])["as_expected"]


def test_an_untrusted_certificate_is_an_error_unless_checks_are_off(server):
    httpd, _cert = server
    untrusted = probe(f"https://{HOST}/", connect_to=_address(httpd))
    assert untrusted["status"] is None and untrusted["error"].startswith("TLS certificate not trusted")
    assert probe(f"https://{HOST}/", connect_to=_address(httpd), validate_certs=False)["status"] == 200


def test_a_certificate_for_another_name_is_refused(server):
    httpd, cert = server
    result = probe("https://other.example.test/", connect_to=_address(httpd), ca_path=cert)
    assert result["status"] is None and "not trusted" in result["error"]


def test_nothing_listening_is_connection_refused():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = probe(f"https://{HOST}/", connect_to=f"127.0.0.1:{port}")
    assert result["error"] == "connection refused" and not result["as_expected"]
    assert summary(result) == "connection refused"


def test_a_server_that_closes_without_answering():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def close_each():
            listener.accept()[0].close()

        threading.Thread(target=close_each, daemon=True).start()
        result = probe(f"http://{HOST}/", connect_to=f"127.0.0.1:{listener.getsockname()[1]}")
    assert result["status"] is None and result["error"] == "connection closed without an answer"


def test_a_silent_server_times_out():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        result = probe(f"https://{HOST}/", connect_to=f"127.0.0.1:{listener.getsockname()[1]}", timeout=0.5)
    assert result["error"] == "timed out"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/", ("https", "a.example", 443, "/")),
        ("http://a.example", ("http", "a.example", 80, "/")),
        ("https://a.example:8443/x?y=1", ("https", "a.example", 8443, "/x?y=1")),
    ],
)
def test_split_url(url, expected):
    assert split_url(url) == expected


@pytest.mark.parametrize("url", ["ftp://a.example/", "https:///path", "a.example/x", "https://a.example:99999/"])
def test_split_url_refuses(url):
    with pytest.raises(ProbeInputError, match="url"):
        split_url(url)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("127.0.0.1:4566", ("127.0.0.1", 4566)), ("lb.example", ("lb.example", 443)), ("[::1]:8443", ("::1", 8443))],
)
def test_split_connect_to(value, expected):
    assert split_connect_to(value, 443) == expected


@pytest.mark.parametrize("value", ["", "a.example:port", "a.example/x", "user@a.example"])
def test_split_connect_to_refuses(value):
    with pytest.raises(ProbeInputError, match="connect_to"):
        split_connect_to(value, 443)
