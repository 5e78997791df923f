"""ELBv2: an application load balancer's data plane, so its HTTPS URL answers as an ALB would.

moto 5.2.5 keeps load balancers, listeners, rules and target groups as API state only: nothing answers a load
balancer's ``DNSName``, so a deploy cannot be probed through it. This extension answers for every application load
balancer of the emulator on the emulator's own port (``emulator/server.py`` peeks at each connection: TLS goes here,
plain HTTP comes here when its ``Host`` names a load balancer), as if the client had resolved the name to the load
balancer (curl ``--connect-to``). What AWS does, and what this module does the same way:

* **Which load balancer.** The name a client asks for is the load balancer's ``DNSName`` (DescribeLoadBalancers; also
  with the ``dualstack.`` prefix Route 53 alias targets carry) or a name that DNS resolves to it: a record in a public
  Route 53 hosted zone of moto's backend, an alias A/AAAA record whose ``AliasTarget.DNSName`` is the load balancer's
  (Route 53 developer guide, "Routing traffic to an ELB load balancer": alias target
  ``dualstack.<name>-<id>.<region>.elb.amazonaws.com``) or a CNAME to it; an exact record before a wildcard one
  (Route 53 developer guide, "Supported DNS record types", wildcards). Private zones do not count (the probe resolves
  public DNS). Over TLS the server name (SNI) names the load balancer, as the address it resolved to would; a client
  without SNI is placed by its ``Host`` header.
* **Only an active load balancer answers.** ``State.Code`` is ``provisioning`` until the load balancer "is fully set
  up and ready to route traffic" (ELBv2 API reference, LoadBalancerState; ``elbv2_load_balancer_provisioning.py``
  models the time it takes): until it is ``active`` (or when it is ``failed``), and on a port none of its listeners
  uses, the connection is closed without an answer, as an address with nothing behind it (no TLS alert, no HTTP).
* **Certificate by SNI** (ALB user guide, "SSL certificates for your Application Load Balancer", certificate list):
  "If the hostname doesn't match a certificate in the certificate list, the load balancer selects the default
  certificate. If the hostname matches a single certificate in the certificate list, the load balancer selects this
  certificate. If a hostname provided by a client matches multiple certificates in the certificate list, the load
  balancer selects the best certificate that the client can support", by "public key algorithm (prefer ECDSA over
  RSA)", "hashing algorithm (prefer SHA over MD5)", "key length (prefer the largest)", "validity period"; "the default
  certificate for a listener is not added to the certificate list". The listener is the load balancer's HTTPS
  listener on 443, else its HTTPS listener with the lowest port; a name matches a certificate's DNS names (its SANs,
  else its CN) exactly or by a leftmost ``*`` covering one label ("*.example.com protects corp.example.com ... but it
  cannot protect test.login.example.com"). The certificate, chain and key are what moto's ACM backend holds: an
  imported one's as imported, a requested one's as moto made it at the request (its own RSA key, self-signed, and
  moto's bundled Amazon root as chain). No load balancer for the name, or no SNI: the emulator's own self-signed
  certificate (``FALLBACK_NAME``).
* **Listener and rules** (ALB user guide, "Listener rules": "Rules are evaluated in priority order, from the lowest
  value to the highest value. The default rule is evaluated last."): the listener on the ``Host`` header's port, else
  443 over TLS and 80 in plain HTTP, whose protocol is HTTPS over TLS and HTTP otherwise. A rule applies when all its
  conditions hold, a condition when one of its values matches (ELBv2 API reference, RuleCondition and the
  ``*ConditionConfig`` shapes):
  ``path-pattern`` against the path without the query, "case sensitive", ``*`` "matches 0 or more characters", ``?``
  "exactly 1 character"; ``host-header`` "case insensitive", same wildcards, against the ``Host`` without its port;
  ``http-header`` by name (case-insensitive, no wildcards), its values case-insensitive with wildcards, any occurrence
  of the header; ``http-request-method`` "case sensitive", exact; ``query-string`` key/value pairs "case insensitive"
  with wildcards (``\\*`` and ``\\?`` literal), a pair without ``Key`` matching any value, against the percent-decoded
  query; ``source-ip`` CIDRs against the connection's address ("not satisfied by the addresses in the X-Forwarded-For
  header"). ``TRACE`` is answered 405 (ALB troubleshooting, "HTTP 405: The client used the TRACE method, which is not
  supported by Application Load Balancers").
* **Actions**, in their ``Order``: ``forward`` to ``TargetGroupArn`` or a ``ForwardConfig`` group drawn at random by
  ``Weight`` ("The range is 0 to 999", ELBv2 API reference, TargetGroupTuple; weight 0 is never drawn, all 0 is 503);
  ``fixed-response`` (``StatusCode``, ``ContentType`` with ``; charset=utf-8``, ``MessageBody``); ``redirect``
  (RedirectActionConfig: "Any components that you do not modify retain their original values", keywords
  ``#{protocol}``, ``#{host}``, ``#{port}``, ``#{path}`` "(the leading "/" is removed)", ``#{query}``; ``HTTP_301`` /
  ``HTTP_302``; ``Location`` spells the port, as ALB's do). Any other action (``authenticate-oidc``,
  ``authenticate-cognito``, ``jwt-validation``), and regex condition values, are answered 500 with a body saying the
  emulator does not model them.
* **Targets** (ALB user guide, "Health checks for Application Load Balancer target groups": "Each load balancer node
  routes requests only to the healthy targets ... If a target group contains only unhealthy registered targets, the
  load balancer routes requests to all those targets, regardless of their health status"; troubleshooting, "HTTP 503:
  Service unavailable: The target groups for the load balancer have no registered targets, or all of the registered
  targets are in an unused state"; "HTTP 502: Bad gateway": the target reset or closed the connection): the targets'
  health is what DescribeTargetHealth answers in this emulator (``ELBv2Backend.describe_target_health``, with the
  extensions that wrap it, so both say the same); ``healthy`` targets take the requests round robin (the default
  ``load_balancing.algorithm.type``); with none healthy the group fails open to its other registered targets, which,
  the emulator running no containers, cannot answer: 502; ``draining``, ``unused`` and ``unhealthy.draining`` targets
  are never chosen; nothing to choose: 503. A healthy target answers 200, or on the group's health check path the
  first code of its matcher, with a short plain-text body naming it (``X-Emulator-Target``).
* **Answers the load balancer makes itself** (fixed-response, redirect, 405, 502, 503) carry ``Server: awselb/2.0``
  and, for redirects and errors, ALB's small HTML page (``<title>503 Service Temporarily Unavailable</title>``; repost.aws knowledge
  center "alb-troubleshoot-503-errors": "If the response contains '503 Service Temporarily Unavailable', the error
  comes from the Application Load Balancer"; hayashier.com "clb-alb-nlb-response" shows the page and headers).
* **Unknown name over TLS**: ``421 Misdirected Request`` (RFC 9110 15.5.20: "the request was directed at a server
  that is unable or unwilling to produce an authoritative response for the target URI") with a body saying no load
  balancer of the emulator has that name; AWS would never have routed the connection here, so the emulator says why
  instead of inventing a load balancer's answer.

These requests are no AWS API calls: ``server.py`` answers them before ``RequestCounter``, so they are not counted
(``/_emulator/requests``), held for the API round trip or throttled.

Not modelled: security groups, network ACLs and the ``internal`` scheme (every load balancer answers the emulator's
loopback address), HTTP/2 and gRPC, mutual TLS, the listener's security policy (Python's TLS defaults), IAM server
certificates (the fallback certificate is served), stickiness, slow start and the other load balancing algorithms,
rule transforms, header modification, WAF, access logs, ``X-Forwarded-*`` (no target reads them), Lambda targets
(answered like any other target), AWS's own 400 for plain HTTP sent to an HTTPS listener's port (closed instead), and
DNS names shared by several load balancers (moto repeats a name across accounts, and makes a second load balancer of a
name where AWS returns the first): an active one with listeners answers.
"""

from __future__ import annotations

import datetime
import email.utils
import functools
import hashlib
import http
import ipaddress
import random
import re
import socket
import ssl
import tempfile
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from moto.acm.models import acm_backends
from moto.elbv2.models import ELBv2Backend, FakeListener, FakeLoadBalancer, FakeTargetGroup, elbv2_backends
from moto.route53.models import route53_backends

from emulator import server
from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

ACTIVE = "active"  # LoadBalancerState.Code; elbv2_load_balancer_provisioning.py makes it wait
SERVER = "awselb/2.0"
FALLBACK_NAME = "no-load-balancer.emulator.invalid"
DUALSTACK = "dualstack."
NEVER_ROUTED = frozenset({"draining", "unused", "unhealthy.draining"})
REASONS = {503: "Service Temporarily Unavailable"}  # ALB's own phrase; the others are HTTP's
NO_BODY = frozenset({204, 304})

Balancer = tuple[ELBv2Backend, FakeLoadBalancer]


class NotModelled(Exception):
    """Something an ALB would act on and the emulator cannot; answered 500 naming it."""


# --------------------------------------------------------------------------- which load balancer a name means


def normal(name: str) -> str:
    return name.strip().rstrip(".").lower()


def split_host(host: str) -> tuple[str, int | None]:
    """A ``Host`` header's name (lower case) and port (None when it names none)."""
    try:
        parts = urlsplit(f"//{host.strip()}")
        return normal(parts.hostname or ""), parts.port
    except ValueError:
        return normal(host), None


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _application_balancers() -> Iterator[Balancer]:
    for _account, regions in list(elbv2_backends.items()):
        for _region, backend in list(regions.items()):
            for balancer in list(backend.load_balancers.values()):
                if balancer.type == "application":
                    yield backend, balancer


def _by_dns_name(name: str) -> Balancer | None:
    """The load balancer of that DNS name; of several (moto makes a second one of a name where AWS answers with the
    first, and accounts share moto's DNS names), an active one with listeners first."""
    name = name[len(DUALSTACK) :] if name.startswith(DUALSTACK) else name
    found = [
        (backend, balancer) for backend, balancer in _application_balancers() if normal(balancer.dns_name or "") == name
    ]
    return min(found, key=lambda pair: (pair[1].state != ACTIVE, not pair[1].listeners), default=None)


def _record_target(record: Any) -> str | None:
    """The DNS name an alias A/AAAA record points at, or a CNAME's value."""
    if record.type in ("A", "AAAA") and isinstance(record.alias_target, dict):
        return normal(str(record.alias_target.get("DNSName", "")))
    if record.type == "CNAME" and record.records:
        value = record.records[0]
        return normal(str(value.get("Value", "") if isinstance(value, dict) else value))
    return None


def resolved_names(name: str) -> list[str]:
    """What the public Route 53 records of ``name`` point at: exact records first, then the most specific wildcard's."""
    exact: list[str] = []
    wildcard: list[tuple[int, str]] = []
    for _account, partitions in list(route53_backends.items()):
        for _partition, backend in list(partitions.items()):
            for zone in list(backend.zones.values()):
                zone_name = normal(zone.name)
                if zone.private_zone or not (name == zone_name or name.endswith("." + zone_name)):
                    continue
                for record in list(zone.rrsets):
                    target = _record_target(record)
                    record_name = normal(record.name).replace("\\052", "*")
                    if not target:
                        continue
                    if record_name == name:
                        exact.append(target)
                    elif record_name.startswith("*.") and name.endswith(record_name[1:]):
                        wildcard.append((len(record_name), target))
    return exact or [target for _length, target in sorted(wildcard, key=lambda pair: -pair[0])]


def find(name: str) -> Balancer | None:
    """The application load balancer ``name`` (a host name, no port) reaches, if any."""
    name = normal(name)
    if not name or name in server.LOOPBACK_NAMES or _is_address(name):
        return None
    found = _by_dns_name(name)
    if found is not None:
        return found
    for target in resolved_names(name):
        found = _by_dns_name(target)
        if found is not None:
            return found
    return None


def _port(listener: FakeListener) -> int:
    return int(listener.port)


def listener_for(balancer: FakeLoadBalancer, port: int, protocol: str) -> FakeListener | None:
    for listener in list(balancer.listeners.values()):
        if _port(listener) == port and listener.protocol == protocol:
            return listener
    return None


def https_listener(balancer: FakeLoadBalancer) -> FakeListener | None:
    """The HTTPS listener a TLS connection meets: 443's, else the one with the lowest port."""
    listeners = [listener for listener in list(balancer.listeners.values()) if listener.protocol == "HTTPS"]
    return min(listeners, key=lambda listener: (_port(listener) != 443, _port(listener)), default=None)


# --------------------------------------------------------------------------- certificates


def _bundle(arn: str) -> Any:
    """moto's ACM CertBundle of ``arn`` (None for an IAM server certificate or one ACM no longer has)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        return None
    return acm_backends[parts[4]][parts[3]]._certificates.get(arn)  # pylint: disable=protected-access


def _as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value or "").encode()


def certificate_names(certificate: x509.Certificate) -> list[str]:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = [normal(name) for name in names.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        dns_names = []
    if dns_names:
        return dns_names
    return [
        normal(str(attribute.value)) for attribute in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    ]


def name_matches(pattern: str, name: str) -> bool:
    """A certificate name against a host name: exact, or a leftmost ``*`` standing for exactly one label."""
    pattern, name = normal(pattern), normal(name)
    if pattern.startswith("*."):
        label, _dot, rest = name.partition(".")
        return bool(label) and rest == pattern[2:]
    return pattern == name


def _preference(certificate: x509.Certificate) -> tuple[bool, bool, int, datetime.datetime]:
    """The certificate list's order of preference: ECDSA, not MD5, longest key, validity (the later end)."""
    key = certificate.public_key()
    algorithm = certificate.signature_hash_algorithm
    size = key.key_size if isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)) else 0
    return (
        isinstance(key, ec.EllipticCurvePublicKey),
        not isinstance(algorithm, hashes.MD5),
        size,
        certificate.not_valid_after_utc,
    )


def choose_certificate(listener: FakeListener, server_name: str | None) -> str | None:
    """The ARN of the certificate the listener presents to ``server_name``."""
    certificates = list(listener.certificates or [])
    default = listener.certificate or (certificates[0] if certificates else None)
    if not server_name:
        return default
    matching: list[tuple[tuple[bool, bool, int, datetime.datetime], int, str]] = []
    for index, arn in enumerate(certificates):
        bundle = _bundle(arn) if arn != default else None
        if bundle is None:
            continue
        try:
            certificate = x509.load_pem_x509_certificate(_as_bytes(bundle.cert))
        except ValueError:
            continue
        if any(name_matches(pattern, server_name) for pattern in certificate_names(certificate)):
            matching.append((_preference(certificate), -index, arn))
    return max(matching)[2] if matching else default


def _context(chain_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_alpn_protocols(["http/1.1"])
    with tempfile.TemporaryDirectory(prefix="emulator-alb-") as directory:  # load_cert_chain reads files only
        chain_file, key_file = Path(directory, "chain.pem"), Path(directory, "key.pem")
        chain_file.write_bytes(chain_pem)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(chain_file, key_file)
    return context


class _Contexts:
    """One TLS context per ACM certificate, rebuilt when a re-import changes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_arn: dict[str, tuple[str, ssl.SSLContext]] = {}

    def get(self, arn: str | None) -> ssl.SSLContext | None:
        bundle = _bundle(arn) if arn else None
        if bundle is None:
            return None
        certificate, key, chain = _as_bytes(bundle.cert), _as_bytes(bundle.key), _as_bytes(bundle.chain)
        digest = hashlib.sha256(b"\0".join((certificate, key, chain))).hexdigest()
        with self._lock:
            cached = self._by_arn.get(str(arn))
        if cached is not None and cached[0] == digest:
            return cached[1]
        try:
            context = _context(certificate.rstrip() + b"\n" + chain.strip() + b"\n", key)
        except ssl.SSLError:
            try:  # a chain ssl cannot read: the certificate alone
                context = _context(certificate, key)
            except ssl.SSLError:
                traceback.print_exc()
                return None
        with self._lock:
            self._by_arn[str(arn)] = (digest, context)
        return context


_CONTEXTS = _Contexts()


@functools.cache
def fallback_pem() -> tuple[bytes, bytes]:
    """The emulator's own self-signed certificate and key (PEM), made once per process."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, FALLBACK_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(FALLBACK_NAME)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def _refuse(connection: ssl.SSLSocket) -> int:
    """Close the TCP connection under the handshake: the client reads EOF, not a TLS alert."""
    try:
        socket.socket.shutdown(connection, socket.SHUT_RDWR)
    except OSError:
        pass
    return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE


def select_certificate(connection: ssl.SSLSocket, server_name: str | None, _context: ssl.SSLContext) -> int | None:
    """``sni_callback``: remember the name, present the listener's certificate, or refuse an inactive load balancer."""
    setattr(connection, server.SNI_ATTRIBUTE, server_name)
    if not server_name:
        return None
    try:
        found = find(server_name)
        if found is None:
            return None
        _backend, balancer = found
        listener = https_listener(balancer)
        if balancer.state != ACTIVE or listener is None:
            return _refuse(connection)
        context = _CONTEXTS.get(choose_certificate(listener, server_name))
        if context is not None:
            connection.context = context
    except Exception:  # pylint: disable=broad-except  # an emulator bug must not pass for a TLS problem silently
        traceback.print_exc()
        return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR
    return None


@functools.cache
def server_context() -> ssl.SSLContext:
    certificate, key = fallback_pem()
    context = _context(certificate, key)
    context.sni_callback = select_certificate
    return context


# --------------------------------------------------------------------------- requests and answers


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    client_ip: str
    tls: bool
    sni: str | None

    @property
    def host(self) -> str:
        return self.header("Host") or ""

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def protocol(self) -> str:
        return "HTTPS" if self.tls else "HTTP"


def _date() -> str:
    return email.utils.formatdate(usegmt=True)


def _reason(status: int) -> str:
    if status in REASONS:
        return REASONS[status]
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _answer(status: int, headers: list[tuple[str, str]], body: bytes) -> server.DataPlaneAnswer:
    if status in NO_BODY:
        body = b""
    return server.DataPlaneAnswer(status, _reason(status), [*headers, ("Content-Length", str(len(body)))], body)


def balancer_answer(status: int, content_type: str, body: bytes, *more: tuple[str, str]) -> server.DataPlaneAnswer:
    """An answer the load balancer makes itself."""
    headers = [("Server", SERVER), ("Date", _date()), ("Content-Type", content_type), *more]
    return _answer(status, headers, body)


def balancer_error(status: int, why: str = "", more: tuple[tuple[str, str], ...] = ()) -> server.DataPlaneAnswer:
    """ALB's own small HTML page for ``status`` (and ``X-Emulator-Reason`` saying why, when the emulator knows)."""
    reason = _reason(status)
    page = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    if why:
        more = (*more, ("X-Emulator-Reason", why))
    return balancer_answer(status, "text/html", page.encode(), *more)


def emulator_answer(status: int, text: str) -> server.DataPlaneAnswer:
    """An answer of the emulator's (no load balancer would give it): plain text saying why."""
    return _answer(status, [("Date", _date()), ("Content-Type", "text/plain; charset=utf-8")], (text + "\n").encode())


def misdirected(name: str) -> server.DataPlaneAnswer:
    return emulator_answer(
        421,
        f"421 Misdirected Request: no load balancer in the emulator is named {name!r}. The TLS server name (SNI), or"
        " the Host header of a client without SNI, must be an application load balancer's DNSName (as"
        " DescribeLoadBalancers returns it) or a name whose public Route 53 alias A/AAAA record (or CNAME) points at"
        " one.",
    )


def not_modelled(what: str) -> server.DataPlaneAnswer:
    return emulator_answer(
        500,
        f"500 Internal Server Error: the emulator does not model {what} (emulator/extensions/elbv2_data_plane.py);"
        " an application load balancer would act on it.",
    )


# --------------------------------------------------------------------------- rules


def wildcard(pattern: str, case_sensitive: bool, escapes: bool = False) -> re.Pattern[str]:
    """``*`` (0 or more characters) and ``?`` (exactly one); with ``escapes``, ``\\*`` and ``\\?`` are literal."""
    parts, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if escapes and char == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL | (0 if case_sensitive else re.IGNORECASE))


def _matches(patterns: list[str], value: str, case_sensitive: bool, escapes: bool = False) -> bool:
    return any(wildcard(pattern, case_sensitive, escapes).fullmatch(value) for pattern in patterns)


def _values(condition: dict[str, Any], config: str) -> list[str]:
    settings = condition.get(config) or {}
    if settings.get("RegexValues"):
        raise NotModelled(f"regular expressions in a {condition.get('Field')} condition")
    return list(settings.get("Values") or condition.get("Values") or [])


def _query_pairs(query: str) -> list[tuple[str | None, str]]:
    pairs: list[tuple[str | None, str]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, equals, value = item.partition("=")
        pairs.append((unquote(key), unquote(value)) if equals else (None, unquote(item)))
    return pairs


def _source_in(client_ip: str, cidrs: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(client_ip)
        return any(address in ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)
    except ValueError:
        return False


def condition_holds(condition: dict[str, Any], request: Request) -> bool:
    field = condition.get("Field")
    if field == "path-pattern":
        return _matches(_values(condition, "PathPatternConfig"), request.path, case_sensitive=True)
    if field == "host-header":
        return _matches(_values(condition, "HostHeaderConfig"), split_host(request.host)[0], case_sensitive=False)
    if field == "http-request-method":
        return request.method in _values(condition, "HttpRequestMethodConfig")
    if field == "http-header":
        config = condition.get("HttpHeaderConfig") or {}
        patterns = _values(condition, "HttpHeaderConfig")
        return any(
            _matches(patterns, value, case_sensitive=False)
            for value in request.header_values(str(config.get("HttpHeaderName", "")))
        )
    if field == "query-string":
        wanted = (condition.get("QueryStringConfig") or {}).get("Values") or []
        pairs = _query_pairs(request.query)
        return any(
            (pair.get("Key") is None or (key is not None and _matches([pair["Key"]], key, False, escapes=True)))
            and _matches([str(pair.get("Value", ""))], value, False, escapes=True)
            for pair in wanted
            for key, value in pairs
        )
    if field == "source-ip":
        return _source_in(request.client_ip, _values(condition, "SourceIpConfig"))
    raise NotModelled(f"the {field} condition")


def _rules(backend: ELBv2Backend, listener: FakeListener) -> list[Any]:
    """The listener's rules by priority, the default last (DescribeRules' backend call)."""
    rules = backend.describe_rules(listener.arn, None)
    return sorted(rules, key=lambda rule: (rule.is_default, 0 if rule.is_default else int(rule.priority)))


# --------------------------------------------------------------------------- actions


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace(f"#{{{name}}}", value)
    return template


def redirect(config: dict[str, Any], request: Request, port: int) -> server.DataPlaneAnswer:
    host = split_host(request.host)[0] or normal(request.sni or "")
    values = {
        "protocol": request.protocol,
        "host": host,
        "port": str(port),
        "path": request.path[1:],
        "query": request.query,
    }
    protocol = _fill(str(config.get("Protocol") or "#{protocol}"), values).lower()
    location = (
        f"{protocol}://{_fill(str(config.get('Host') or '#{host}'), values)}"
        f":{_fill(str(config.get('Port') or '#{port}'), values)}"
        f"{_fill(str(config.get('Path') or '/#{path}'), values)}"
    )
    query = _fill(str(config["Query"]) if "Query" in config else "#{query}", values)
    if query:
        location += f"?{query}"
    return balancer_error(301 if config.get("StatusCode") == "HTTP_301" else 302, more=(("Location", location),))


def fixed_response(config: dict[str, Any]) -> server.DataPlaneAnswer:
    content_type = str(config.get("ContentType") or "text/plain")
    body = str(config.get("MessageBody") or "").encode()
    return balancer_answer(int(config.get("StatusCode") or 200), f"{content_type}; charset=utf-8", body)


class _RoundRobin:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, int] = {}

    def pick(self, group_arn: str, targets: list[Any]) -> Any:
        with self._lock:
            turn = self._next.get(group_arn, 0)
            self._next[group_arn] = turn + 1
        return targets[turn % len(targets)]


_ROUND_ROBIN = _RoundRobin()


def _first_code(group: FakeTargetGroup) -> int:
    code = str((getattr(group, "matcher", None) or {}).get("HttpCode") or "200")
    match = re.match(r"\s*(\d+)", code)
    return int(match.group(1)) if match else 200


def target_answer(group: FakeTargetGroup, target: Any, request: Request) -> server.DataPlaneAnswer:
    """What a healthy target says (the emulator's stand-in for the service)."""
    status = _first_code(group) if group.health_check_path and request.path == group.health_check_path else 200
    name = f"{target.instance_id}:{target.port}"
    body = f"{status} from target {name} of target group {group.name} (the emulator's stand-in for the service)\n"
    headers = [("Date", _date()), ("Content-Type", "text/plain; charset=utf-8"), ("X-Emulator-Target", name)]
    return _answer(status, headers, body.encode())


def from_target_group(backend: ELBv2Backend, group: FakeTargetGroup | None, request: Request) -> server.DataPlaneAnswer:
    if group is None:
        return balancer_error(503, "the forward action's target group does not exist")
    health = backend.describe_target_health(group.arn, [])  # what DescribeTargetHealth answers clients
    routable = [status for status in health if status.status not in NEVER_ROUTED]
    healthy = [
        status
        for status in routable
        if status.status == "healthy" or (status.status == "unavailable" and not group.health_check_enabled)
    ]
    if healthy:
        return target_answer(group, _ROUND_ROBIN.pick(group.arn, healthy), request)
    if routable:
        target = _ROUND_ROBIN.pick(group.arn, routable)
        return balancer_error(
            502,
            f"no healthy target in {group.name}: failed open to {target.instance_id}:{target.port}"
            f" ({target.status}), which does not answer (the emulator runs no containers)",
        )
    return balancer_error(503, f"target group {group.name} has no registered target that is not draining or unused")


def forward(backend: ELBv2Backend, action: dict[str, Any], request: Request) -> server.DataPlaneAnswer:
    groups = [
        (str(group.get("TargetGroupArn")), int(group.get("Weight", 1)))
        for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    ] or [(str(action.get("TargetGroupArn")), 1)]
    drawable = [(arn, weight) for arn, weight in groups if weight > 0]
    if not drawable:
        return balancer_error(503, "every target group of the forward action has weight 0")
    arn = random.choices([arn for arn, _weight in drawable], weights=[weight for _arn, weight in drawable])[0]
    return from_target_group(backend, backend.target_groups.get(arn), request)


def perform(backend: ELBv2Backend, actions: list[Any], request: Request, port: int) -> server.DataPlaneAnswer:
    for action in sorted(actions, key=lambda action: int(action.data.get("Order") or 0)):
        data, kind = action.data, action.data.get("Type")
        if kind == "forward":
            return forward(backend, data, request)
        if kind == "redirect":
            return redirect(data.get("RedirectConfig") or {}, request, port)
        if kind == "fixed-response":
            return fixed_response(data.get("FixedResponseConfig") or {})
        return not_modelled(f"the {kind} action")
    return not_modelled("a rule without actions")


# --------------------------------------------------------------------------- the data plane


def route(request: Request) -> server.DataPlaneAnswer | None:
    host_name, host_port = split_host(request.host)
    name = normal(request.sni or "") if request.tls and request.sni else host_name
    found = find(name)
    if found is None:
        return misdirected(name)
    backend, balancer = found
    port = host_port or (443 if request.tls else 80)
    listener = listener_for(balancer, port, request.protocol)
    if balancer.state != ACTIVE or listener is None:
        return None  # nothing answers: not ready, or no listener of this protocol on this port
    if request.method == "TRACE":
        return balancer_error(405)
    try:
        for rule in _rules(backend, listener):
            if all(condition_holds(condition, request) for condition in rule.conditions or []):
                return perform(backend, rule.actions, request, port)
    except NotModelled as gap:
        return not_modelled(str(gap))
    return not_modelled("a listener without a default rule")


class DataPlane:
    """``server.DATA_PLANE``: what ``emulator/server.py`` hands the load balancers' connections and requests to."""

    def server_context(self) -> ssl.SSLContext:
        return server_context()

    def serves(self, host: str) -> bool:
        return find(split_host(host)[0]) is not None

    def answer(
        self, method: str, target: str, headers: list[tuple[str, str]], client_ip: str, tls: bool, sni: str | None
    ) -> server.DataPlaneAnswer | None:
        if target.startswith(("http://", "https://")):  # absolute form: its path and query
            parts = urlsplit(target)
            target = f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"
        path, _mark, query = target.partition("#")[0].partition("?")
        request = Request(method, path or "/", query, tuple(headers), client_ip, tls, sni)
        try:
            return route(request)
        except Exception:  # pylint: disable=broad-except  # an emulator bug answers 500 and leaves a trace in the log
            traceback.print_exc()
            return emulator_answer(500, "500 Internal Server Error: the emulator's data plane failed; see its log.")


PATCHES = (Patch(server, "DATA_PLANE", added(DataPlane())),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
