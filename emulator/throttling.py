"""Throttling: a share of API calls answered with the error each service really sends when its rate is exceeded.

AWS throttles per account and API; every SDK and every caller must retry. The share is ``realism.settings()``'s
``throttle_rate`` (``EMULATOR_THROTTLE_RATE``): 0 in plain mode, ``REALISTIC_THROTTLE_RATE`` in realistic mode.
The answer has the service's protocol shape, so botocore parses it as it would AWS's:

* EC2 (``ec2`` query protocol): HTTP 503, ``<Response><Errors><Error><Code>RequestLimitExceeded``
  (EC2 API reference, "Request throttling": "RequestLimitExceeded ... HTTP 503");
* query APIs (ELBv2, IAM, STS, Auto Scaling, CloudWatch): HTTP 400 ``<ErrorResponse>`` with ``Throttling``
  (ELBv2/IAM API references, Common Errors: "Throttling ... HTTP Status Code: 400");
* JSON APIs (ECS, ECR, ACM, CloudWatch Logs, Application Auto Scaling): HTTP 400 ``{"__type": "ThrottlingException"}``
  (each API reference's Common Errors: "ThrottlingException ... HTTP Status Code: 400");
* EFS (REST-JSON): HTTP 429 ``ThrottlingException`` (EFS API reference, "ThrottlingException ... 429");
* S3 (REST-XML): HTTP 503 ``SlowDown`` (S3 API reference, Error responses).

Control endpoints (``/_emulator/``, ``/moto-api/``) are never throttled. Which calls are throttled is random, seeded by
``throttle_seed`` when set, so a failing run can be repeated.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from emulator import realism

Answer = tuple[str, list[tuple[str, str]], bytes]

EC2 = "ec2"
QUERY = frozenset({"elasticloadbalancing", "iam", "sts", "autoscaling", "monitoring"})
JSON = frozenset({"ecs", "ecr", "acm", "logs", "application-autoscaling"})
REST_JSON = frozenset({"elasticfilesystem"})
REST_XML = frozenset({"s3"})
THROTTLED_SERVICES = frozenset({EC2}) | QUERY | JSON | REST_JSON | REST_XML
QUERY_NAMESPACES = {
    "elasticloadbalancing": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "autoscaling": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
    "monitoring": "http://monitoring.amazonaws.com/doc/2010-08-01/",
}
MESSAGE = "Rate exceeded"


def _cbor_text(text: str) -> bytes:
    data = text.encode()
    assert len(data) < 24, "short strings only: one header byte"
    return bytes([0x60 + len(data)]) + data


def _cbor_map(items: dict[str, str]) -> bytes:
    """A CBOR map of a few short text keys and values (RFC 8949: major type 5 of the pair count, then each pair)."""
    assert len(items) < 24
    return bytes([0xA0 + len(items)]) + b"".join(_cbor_text(k) + _cbor_text(v) for k, v in items.items())


def throttling_answer(service: str, protocol: str = "") -> Answer | None:
    """The status, headers and body AWS sends ``service``'s caller when it throttles; None for services not modelled.
    ``protocol``: ``json`` or ``cbor`` when a query service was called in AWS JSON 1.0 or Smithy RPCv2-CBOR, as
    botocore calls CloudWatch now; such a query-compatible service names its query error in ``x-amzn-query-error``
    (Smithy awsQueryCompatible trait), which botocore reads as the error code."""
    request_id = str(uuid.uuid4())
    if protocol and service in QUERY:
        error = {"__type": "Throttling", "message": MESSAGE}
        if protocol == "cbor":
            body, content_type = _cbor_map(error), "application/cbor"
        else:
            body, content_type = json.dumps(error).encode(), "application/x-amz-json-1.0"
        headers = [
            ("Content-Type", content_type),
            ("x-amzn-query-error", "Throttling;Sender"),
            ("x-amzn-RequestId", request_id),
        ] + ([("smithy-protocol", "rpc-v2-cbor")] if protocol == "cbor" else [])
        return "400 Bad Request", headers, body
    if service == EC2:
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error><Code>RequestLimitExceeded</Code>"
            f"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return "503 Service Unavailable", [("Content-Type", "text/xml")], body.encode()
    if service in QUERY:
        body = (
            f"<ErrorResponse xmlns=\"{QUERY_NAMESPACES[service]}\"><Error><Type>Sender</Type><Code>Throttling</Code>"
            f"<Message>{MESSAGE}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return "400 Bad Request", [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()
    if service in JSON:
        body = json.dumps({"__type": "ThrottlingException", "message": MESSAGE})
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id)]
        return "400 Bad Request", headers, body.encode()
    if service in REST_JSON:
        body = json.dumps({"ErrorCode": "ThrottlingException", "Message": MESSAGE})
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "ThrottlingException"),
            ("x-amzn-RequestId", request_id),
        ]
        return "429 Too Many Requests", headers, body.encode()
    if service in REST_XML:
        body = (
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
            f"<Message>Please reduce your request rate.</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return "503 Slow Down", [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], body.encode()
    return None


class Throttler:
    """Decides which calls are throttled: ``throttle_rate`` of them, from a generator seeded by ``throttle_seed``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._random = random.Random()
        self.throttled = 0

    def should_throttle(self, service: str) -> bool:
        current = realism.settings()
        if current.throttle_rate <= 0 or service not in THROTTLED_SERVICES:
            return False
        with self._lock:
            if current.throttle_seed != self._seed:
                self._seed = current.throttle_seed
                self._random = random.Random(self._seed)
            throttle = self._random.random() < current.throttle_rate
            self.throttled += throttle
            return throttle

    def answer(self, service: str, start_response: Callable[..., Any], protocol: str = "") -> Iterable[bytes] | None:
        """The throttling answer when this call of ``service`` is throttled, else None (the call goes on); ``protocol``
        as ``throttling_answer`` takes it."""
        if not self.should_throttle(service):
            return None
        status, headers, body = throttling_answer(service, protocol)  # type: ignore[misc]
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]
