"""Helpers shared by the unit tests (``from tests.unit.helpers import ...``; pytest.ini puts the repository root on
sys.path): a module run's result, the four-step sequence, polling, an emulator of a test module's own, and
certificates to import into ACM."""

from __future__ import annotations

import contextlib
import datetime
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.client
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from emulator import server

# --- module results ------------------------------------------------------------------------------------------


def assert_ok(result: dict[str, Any], changed: bool) -> None:
    assert not result["failed"], result
    assert result["changed"] is changed, result


def _unchanged(value: Any) -> Any:
    return value


def four_steps(
    run: Callable[..., dict[str, Any]],
    args: dict[str, Any],
    client: Any,
    read_back: Callable[[Any], Any] | None,
    expected: Any,
    diff_before: Any,
    diff_after: Any,
    *,
    snapshot: Callable[[Any], Any] | None = None,
    key: str | None = None,
    normalise: Callable[[Any], Any] = _unchanged,
) -> Any:
    """check (changed, nothing done), real (changed), check and real again (unchanged).

    ``snapshot(client)`` is what a check-mode or unchanged run must leave as it is (``read_back`` when not given);
    after the real run ``read_back(client)`` must equal ``expected`` (not checked when ``read_back`` is None). ``key``
    picks the resource out of a result (the whole result when None); the real run must return what check mode
    predicted, both passed through ``normalise`` (which drops what only AWS assigns). Returns the resource of the
    last check-mode run.
    """
    snapshot = snapshot or read_back
    assert snapshot is not None, "four_steps needs a snapshot or a read_back"

    def resource(result: dict[str, Any]) -> Any:
        return result if key is None else result[key]

    before = snapshot(client)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(client) == before
    assert result["diff"] == {"before": diff_before, "after": diff_after}
    predicted = resource(result)

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    if read_back is not None:
        assert read_back(client) == expected
    assert result["diff"] == {"before": diff_before, "after": diff_after}
    assert normalise(resource(result)) == normalise(predicted)

    after = snapshot(client)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert_ok(run(args), changed=False)
    assert snapshot(client) == after
    return resource(result)


# --- polling ---------------------------------------------------------------------------------------------------


def wait_until(
    condition: Callable[[], Any], what: str | Callable[[], str], timeout: float = 15.0, interval: float = 0.2
) -> Any:
    """Call ``condition`` every ``interval`` seconds until it returns something true, and return that.

    After ``timeout`` seconds the test fails with "timed out waiting until <what>"; ``what`` may be a callable, called
    then, to show the state that was last seen.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what() if callable(what) else what}")
        time.sleep(interval)


# --- an emulator of its own ----------------------------------------------------------------------------------


@contextlib.contextmanager
def running_emulator(
    state_dir: Path, environment: Mapping[str, str] | None = None, timeout: float = 60.0
) -> Iterator[str]:
    """An emulator server (emulator/server.py) started with ``environment`` added to this process's (the server reads
    its settings, e.g. EMULATOR_ECS_DEPLOYMENT_SECONDS, at start); yields its endpoint URL, stops it afterwards."""
    port = server.free_port()
    with pytest.MonkeyPatch.context() as env:
        for name, value in (environment or {}).items():
            env.setenv(name, value)
        server.start(port, state_dir, timeout=timeout)
    try:
        yield server.endpoint_url(port)
    finally:
        server.stop(port, state_dir)


# --- certificates ----------------------------------------------------------------------------------------------

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
DAY = datetime.timedelta(days=1)

KeyPair = tuple[x509.Certificate, Any]  # a certificate and its private key


def new_key(kind: str = "ec") -> Any:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def make_certificate(
    common_name: str = "app.example.com",
    key: Any = None,
    issuer: KeyPair | None = None,
    valid_from: datetime.timedelta = -DAY,
    valid_until: datetime.timedelta = 30 * DAY,
    ca: bool = False,
    extended_key_usage: Iterable[x509.ObjectIdentifier] | None = None,
) -> KeyPair:
    """A certificate and its key; self-signed unless ``issuer`` is a (certificate, key) pair.

    A CA gets ``BasicConstraints(ca=True)``; any other certificate the DNS names ``common_name`` and
    ``www.<common_name>``. Valid from ``NOW + valid_from`` to ``NOW + valid_until``.
    """
    key = key or new_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + valid_from)
        .not_valid_after(NOW + valid_until)
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        names = [x509.DNSName(common_name), x509.DNSName("www." + common_name)]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if extended_key_usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_key_usage)), critical=False)
    return builder.sign(signing_key, hashes.SHA256()), key


def pem(*certificates: x509.Certificate) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


def key_pem(key: Any, fmt: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def import_certificate(acm: Any, pair: KeyPair, chain: str | bytes = "", **params: Any) -> str:
    """ImportCertificate of a (certificate, key) pair, with ``chain`` (PEM) when given; returns the ARN."""
    certificate, key = pair
    if chain:
        params["CertificateChain"] = chain
    return acm.import_certificate(Certificate=pem(certificate), PrivateKey=key_pem(key), **params)["CertificateArn"]


@dataclass(frozen=True)
class Pki:
    """A Client VPN's certificates in ACM: a server certificate signed by a CA, and the CA as client root."""

    ca: KeyPair
    ca_pem: str
    server_arn: str
    client_root_arn: str


def import_pki(acm: Any) -> Pki:
    """A new CA (of a name of its own: one emulator serves a whole session), a server certificate it signed imported
    with the CA as chain, and the CA imported as client root. ``Pki.ca`` signs more (client) certificates."""
    ca = make_certificate(f"ca-{uuid.uuid4().hex[:6]}.vpn.internal", ca=True)
    server = make_certificate("server.vpn.internal", issuer=ca)
    return Pki(
        ca=ca,
        ca_pem=pem(ca[0]),
        server_arn=import_certificate(acm, server, chain=pem(ca[0])),
        client_root_arn=import_certificate(acm, ca),
    )


def intercept(monkeypatch: pytest.MonkeyPatch, handler: Callable[[str, dict, Callable[[], Any]], Any]) -> None:
    """``handler(operation, params, proceed)`` sees every call of the module's clients; ``proceed()`` makes the call
    (the ``calls`` fixture still records it). A client of the test's own (``_unit_test_client``) is not seen."""
    original = botocore.client.BaseClient._make_api_call

    def intercepted(self, operation, params):
        if getattr(self, "_unit_test_client", False):
            return original(self, operation, params)
        return handler(operation, params, lambda: original(self, operation, params))

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", intercepted)
