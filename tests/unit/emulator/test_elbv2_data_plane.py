"""An application load balancer's data plane on the emulator's port (emulator/extensions/elbv2_data_plane.py, with the
TLS peek in emulator/server.py): real HTTPS requests, SNI and Host set to the load balancer's name, sent to 127.0.0.1
as curl --connect-to would.

The module runs an emulator of its own: DescribeTargetHealth in the emulator says ``healthy`` for every registered IP
target, and the data plane must follow whatever it says, so this emulator is started with a ``sitecustomize`` that makes
it say ``unhealthy``, ``unused`` or ``draining`` for a few test addresses (``TARGET_HEALTH_SITECUSTOMIZE``); everything
else is the emulator as served."""

from __future__ import annotations

import functools
import http.client
import json
import socket
import ssl
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from emulator import server
from emulator.extensions import elbv2_data_plane as extension
from tests.unit.emulator.conftest import set_realism
from tests.unit.helpers import KeyPair, import_certificate, make_certificate, new_key, running_emulator

REGION = "us-east-1"
SAME = object()  # the SNI is the name asked for
HEALTH_PATH = "/healthz"


# What DescribeTargetHealth says of the test addresses in this module's emulator (a sitecustomize, loaded at its start).
TARGET_HEALTH_SITECUSTOMIZE = """
from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

STATES = {
    "10.66.": ("unhealthy", "Target.ResponseCodeMismatch"),
    "10.65.": ("unused", "Target.InvalidState"),
    "10.64.": ("draining", "Target.DeregistrationInProgress"),
}
_health_for = FakeTargetGroup.health_for


def health_for(self, target, ec2_backend):
    status = _health_for(self, target, ec2_backend)
    for prefix, (state, reason) in STATES.items():
        if status.status == "healthy" and str(target["Id"]).startswith(prefix):
            return FakeHealthStatus(status.instance_id, status.port, status.health_check_port, state, reason)
    return status


FakeTargetGroup.health_for = health_for
"""


class Answer(NamedTuple):
    status: int
    reason: str
    headers: dict[str, str]  # names in lower case
    body: str
    certificate: bytes | None  # the peer certificate (DER) over TLS


def port_of(endpoint: str) -> int:
    port = urlsplit(endpoint).port
    assert port is not None
    return port


@functools.cache
def client_context() -> ssl.SSLContext:
    """A client that takes any certificate (the tests check the certificate themselves) and loads no CA store."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect(port: int, name: str, tls: bool = True, sni: Any = SAME) -> http.client.HTTPConnection:
    """A connection to the emulator's port whose TLS server name is ``name`` (or ``sni``; None: no SNI)."""
    sock: socket.socket = socket.create_connection(("127.0.0.1", port), timeout=10)
    if tls:
        sock = client_context().wrap_socket(sock, server_hostname=name if sni is SAME else sni)
    connection = http.client.HTTPConnection(name, timeout=10)
    connection.sock = sock
    return connection


def ask(
    connection: http.client.HTTPConnection,
    host: str,
    path: str = "/",
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Answer:
    connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    sock = connection.sock
    certificate = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
    headers_read = {name.lower(): value for name, value in response.getheaders()}
    return Answer(response.status, response.reason, headers_read, data.decode(), certificate)


def fetch(port: int, host: str, path: str = "/", tls: bool = True, sni: Any = SAME, **more: Any) -> Answer:
    name = host.rsplit(":", 1)[0]
    connection = connect(port, name, tls, sni)
    try:
        return ask(connection, host, path, **more)
    finally:
        connection.close()


def closed_without_answer(port: int, host: str, tls: bool = True) -> bool:
    """Whether the emulator closes the connection without a byte of TLS or HTTP (no alert, no status line)."""
    try:
        fetch(port, host, tls=tls)
    except (ssl.SSLEOFError, ConnectionResetError):  # http.client.RemoteDisconnected is a ConnectionResetError
        return True
    return False


def der(pair: KeyPair) -> bytes:
    return pair[0].public_bytes(serialization.Encoding.DER)


def request_counts(endpoint: str) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(endpoint + server.REQUESTS_PATH, timeout=10) as response:
        return json.loads(response.read())


# --------------------------------------------------------------------------- the load balancer under test


class Stack(NamedTuple):
    port: int
    dns: str
    zone: str
    balancer_arn: str
    https_arn: str
    vpc: str
    subnets: list[str]
    default_certificate: KeyPair
    zone_certificate: KeyPair  # *.<zone>, in the certificate list
    multi_rsa: KeyPair  # *.multi.<zone>, RSA
    multi_ec: KeyPair  # *.multi.<zone>, ECDSA: preferred


def _default_vpc(ec2: Any) -> tuple[str, list[str]]:
    """The default VPC and two of its subnets in different zones (creating a VPC would cost a second on first use)."""
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    by_zone = {subnet["AvailabilityZone"]: subnet for subnet in subnets}
    chosen = [by_zone[zone] for zone in sorted(by_zone)[:2]]
    return chosen[0]["VpcId"], [subnet["SubnetId"] for subnet in chosen]


def _target_group(elbv2: Any, vpc: str, name: str, *targets: str, **more: Any) -> str:
    arn = elbv2.create_target_group(
        Name=f"{name}-{uuid.uuid4().hex[:6]}", Protocol="HTTP", Port=8080, VpcId=vpc, **{"TargetType": "ip", **more}
    )["TargetGroups"][0]["TargetGroupArn"]
    if targets:
        elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": target, "Port": 8080} for target in targets])
    return arn


def _fixed(status: int, body: str, content_type: str = "text/plain") -> list[dict[str, Any]]:
    config = {"StatusCode": str(status), "ContentType": content_type, "MessageBody": body}
    return [{"Type": "fixed-response", "FixedResponseConfig": config}]


def _path(*patterns: str) -> dict[str, Any]:
    return {"Field": "path-pattern", "PathPatternConfig": {"Values": list(patterns)}}


@pytest.fixture(scope="module")
def own_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's emulator (see the module docstring)."""
    hooks = tmp_path_factory.mktemp("data-plane-hooks")
    (hooks / "sitecustomize.py").write_text(TARGET_HEALTH_SITECUSTOMIZE)
    state = tmp_path_factory.mktemp("data-plane-emulator")
    with running_emulator(state, environment={"PYTHONPATH": str(hooks)}, timeout=60) as url:
        yield url


@pytest.fixture(scope="module")
def clients(own_emulator: str) -> dict[str, Any]:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return {name: session.client(name, endpoint_url=own_emulator) for name in ("ec2", "elbv2", "acm", "route53")}


@pytest.fixture(scope="module")
def stack(own_emulator: str, clients: dict[str, Any]) -> Stack:
    ec2, elbv2, acm, route53 = (clients[name] for name in ("ec2", "elbv2", "acm", "route53"))
    vpc, subnets = _default_vpc(ec2)
    zone = f"dp-{uuid.uuid4().hex[:8]}.test"
    created = elbv2.create_load_balancer(Name=f"dp-{uuid.uuid4().hex[:8]}", Subnets=subnets)["LoadBalancers"][0]
    balancer_arn, dns = created["LoadBalancerArn"], created["DNSName"]
    elbv2.describe_load_balancers(LoadBalancerArns=[balancer_arn])  # plain mode: active from the first describe

    default_certificate = make_certificate(f"app.{zone}")
    zone_certificate = make_certificate(f"*.{zone}")
    multi_rsa, multi_ec = make_certificate(f"*.multi.{zone}", key=new_key("rsa")), make_certificate(f"*.multi.{zone}")

    main = _target_group(elbv2, vpc, "main", "10.93.0.10", HealthCheckPath=HEALTH_PATH, Matcher={"HttpCode": "202,200"})
    https = elbv2.create_listener(
        LoadBalancerArn=balancer_arn,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": import_certificate(acm, default_certificate)}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": main}],
    )["Listeners"][0]["ListenerArn"]
    elbv2.add_listener_certificates(
        ListenerArn=https,
        Certificates=[
            {"CertificateArn": import_certificate(acm, pair)} for pair in (zone_certificate, multi_rsa, multi_ec)
        ],
    )
    elbv2.create_listener(
        LoadBalancerArn=balancer_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
        ],
    )

    def rule(priority: int, conditions: list[dict[str, Any]], actions: list[dict[str, Any]]) -> None:
        elbv2.create_rule(ListenerArn=https, Priority=priority, Conditions=conditions, Actions=actions)

    # created out of priority order: priority decides, not creation
    rule(10, [_path("/api/*")], _fixed(200, "ten"))
    rule(5, [_path("/api/spec?al")], _fixed(200, "five"))
    rule(20, [_path("/empty*")], [{"Type": "forward", "TargetGroupArn": _target_group(elbv2, vpc, "empty")}])
    forward_config = {
        "TargetGroups": [
            {"TargetGroupArn": main, "Weight": 1},
            {"TargetGroupArn": _target_group(elbv2, vpc, "zero", "10.93.0.20"), "Weight": 0},
        ]
    }
    rule(30, [_path("/weighted")], [{"Type": "forward", "ForwardConfig": forward_config}])
    split_config = {
        "TargetGroups": [
            {"TargetGroupArn": main, "Weight": 1},
            {"TargetGroupArn": _target_group(elbv2, vpc, "other", "10.93.0.30"), "Weight": 1},
        ]
    }
    rule(31, [_path("/split")], [{"Type": "forward", "ForwardConfig": split_config}])
    rule(
        40,
        [
            _path("/cond"),
            {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["POST", "PUT"]}},
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Mode", "Values": ["blue", "gr*n"]}},
            {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "v", "Value": "1"}, {"Value": "y?s"}]}},
        ],
        _fixed(200, "all conditions"),
    )
    rule(
        50,
        [_path("/src"), {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}],
        _fixed(200, "ten-net"),
    )
    loopback = {"Field": "source-ip", "SourceIpConfig": {"Values": ["192.0.2.0/24", "127.0.0.0/8"]}}
    rule(51, [_path("/src"), loopback], _fixed(200, "loopback"))
    rule(
        60,
        [_path("/host"), {"Field": "host-header", "HostHeaderConfig": {"Values": ["API.*"]}}],
        _fixed(200, "api host"),
    )
    moved = {"StatusCode": "HTTP_302", "Path": "/new/#{path}", "Query": "#{query}&x=1"}
    rule(70, [_path("/moved/*")], [{"Type": "redirect", "RedirectConfig": moved}])
    rule(80, [_path("/teapot")], _fixed(418, '{"tea": true}', "application/json"))
    oidc = {
        "Issuer": "https://idp.example.test",
        "AuthorizationEndpoint": "https://idp.example.test/authorize",
        "TokenEndpoint": "https://idp.example.test/token",
        "UserInfoEndpoint": "https://idp.example.test/userinfo",
        "ClientId": "client",
        "ClientSecret": "secret",
    }
    rule(
        90,
        [_path("/auth")],
        [
            {"Type": "authenticate-oidc", "AuthenticateOidcConfig": oidc, "Order": 1},
            {"Type": "forward", "TargetGroupArn": main, "Order": 2},
        ],
    )

    zone_id = route53.create_hosted_zone(Name=zone, CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"]
    alias = {"HostedZoneId": created.get("CanonicalHostedZoneId") or "Z35SXDOTRQ7X7K", "EvaluateTargetHealth": False}
    records = [
        {"Name": f"api.{zone}", "Type": "A", "AliasTarget": {**alias, "DNSName": f"dualstack.{dns}."}},
        {"Name": f"*.multi.{zone}", "Type": "AAAA", "AliasTarget": {**alias, "DNSName": dns}},
        {"Name": f"www.{zone}", "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": dns}]},
    ]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record} for record in records]},
    )
    return Stack(
        port_of(own_emulator),
        dns,
        zone,
        balancer_arn,
        https,
        vpc,
        subnets,
        default_certificate,
        zone_certificate,
        multi_rsa,
        multi_ec,
    )


# --------------------------------------------------------------------------- targets


def test_a_healthy_target_answers_through_the_load_balancer(stack: Stack) -> None:
    answer = fetch(stack.port, stack.dns, "/health")
    assert (answer.status, answer.headers["x-emulator-target"]) == (200, "10.93.0.10:8080")
    assert "10.93.0.10:8080" in answer.body
    assert answer.headers.get("server") != extension.SERVER, "the target answers, not the load balancer"

    health_check = fetch(stack.port, stack.dns, f"{HEALTH_PATH}?deep=1")
    assert health_check.status == 202, "the health check path answers the matcher's first code"


def test_no_registered_target_is_503(stack: Stack) -> None:
    answer = fetch(stack.port, stack.dns, "/empty")
    assert (answer.status, answer.reason, answer.headers["server"]) == (
        503,
        "Service Temporarily Unavailable",
        "awselb/2.0",
    )
    assert "<title>503 Service Temporarily Unavailable</title>" in answer.body
    assert answer.headers["content-type"] == "text/html"


def test_weight_zero_is_never_drawn_and_weights_share_the_requests(stack: Stack) -> None:
    connection = connect(stack.port, stack.dns)  # one keep-alive connection for all of them
    try:
        weighted = {ask(connection, stack.dns, "/weighted").headers["x-emulator-target"] for _request in range(30)}
        split = {ask(connection, stack.dns, "/split").headers["x-emulator-target"] for _request in range(40)}
    finally:
        connection.close()
    assert weighted == {"10.93.0.10:8080"}
    assert split == {"10.93.0.10:8080", "10.93.0.30:8080"}, "equal weights: both drawn (missed: 2 in 2**40)"


def test_targets_by_health_fail_open_502_and_never_draining_or_unused(stack: Stack, clients: dict[str, Any]) -> None:
    elbv2 = clients["elbv2"]
    groups = {
        "/sick": _target_group(elbv2, stack.vpc, "sick", "10.66.0.1", "10.66.0.2"),
        "/mixed": _target_group(elbv2, stack.vpc, "mixed", "10.66.0.3", "10.67.0.4"),
        "/idle": _target_group(elbv2, stack.vpc, "idle", "10.65.0.5", "10.64.0.6"),
        "/idle-and-sick": _target_group(elbv2, stack.vpc, "idlesick", "10.65.0.7", "10.66.0.8"),
    }
    for priority, (path, group) in enumerate(groups.items(), start=100):
        elbv2.create_rule(
            ListenerArn=stack.https_arn,
            Priority=priority,
            Conditions=[_path(path)],
            Actions=[{"Type": "forward", "TargetGroupArn": group}],
        )
    states = {
        description["Target"]["Id"]: description["TargetHealth"]["State"]
        for group in groups.values()
        for description in elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    }
    assert states == {
        "10.66.0.1": "unhealthy",
        "10.66.0.2": "unhealthy",
        "10.66.0.3": "unhealthy",
        "10.67.0.4": "healthy",
        "10.65.0.5": "unused",
        "10.64.0.6": "draining",
        "10.65.0.7": "unused",
        "10.66.0.8": "unhealthy",
    }

    def four(path: str) -> list[Answer]:
        connection = connect(stack.port, stack.dns)
        try:
            return [ask(connection, stack.dns, path) for _request in range(4)]
        finally:
            connection.close()

    failed_open = four("/sick")[0]
    assert (failed_open.status, failed_open.reason, failed_open.headers["server"]) == (502, "Bad Gateway", "awselb/2.0")
    assert "failed open" in failed_open.headers["x-emulator-reason"]
    assert {answer.headers["x-emulator-target"] for answer in four("/mixed")} == {"10.67.0.4:8080"}, "healthy only"
    assert {answer.status for answer in four("/idle")} == {503}, "draining and unused targets are never chosen"
    idle_and_sick = four("/idle-and-sick")
    assert {answer.status for answer in idle_and_sick} == {502}
    assert all("10.66.0.8:8080" in answer.headers["x-emulator-reason"] for answer in idle_and_sick)


# --------------------------------------------------------------------------- rules and actions


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/special", "five"),  # priority 5 before 10, though created after it
        ("/api/spec-al", "five"),  # ? is one character
        ("/api/other?x=1", "ten"),  # the query is not part of the path
        ("/API/special", None),  # case-sensitive: the default rule's target
        ("/apix", None),
    ],
)
def test_rules_go_by_priority_and_path_patterns(stack: Stack, path: str, expected: str | None) -> None:
    answer = fetch(stack.port, stack.dns, path)
    assert answer.status == 200
    if expected is None:
        assert answer.headers["x-emulator-target"] == "10.93.0.10:8080"
    else:
        assert (answer.body, answer.headers["server"]) == (expected, "awselb/2.0")


@pytest.mark.parametrize(
    ("method", "query", "headers", "matched"),
    [
        ("POST", "v=1", {"X-Mode": "GREEN"}, True),  # header values: case-insensitive wildcards
        ("PUT", "a=b&v=1", {"X-Mode": "blue"}, True),
        ("POST", "yes", {"X-Mode": "blue"}, True),  # a value without a key
        ("POST", "V=1", {"X-Mode": "blue"}, True),  # query keys and values: case-insensitive
        ("GET", "v=1", {"X-Mode": "blue"}, False),  # method: exact
        ("post", "v=1", {"X-Mode": "blue"}, False),
        ("POST", "v=2", {"X-Mode": "blue"}, False),
        ("POST", "v=1", {"X-Mode": "red"}, False),
        ("POST", "v=1", {}, False),
    ],
)
def test_all_conditions_of_a_rule_hold_and_one_value_of_each(
    stack: Stack, method: str, query: str, headers: dict[str, str], matched: bool
) -> None:
    answer = fetch(stack.port, stack.dns, f"/cond?{query}", method=method, headers=headers, body=b"x=1")
    if matched:
        assert (answer.status, answer.body) == (200, "all conditions")
    else:
        assert answer.headers["x-emulator-target"] == "10.93.0.10:8080"


def test_source_ip_and_host_header_conditions(stack: Stack) -> None:
    assert fetch(stack.port, stack.dns, "/src").body == "loopback"
    assert fetch(stack.port, f"api.{stack.zone}", "/host").body == "api host", "host names: case-insensitive"
    assert "x-emulator-target" in fetch(stack.port, stack.dns, "/host").headers


def test_fixed_response(stack: Stack) -> None:
    answer = fetch(stack.port, stack.dns, "/teapot")
    assert (answer.status, answer.body) == (418, '{"tea": true}')
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answer.headers["server"] == "awselb/2.0"


def test_redirects(stack: Stack) -> None:
    plain = fetch(stack.port, stack.dns, "/a/b?q=1", tls=False)
    assert (plain.status, plain.headers["location"], plain.headers["server"]) == (
        301,
        f"https://{stack.dns}:443/a/b?q=1",
        "awselb/2.0",
    )
    moved = fetch(stack.port, stack.dns, "/moved/here?q=1")
    assert (moved.status, moved.headers["location"]) == (302, f"https://{stack.dns}:443/new/moved/here?q=1&x=1")


def test_what_the_emulator_does_not_model_is_an_explicit_500(stack: Stack) -> None:
    answer = fetch(stack.port, stack.dns, "/auth")
    assert answer.status == 500
    assert "does not model the authenticate-oidc action" in answer.body


def test_trace_is_405_and_a_port_without_a_listener_closes(stack: Stack) -> None:
    assert fetch(stack.port, stack.dns, method="TRACE").status == 405
    assert closed_without_answer(stack.port, f"{stack.dns}:8080", tls=False)
    assert closed_without_answer(stack.port, f"{stack.dns}:443", tls=False), "plain HTTP to the HTTPS listener"


# --------------------------------------------------------------------------- names and certificates


def test_certificate_by_sni(stack: Stack) -> None:
    assert fetch(stack.port, stack.dns).certificate == der(stack.default_certificate), "no match in the list: default"
    assert fetch(stack.port, f"api.{stack.zone}").certificate == der(stack.zone_certificate)
    assert fetch(stack.port, f"x.multi.{stack.zone}").certificate == der(stack.multi_ec), "ECDSA over RSA"
    deep = fetch(stack.port, f"a.x.multi.{stack.zone}")  # the wildcard record resolves it, no wildcard name covers it
    assert (deep.status, deep.certificate) == (200, der(stack.default_certificate))

    no_sni = fetch(stack.port, stack.dns, sni=None)
    assert no_sni.status == 200, "without SNI the Host header places the request"
    fallback = x509.load_der_x509_certificate(no_sni.certificate or b"")
    assert fallback.subject.rfc4514_string() == f"CN={extension.FALLBACK_NAME}"


def test_alias_and_cname_records_reach_the_load_balancer(stack: Stack, clients: dict[str, Any]) -> None:
    assert fetch(stack.port, f"api.{stack.zone}", "/x").headers["x-emulator-target"] == "10.93.0.10:8080"
    assert fetch(stack.port, f"www.{stack.zone}", "/x").status == 200
    assert fetch(stack.port, f"dualstack.{stack.dns}", "/x").status == 200
    cname = fetch(stack.port, f"www.{stack.zone}", "/x", tls=False)
    assert (cname.status, cname.headers["location"]) == (301, f"https://www.{stack.zone}:443/x")

    private = f"inside.private-{stack.zone}"
    zone_id = clients["route53"].create_hosted_zone(
        Name=f"private-{stack.zone}",
        CallerReference=uuid.uuid4().hex,
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": REGION, "VPCId": stack.vpc},
    )["HostedZone"]["Id"]
    clients["route53"].change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": private,
                        "Type": "A",
                        "AliasTarget": {
                            "HostedZoneId": "Z35SXDOTRQ7X7K",
                            "DNSName": stack.dns,
                            "EvaluateTargetHealth": False,
                        },
                    },
                }
            ]
        },
    )
    assert fetch(stack.port, private).status == 421, "a private zone's record does not resolve from outside"


def test_an_unknown_name_over_tls_is_421_with_the_fallback_certificate(stack: Stack) -> None:
    answer = fetch(stack.port, f"nowhere.{stack.zone}", "/health")
    assert answer.status == 421
    assert f"no load balancer in the emulator is named 'nowhere.{stack.zone}'" in answer.body
    certificate = x509.load_der_x509_certificate(answer.certificate or b"")
    assert certificate.subject.rfc4514_string() == f"CN={extension.FALLBACK_NAME}"


def test_a_load_balancer_that_is_not_active_closes_the_connection(stack: Stack, clients: dict[str, Any]) -> None:
    elbv2, acm = clients["elbv2"], clients["acm"]
    certificate = import_certificate(acm, make_certificate(f"new.{stack.zone}"))

    def create(name: str) -> dict[str, Any]:
        balancer = elbv2.create_load_balancer(Name=name, Subnets=stack.subnets)["LoadBalancers"][0]
        for protocol, port in (("HTTP", 80), ("HTTPS", 443)):
            more = {"Certificates": [{"CertificateArn": certificate}]} if protocol == "HTTPS" else {}
            elbv2.create_listener(
                LoadBalancerArn=balancer["LoadBalancerArn"],
                Protocol=protocol,
                Port=port,
                DefaultActions=_fixed(200, "ready"),
                **more,
            )
        return balancer

    provisioning = create(f"dp-{uuid.uuid4().hex[:8]}")
    assert closed_without_answer(stack.port, provisioning["DNSName"]), "no TLS alert: nothing answers yet"
    assert closed_without_answer(stack.port, provisioning["DNSName"], tls=False)

    failing = create(f"dp-failprov-{uuid.uuid4().hex[:6]}")
    described = elbv2.describe_load_balancers(LoadBalancerArns=[failing["LoadBalancerArn"]])["LoadBalancers"][0]
    assert described["State"]["Code"] == "failed"  # and, plain mode, every other load balancer active
    assert closed_without_answer(stack.port, failing["DNSName"])
    assert closed_without_answer(stack.port, failing["DNSName"], tls=False)
    assert fetch(stack.port, provisioning["DNSName"]).body == "ready"
    assert fetch(stack.port, provisioning["DNSName"], tls=False).body == "ready"


# --------------------------------------------------------------------------- the API port stays the API's


def test_data_plane_requests_are_no_api_calls(stack: Stack, own_emulator: str, clients: dict[str, Any]) -> None:
    before = request_counts(own_emulator)
    assert fetch(stack.port, stack.dns, "/health").status == 200
    assert fetch(stack.port, stack.dns, "/", tls=False).status == 301
    assert fetch(stack.port, f"nowhere.{stack.zone}").status == 421
    assert request_counts(own_emulator) == before, "the data plane's requests are not counted"

    clients["elbv2"].describe_load_balancers(LoadBalancerArns=[stack.balancer_arn])
    after = request_counts(own_emulator)
    assert after["total"] == before["total"] + 1
    assert after["by_action"]["elasticloadbalancing:DescribeLoadBalancers"] == (
        before["by_action"].get("elasticloadbalancing:DescribeLoadBalancers", 0) + 1
    )

    set_realism(own_emulator, realistic=True, time_scale=0.01, throttle_rate=0.5)  # half the API calls throttled
    try:
        statuses = {fetch(stack.port, stack.dns, "/health").status for _request in range(10)}
    finally:
        set_realism(own_emulator, realistic=False, time_scale=1.0, throttle_rate=0.0)
    assert statuses == {200}, "the data plane is never throttled"


# --------------------------------------------------------------------------- the extension itself


def test_install_sets_the_servers_hook_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "DATA_PLANE", None)
    assert not extension.is_installed()
    extension.install()
    hook = server.DATA_PLANE
    extension.install()
    assert extension.is_installed()
    assert server.DATA_PLANE is hook is not None


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("app.example.test", "APP.example.test.", True),
        ("*.example.test", "a.example.test", True),
        ("*.example.test", "a.b.example.test", False),  # one label only
        ("*.example.test", "example.test", False),
        ("www.example.test", "example.test", False),
    ],
)
def test_certificate_names(pattern: str, name: str, matches: bool) -> None:
    assert extension.name_matches(pattern, name) is matches


def test_wildcards() -> None:
    assert extension.wildcard("/a*/b?", case_sensitive=True).fullmatch("/a/x/bc")
    assert not extension.wildcard("/a*/b?", case_sensitive=True).fullmatch("/A/x/bc")
    assert extension.wildcard("API.*", case_sensitive=False).fullmatch("api.example.test")
    assert extension.wildcard("a\\*b", case_sensitive=False, escapes=True).fullmatch("a*b")
    assert not extension.wildcard("a\\*b", case_sensitive=False, escapes=True).fullmatch("axb")
    assert extension.split_host("Name.Example.test:8443") == ("name.example.test", 8443)
    assert extension.split_host("[::1]:80") == ("::1", 80)
