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


def throttling_answer(service: str) -> Answer | None:
    """The status, headers and body AWS sends ``service``'s caller when it throttles; None for services not modelled."""
    request_id = str(uuid.uuid4())
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

    def answer(self, service: str, start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """The throttling answer when this call of ``service`` is throttled, else None (the call goes on)."""
        if not self.should_throttle(service):
            return None
        status, headers, body = throttling_answer(service)  # type: ignore[misc]
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]
