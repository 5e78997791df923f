# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP(S) request to a service, optionally through another address than its name resolves to (as curl's
``--connect-to``), answering what came back or why nothing did, never raising for an answer."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

BODY_CHARS = 1000
READ_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


class ProbeInputError(ValueError):
    """An option is malformed; the message names it."""


def split_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path with query)`` of an http(s) URL; raises ProbeInputError naming ``url``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ProbeInputError(f"url must be an http:// or https:// URL with a host name, got {url!r}")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as e:
        raise ProbeInputError(f"url has an invalid port: {url!r}") from e
    path = parts.path or "/"
    return parts.scheme, parts.hostname, port, f"{path}?{parts.query}" if parts.query else path


def split_connect_to(connect_to: str, default_port: int) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or a bare host (the URL's port) as ``(host, port)``; raises ProbeInputError."""
    value = connect_to.strip()
    parts = urlsplit(f"//{value}")
    try:
        port = parts.port or default_port
    except ValueError as e:
        raise ProbeInputError(f"connect_to must be host or host:port, got {connect_to!r}") from e
    if not parts.hostname or parts.path or parts.query or parts.username:
        raise ProbeInputError(f"connect_to must be host or host:port, got {connect_to!r}")
    return parts.hostname, port


def tls_context(validate_certs: bool, ca_path: str | None) -> ssl.SSLContext:
    if not validate_certs:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=ca_path or None)


class _Connection(http.client.HTTPSConnection):
    """Connects to ``address`` while the TLS server name and the Host header stay the URL's host."""

    def __init__(self, host: str, port: int, address: tuple[str, int], timeout: float, context: ssl.SSLContext | None):
        super().__init__(host, port, timeout=timeout, context=context or ssl.create_default_context())
        self._address = address
        self._tls = context is not None

    def connect(self) -> None:
        self.sock = socket.create_connection(self._address, self.timeout)
        if self._tls:
            self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def _error_text(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {error.verify_message or error}"
    if isinstance(error, ssl.SSLError):
        return f"TLS handshake failed: {error.reason or error}"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return f"name not resolved: {error.strerror or error}"
    if isinstance(error, (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine)):
        return "connection closed without an answer"
    return f"{type(error).__name__}: {error}"


def probe(
    url: str,
    connect_to: str | None = None,
    validate_certs: bool = True,
    ca_path: str | None = None,
    timeout: float = 10,
    expected_status: list[int] | None = None,
) -> dict[str, Any]:
    """One GET of ``url``: its status, reason, a few headers and the start of the body, or ``error`` when no answer
    came. ``as_expected`` says whether the status is one of ``expected_status`` (200 by default)."""
    scheme, host, port, target = split_url(url)
    address = split_connect_to(connect_to, port) if connect_to else (host, port)
    expected = expected_status or [200]
    result: dict[str, Any] = dict(url=url, connected_to=f"{address[0]}:{address[1]}", status=None, reason=None,
                                  headers={}, body="", error=None, as_expected=False)
    context = tls_context(validate_certs, ca_path) if scheme == "https" else None
    connection = _Connection(host, port, address, timeout, context)
    started = time.monotonic()
    try:
        connection.request("GET", target, headers={"User-Agent": "cloudops.fargate-http_probe", "Accept": "*/*"})
        response = connection.getresponse()
        body = response.read(READ_BYTES)
    except (OSError, http.client.HTTPException) as e:
        result["error"] = _error_text(e)
    else:
        result.update(
            status=response.status,
            reason=response.reason,
            headers={name.lower(): value for name, value in response.getheaders()
                     if name.lower() in ("server", "location", "content-type", "content-length")},
            body=body.decode("utf-8", "replace")[:BODY_CHARS],
            as_expected=response.status in expected,
        )
    finally:
        connection.close()
    result["elapsed"] = round(time.monotonic() - started, 3)
    return result


def summary(result: dict[str, Any]) -> str:
    """``503 Service Temporarily Unavailable`` or the error, for progress lines and messages."""
    if result.get("status") is None:
        return result.get("error") or "no answer"
    return f"{result['status']} {result.get('reason') or ''}".strip()
