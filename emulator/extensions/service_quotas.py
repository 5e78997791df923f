"""Service Quotas for the EC2 quotas a stack can exceed, quota increase requests, and EC2 enforcing those quotas.

What AWS does:

* Two quotas of service code ``ec2`` (ServiceName "Amazon Elastic Compute Cloud (Amazon EC2)") bound what the
  collection builds: ``L-0263D0A3`` "EC2-VPC Elastic IPs", 5 per Region (EC2 user guide, Elastic IP address quota)
  and ``L-8EA77D34`` "Client VPN endpoints per Region", 5 (Client VPN administrator guide, "AWS Client VPN quotas",
  https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/limits.html); both adjustable, Unit "None", not global.
* GetAWSDefaultServiceQuota and ListAWSDefaultServiceQuotas answer the default, with an ARN without account
  (``arn:aws:servicequotas:<region>::ec2/<code>``); GetServiceQuota and ListServiceQuotas answer the applied value,
  with the account in the ARN. "Applied quota value is the first set value in the following order: resource quota
  value, account quota value then AWS default quota value" (Service Quotas console, quoted in aws/aws-cli issue
  8584); EC2 reports applied values for its quotas, so an account that never raised them reads the default there
  (ListServiceQuotas outputs for ec2 list ``L-0263D0A3`` at 5 with the account's ARN). For quotas of other services
  with no applied value GetServiceQuota is ``NoSuchResourceException``, which is why terraform-provider-aws reads
  GetAWSDefaultServiceQuota first ("A Service Quota will always have a default value, but will only have a current
  value if it has been set", internal/service/servicequotas/service_quota.go).
* RequestServiceQuotaIncrease records a request (``RequestedServiceQuotaChange``) ``PENDING``; AWS approves small
  increases automatically, the request turns ``APPROVED`` and the applied value becomes ``DesiredValue`` (larger ones
  open a support case, ``CASE_OPENED``). A value not above the applied one is ``IllegalArgumentException`` "You must
  provide a quota value greater than the current quota value" (cloud-custodian PR 8939 quotes it); a second request
  while one is open is ``ResourceAlreadyExistsException`` "Only one open service quota increase request is allowed
  per quota" (service_quota.go matches that text). GetRequestedServiceQuotaChange,
  ListRequestedServiceQuotaChangeHistory and ListRequestedServiceQuotaChangeHistoryByQuota read the requests.
* EC2 enforces the applied value per account and Region: AllocateAddress beyond the Elastic IP quota is
  ``AddressLimitExceeded`` "The maximum number of addresses has been reached." (HTTP 400; EC2 API reference, error
  codes: "You've reached the limit on the number of Elastic IP addresses that you can allocate"; the message as AWS
  sends it in many public logs, e.g. terraform-aws-modules/terraform-aws-vpc issue 429). Every allocated address of
  the Region counts, associated or not. CreateClientVpnEndpoint beyond the endpoint quota is
  ``ClientVpnEndpointLimitExceeded`` (EC2 API reference, error codes: "You've reached the limit on the number of
  Client VPN endpoints that you can create"; no public log shows the message AWS sends with it, so the message here is
  that documented description). DescribeAccountAttributes ``vpc-max-elastic-ips`` is the Elastic IP quota.

moto 5.2.5's servicequotas backend knows only service code ``vpc`` (ListAWSDefaultServiceQuotas and GetServiceQuota,
which answers the default with an ARN of eu-west-1); for ``ec2`` both are ``NoSuchResourceException`` "This service is
not available in the current Region...", and GetAWSDefaultServiceQuota, ListServiceQuotas and the request operations
are not implemented. moto's EC2 allocates any number of addresses, and DescribeAccountAttributes says 5.

The patch, on moto's ``ServiceQuotasBackend`` and ``ServiceQuotasResponse``:

* the ``ec2`` defaults of the two quotas above, next to moto's ``vpc`` ones (whose ARNs get the Region asked);
  GetServiceQuota and ListServiceQuotas answer a quota's applied value for every service the backend knows: the
  default until an increase is approved (so moto's ``vpc`` answers keep their values). Quotas neither knows stay
  ``NoSuchResourceException``. ListServiceQuotas of ``ec2`` lists only these two (AWS lists hundreds);
* the test control is AWS's own API, since a new ``/_emulator/`` route would need emulator/server.py:
  RequestServiceQuotaIncrease answers the request ``PENDING``, and it turns ``APPROVED`` (and the applied value
  changes) ``approval_seconds()`` later: 0 in plain mode, so a test raises a quota with one call and reads it at
  once; in realistic mode AWS's typical automatic approval (``realism.TYPICAL["service_quotas.increase_approval"]``
  once it is there, else ``TYPICAL_APPROVAL`` here) at the time scale; ``$EMULATOR_QUOTA_APPROVAL_SECONDS`` wins in
  both. Requests are approved when anything next reads them or the quota, so no thread runs. Not adjustable quotas
  refuse requests with ``IllegalArgumentException`` (the emulator's message: AWS's is not public). No request is
  ever denied or sent to a support case; ``ContextId`` (resource-level quotas) is ignored.

And on EC2 (``EC2Backend.allocate_address``, ``EC2Response.create_client_vpn_endpoint`` of the ec2_client_vpn
extension, which must be installed first, ``EC2Response.describe_account_attributes``): the refusals above against the
applied value of the account and Region, when ``enforced()``:

* ``EMULATOR_ENFORCE_QUOTAS=1`` (read at each call) enforces them in either mode, ``=0`` never;
* unset, they are enforced when the server was started in realistic mode (``EMULATOR_REALISTIC=1``, ``make up
  REALISTIC=1``) and still is. Such a run starts from an empty emulator, as from a fresh account, and meets the quotas
  as AWS's would. Realistic mode switched on at run time (``PUT /_emulator/realism``, the unit tests' ``realistic``
  fixture) does not enforce them: there one emulator serves a whole test session, and the addresses and endpoints
  other tests left in a Region would refuse a test for what it did not make.

Otherwise (plain mode, by default) EC2 allocates and creates beyond the quotas as moto always has, so the suites
written against it run as before. DescribeAccountAttributes reports the applied value in every mode. Client VPN
endpoints count until they are gone, ``deleting`` ones included; a ``ClientToken`` replay of an endpoint that exists is
answered as before, not refused. Applied values and requests live on the account's servicequotas backend of the
Region, so moto's reset clears them.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend
from moto.ec2.responses import EC2Response
from moto.servicequotas.exceptions import NoSuchResource
from moto.servicequotas.models import ServiceQuotasBackend, servicequotas_backends
from moto.servicequotas.responses import ServiceQuotasResponse
from moto.utilities.utils import get_partition

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

EC2 = "ec2"
EC2_SERVICE_NAME = "Amazon Elastic Compute Cloud (Amazon EC2)"
ELASTIC_IPS = "L-0263D0A3"
CLIENT_VPN_ENDPOINTS = "L-8EA77D34"

ADDRESS_LIMIT = "AddressLimitExceeded"
ADDRESS_LIMIT_MESSAGE = "The maximum number of addresses has been reached."
CLIENT_VPN_LIMIT = "ClientVpnEndpointLimitExceeded"
CLIENT_VPN_LIMIT_MESSAGE = "You've reached the limit on the number of Client VPN endpoints that you can create."

NOT_GREATER_MESSAGE = "You must provide a quota value greater than the current quota value"
ALREADY_OPEN_MESSAGE = "Only one open service quota increase request is allowed per quota"
NOT_ADJUSTABLE_MESSAGE = "The quota {code} of {service} is not adjustable."

PENDING, APPROVED = "PENDING", "APPROVED"
OPEN_STATUSES = (PENDING, "CASE_OPENED")

ENFORCE_VARIABLE = "EMULATOR_ENFORCE_QUOTAS"

APPROVAL = "service_quotas.increase_approval"
APPROVAL_VARIABLE = "EMULATOR_QUOTA_APPROVAL_SECONDS"
# Until realism.TYPICAL documents APPROVAL. An estimate: AWS documents no duration for the automatic approval of a
# small increase (minutes, in users' reports; a support case takes days), and terraform-provider-aws does not wait for
# it (internal/service/servicequotas service_quota.go keeps the request's DesiredValue while it is PENDING or
# CASE_OPENED).
TYPICAL_APPROVAL = realism.Typical(
    900,
    "estimate, no AWS figure: small increases are approved automatically in minutes; terraform-provider-aws "
    "internal/service/servicequotas service_quota.go does not wait, it keeps DesiredValue while PENDING",
)


class Ec2Quota(NamedTuple):
    code: str
    name: str
    default: float


EC2_QUOTAS = (
    Ec2Quota(ELASTIC_IPS, "EC2-VPC Elastic IPs", 5.0),
    Ec2Quota(CLIENT_VPN_ENDPOINTS, "Client VPN endpoints per Region", 5.0),
)

_LOCK = threading.RLock()
_STATE_ATTRIBUTE = "_emulator_service_quotas"


def approval_seconds() -> float:
    """How long an increase request stays PENDING now: 0 in plain mode, AWS's typical figure at the time scale in
    realistic mode; $EMULATOR_QUOTA_APPROVAL_SECONDS wins in both."""
    if APPROVAL in realism.TYPICAL:
        return realism.seconds(APPROVAL, plain=0.0, variable=APPROVAL_VARIABLE)
    raw = os.environ.get(APPROVAL_VARIABLE, "").strip()
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
    current = realism.settings()
    return TYPICAL_APPROVAL.seconds * current.time_scale if current.realistic else 0.0


# --------------------------------------------------------------------------- errors


class IllegalArgument(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("IllegalArgumentException", message)


class ResourceAlreadyExists(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ResourceAlreadyExistsException", message)


class RequestNotFound(JsonRESTError):
    def __init__(self, request_id: str) -> None:
        super().__init__("NoSuchResourceException", f"The request {request_id} does not exist.")


# --------------------------------------------------------------------------- model


class IncreaseRequest:
    def __init__(self, quota: dict[str, Any], account_id: str, desired: float) -> None:
        self.id = uuid.uuid4().hex
        self.quota = quota  # the applied quota when requested
        self.account_id = account_id
        self.desired = desired
        self.status = PENDING
        self.created = self.updated = time.time()
        self.approval = realism.Timer(approval_seconds())
        realism.record(APPROVAL, self.approval.duration, self.id, self.approval.started)

    @property
    def key(self) -> tuple[str, str]:
        return (self.quota["ServiceCode"], self.quota["QuotaCode"])

    def describe(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "ServiceCode": self.quota["ServiceCode"],
            "ServiceName": self.quota["ServiceName"],
            "QuotaCode": self.quota["QuotaCode"],
            "QuotaName": self.quota["QuotaName"],
            "DesiredValue": self.desired,
            "Status": self.status,
            "Created": self.created,
            "LastUpdated": self.updated,
            "Requester": json.dumps(
                {"accountId": self.account_id, "callerArn": f"arn:aws:iam::{self.account_id}:root"},
                separators=(",", ":"),
            ),
            "QuotaArn": self.quota["QuotaArn"],
            "GlobalQuota": self.quota["GlobalQuota"],
            "Unit": self.quota["Unit"],
            "QuotaRequestedAtLevel": "ACCOUNT",
        }


class QuotaState:
    """Applied values and increase requests of one account and Region (one servicequotas backend)."""

    def __init__(self) -> None:
        self.applied: dict[tuple[str, str], float] = {}
        self.requests: dict[str, IncreaseRequest] = {}


def state_of(backend: ServiceQuotasBackend) -> QuotaState:
    """The backend's state with every due approval made; created on first use, so it goes with moto's reset."""
    state = backend.__dict__.get(_STATE_ATTRIBUTE)
    if state is None:
        state = QuotaState()
        setattr(backend, _STATE_ATTRIBUTE, state)
    for request in state.requests.values():
        if request.status == PENDING and request.approval.done:
            request.status, request.updated = APPROVED, time.time()
            state.applied[request.key] = request.desired
    return state


def _arn(region: str, account_id: str, service_code: str, quota_code: str) -> str:
    return f"arn:{get_partition(region)}:servicequotas:{region}:{account_id}:{service_code}/{quota_code}"


def _ec2_defaults(region: str) -> list[dict[str, Any]]:
    return [
        {
            "Adjustable": True,
            "GlobalQuota": False,
            "QuotaArn": _arn(region, "", EC2, quota.code),
            "QuotaCode": quota.code,
            "QuotaName": quota.name,
            "ServiceCode": EC2,
            "ServiceName": EC2_SERVICE_NAME,
            "Unit": "None",
            "Value": quota.default,
        }
        for quota in EC2_QUOTAS
    ]


def _applied(backend: ServiceQuotasBackend, default: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    value = state.applied.get((default["ServiceCode"], default["QuotaCode"]), default["Value"])
    arn = _arn(backend.region_name, backend.account_id, default["ServiceCode"], default["QuotaCode"])
    return {**default, "QuotaArn": arn, "Value": value}


def applied_value(account_id: str, region: str, service_code: str, quota_code: str) -> float:
    """The quota's applied value in the account and Region (what EC2 enforces)."""
    with _LOCK:
        try:
            backend = servicequotas_backends[account_id][region]
        except KeyError:  # a Region Service Quotas does not serve: the default
            return next(q.default for q in EC2_QUOTAS if q.code == quota_code)
        return _applied(backend, backend.get_aws_default_service_quota(service_code, quota_code))["Value"]


# --------------------------------------------------------------------------- ServiceQuotasBackend


def _listing_ec2_defaults(original: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    @functools.wraps(original)
    def list_aws_default_service_quotas(self: ServiceQuotasBackend, service_code: str) -> list[dict[str, Any]]:
        if service_code == EC2:
            return _ec2_defaults(self.region_name)
        # moto's vpc quotas carry an ARN of eu-west-1 whatever the Region; copies, as moto shares the list.
        return [
            {**quota, "QuotaArn": _arn(self.region_name, "", quota["ServiceCode"], quota["QuotaCode"])}
            for quota in original(self, service_code)
        ]

    return list_aws_default_service_quotas


def get_aws_default_service_quota(self: ServiceQuotasBackend, service_code: str, quota_code: str) -> dict[str, Any]:
    for quota in self.list_aws_default_service_quotas(service_code):
        if quota["QuotaCode"] == quota_code:
            return quota
    raise NoSuchResource


def _answering_applied_values(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    @functools.wraps(original)
    def get_service_quota(self: ServiceQuotasBackend, service_code: str, quota_code: str) -> dict[str, Any]:
        with _LOCK:
            return _applied(self, self.get_aws_default_service_quota(service_code, quota_code))

    return get_service_quota


def list_service_quotas(self: ServiceQuotasBackend, service_code: str) -> list[dict[str, Any]]:
    with _LOCK:
        return [_applied(self, quota) for quota in self.list_aws_default_service_quotas(service_code)]


def request_service_quota_increase(
    self: ServiceQuotasBackend, service_code: str, quota_code: str, desired_value: float
) -> dict[str, Any]:
    with _LOCK:
        quota = _applied(self, self.get_aws_default_service_quota(service_code, quota_code))
        if not quota["Adjustable"]:
            raise IllegalArgument(NOT_ADJUSTABLE_MESSAGE.format(code=quota_code, service=service_code))
        if desired_value <= quota["Value"]:
            raise IllegalArgument(NOT_GREATER_MESSAGE)
        state = state_of(self)
        if any(r.key == (service_code, quota_code) and r.status in OPEN_STATUSES for r in state.requests.values()):
            raise ResourceAlreadyExists(ALREADY_OPEN_MESSAGE)
        request = IncreaseRequest(quota, self.account_id, desired_value)
        state.requests[request.id] = request
        return request.describe()  # PENDING, even when the next read finds it approved


def get_requested_service_quota_change(self: ServiceQuotasBackend, request_id: str) -> dict[str, Any]:
    with _LOCK:
        request = state_of(self).requests.get(request_id)
        if request is None:
            raise RequestNotFound(request_id)
        return request.describe()


def list_requested_service_quota_change_history(
    self: ServiceQuotasBackend,
    service_code: str | None = None,
    quota_code: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    with _LOCK:
        return [
            request.describe()
            for request in state_of(self).requests.values()
            if (service_code is None or request.key[0] == service_code)
            and (quota_code is None or request.key[1] == quota_code)
            and (status is None or request.status == status)
        ]


# --------------------------------------------------------------------------- ServiceQuotasResponse


def _params(response: ServiceQuotasResponse) -> dict[str, Any]:
    return json.loads(response.body or "{}")


def _page(items: list[dict[str, Any]], params: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    start = int(params["NextToken"]) if str(params.get("NextToken", "")).isdigit() else 0
    size = int(params.get("MaxResults") or 100)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _paged(key: str, items: list[dict[str, Any]], params: dict[str, Any]) -> str:
    page, next_token = _page(items, params)
    answer: dict[str, Any] = {key: page}
    if next_token:
        answer["NextToken"] = next_token
    return json.dumps(answer)


def _get_aws_default_service_quota(self: ServiceQuotasResponse) -> str:
    params = _params(self)
    quota = self.backend.get_aws_default_service_quota(str(params.get("ServiceCode")), str(params.get("QuotaCode")))
    return json.dumps({"Quota": quota})


def _list_service_quotas(self: ServiceQuotasResponse) -> str:
    params = _params(self)
    return _paged("Quotas", self.backend.list_service_quotas(str(params.get("ServiceCode"))), params)


def _request_service_quota_increase(self: ServiceQuotasResponse) -> str:
    params = _params(self)
    request = self.backend.request_service_quota_increase(
        str(params.get("ServiceCode")), str(params.get("QuotaCode")), float(params.get("DesiredValue", 0))
    )
    return json.dumps({"RequestedQuota": request})


def _get_requested_service_quota_change(self: ServiceQuotasResponse) -> str:
    request = self.backend.get_requested_service_quota_change(str(_params(self).get("RequestId")))
    return json.dumps({"RequestedQuota": request})


def _list_requested_service_quota_change_history(self: ServiceQuotasResponse) -> str:
    params = _params(self)
    requests = self.backend.list_requested_service_quota_change_history(
        service_code=params.get("ServiceCode"), status=params.get("Status")
    )
    return _paged("RequestedQuotas", requests, params)


def _list_requested_service_quota_change_history_by_quota(self: ServiceQuotasResponse) -> str:
    params = _params(self)
    service_code, quota_code = str(params.get("ServiceCode")), str(params.get("QuotaCode"))
    self.backend.get_aws_default_service_quota(service_code, quota_code)  # NoSuchResourceException when unknown
    requests = self.backend.list_requested_service_quota_change_history(
        service_code=service_code, quota_code=quota_code, status=params.get("Status")
    )
    return _paged("RequestedQuotas", requests, params)


# --------------------------------------------------------------------------- EC2 enforcing the quotas


def enforced() -> bool:
    """Whether EC2 refuses what exceeds a quota now: $EMULATOR_ENFORCE_QUOTAS when set (1/true/yes/on, else off),
    otherwise when the server was started in realistic mode ($EMULATOR_REALISTIC) and still is."""
    raw = os.environ.get(ENFORCE_VARIABLE, "").strip().lower()
    if raw:
        return raw in realism.TRUE_WORDS
    started_realistic = os.environ.get(realism.REALISTIC_VARIABLE, "").strip().lower() in realism.TRUE_WORDS
    return started_realistic and realism.settings().realistic


def _allocating_within_quota(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def allocate_address(self: EC2Backend, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            limit = applied_value(self.account_id, self.region_name, EC2, ELASTIC_IPS)
            if enforced() and len(self.addresses) >= limit:
                raise EC2ClientError(ADDRESS_LIMIT, ADDRESS_LIMIT_MESSAGE)
            return original(self, *args, **kwargs)

    return allocate_address


def _creating_endpoints_within_quota(original: Callable[..., Any] | None) -> Callable[..., Any]:
    from emulator.extensions import ec2_client_vpn

    if original is None:  # ec2_client_vpn is not installed yet: moto has no Client VPN to count

        def not_implemented(self: EC2Response) -> Any:
            raise NotImplementedError("The create_client_vpn_endpoint action has not been implemented")

        original = not_implemented

    @functools.wraps(original)
    def create_client_vpn_endpoint(self: EC2Response) -> Any:
        backend = self.ec2_backend
        with ec2_client_vpn._LOCK:  # the lock ec2_client_vpn creates endpoints under, so two calls count right
            state = ec2_client_vpn.advance(backend)
            token = self._get_param("ClientToken")
            replay = bool(token) and token in state.tokens
            limit = applied_value(backend.account_id, backend.region_name, EC2, CLIENT_VPN_ENDPOINTS)
            if enforced() and not replay and len(state.endpoints) >= limit:
                raise EC2ClientError(CLIENT_VPN_LIMIT, CLIENT_VPN_LIMIT_MESSAGE)
            return original(self)

    return create_client_vpn_endpoint


def _reporting_the_address_quota(original: Callable[..., ActionResult]) -> Callable[..., ActionResult]:
    @functools.wraps(original)
    def describe_account_attributes(self: EC2Response) -> ActionResult:
        result = original(self)
        backend = self.ec2_backend
        limit = applied_value(backend.account_id, backend.region_name, EC2, ELASTIC_IPS)
        for attribute in result.result.get("AccountAttributes", []):  # type: ignore[attr-defined]
            if attribute.get("AttributeName") == "vpc-max-elastic-ips":
                attribute["AttributeValues"] = [{"AttributeValue": f"{limit:g}"}]
        return result

    return describe_account_attributes


# --------------------------------------------------------------------------- install

# moto dispatches a JSON action to the ServiceQuotasResponse method named after it (camelcase_to_underscores), looked
# up on every request, so adding methods serves them in the server and in mock_aws alike.
PATCHES = (
    Patch(ServiceQuotasBackend, "list_aws_default_service_quotas", _listing_ec2_defaults),
    Patch(ServiceQuotasBackend, "get_service_quota", _answering_applied_values),
    Patch(ServiceQuotasBackend, "get_aws_default_service_quota", added(get_aws_default_service_quota)),
    Patch(ServiceQuotasBackend, "list_service_quotas", added(list_service_quotas)),
    Patch(ServiceQuotasBackend, "request_service_quota_increase", added(request_service_quota_increase)),
    Patch(ServiceQuotasBackend, "get_requested_service_quota_change", added(get_requested_service_quota_change)),
    Patch(
        ServiceQuotasBackend,
        "list_requested_service_quota_change_history",
        added(list_requested_service_quota_change_history),
    ),
    Patch(ServiceQuotasResponse, "get_aws_default_service_quota", added(_get_aws_default_service_quota)),
    Patch(ServiceQuotasResponse, "list_service_quotas", added(_list_service_quotas)),
    Patch(ServiceQuotasResponse, "request_service_quota_increase", added(_request_service_quota_increase)),
    Patch(ServiceQuotasResponse, "get_requested_service_quota_change", added(_get_requested_service_quota_change)),
    Patch(
        ServiceQuotasResponse,
        "list_requested_service_quota_change_history",
        added(_list_requested_service_quota_change_history),
    ),
    Patch(
        ServiceQuotasResponse,
        "list_requested_service_quota_change_history_by_quota",
        added(_list_requested_service_quota_change_history_by_quota),
    ),
    Patch(EC2Backend, "allocate_address", _allocating_within_quota),
    Patch(EC2Response, "create_client_vpn_endpoint", _creating_endpoints_within_quota),
    Patch(EC2Response, "describe_account_attributes", _reporting_the_address_quota),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
