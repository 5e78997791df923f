"""Realistic mode: the emulator on AWS's clock, with AWS's eventual consistency and throttling.

Plain mode (the default) keeps every suite quick: slow resources take the short delays their extensions have always
had. Realistic mode is for proving that the collection survives AWS as it is:

* ``EMULATOR_REALISTIC=1`` (``make up REALISTIC=1``) switches it on;
* ``EMULATOR_TIME_SCALE`` (``TIME_SCALE=``, default 1) multiplies every AWS duration in ``TYPICAL``: 1 is AWS's own
  clock, ``0.033`` runs it at 1/30 for tests;
* ``EMULATOR_THROTTLE_RATE`` (``THROTTLE_RATE=``) is the share of API calls answered with the service's throttling
  error (``emulator/throttling.py``): 0 in plain mode unless set, ``REALISTIC_THROTTLE_RATE`` in realistic mode;
  ``EMULATOR_THROTTLE_SEED`` makes the choice of throttled calls repeatable.

The server reads these at start; ``GET``/``PUT /_emulator/realism`` reads and changes them while it runs (tests switch
one emulator between modes). An extension asks ``seconds(behaviour, plain)`` how long something takes now and
``lingers(behaviour)`` whether a realistic-only delay applies; an extension's own ``EMULATOR_*_SECONDS`` variable, when
set, still wins in either mode.

Every figure below is AWS's typical duration at scale 1, with where it comes from. When sources disagree the longer
figure is used: the emulator is never kinder than AWS.

What the emulator modelled is recorded, in both modes: every ``Timer.of`` (and every ``record`` of an extension that
times a behaviour otherwise) adds ``{behaviour, subject, started, duration}`` to a bounded recording that
``GET /_emulator/timers`` reads (``started`` in seconds since the recording began) and ``DELETE`` clears;
``emulator/critical_path.py`` turns it into the critical path of a build or a teardown.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from typing import Any, NamedTuple

REALISTIC_VARIABLE = "EMULATOR_REALISTIC"
TIME_SCALE_VARIABLE = "EMULATOR_TIME_SCALE"
THROTTLE_RATE_VARIABLE = "EMULATOR_THROTTLE_RATE"
THROTTLE_SEED_VARIABLE = "EMULATOR_THROTTLE_SEED"
REALISTIC_THROTTLE_RATE = 0.02
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


class Typical(NamedTuple):
    seconds: float
    source: str


TF = "terraform-provider-aws internal/service"
TYPICAL: dict[str, Typical] = {
    # Provisioning and deletion of the slow resources (medians of public provisioning logs, AWS docs).
    "nat_gateway.pending": Typical(
        105, f"{TF}/ec2 vpc_nat_gateway.go create timeout 10 min (wait.go waitNATGatewayCreated); AWS VPC guide"
    ),
    "nat_gateway.deleting": Typical(
        60, f"{TF}/ec2 vpc_nat_gateway.go delete timeout 30 min (wait.go waitNATGatewayDeleted, 10 s polls)"
    ),
    "vpc_endpoint.pending": Typical(90, f"{TF}/ec2 vpc_endpoint.go create timeout 10 min"),
    "vpc_endpoint.deleting": Typical(90, f"{TF}/ec2 vpc_endpoint.go delete timeout 10 min (wait.go waitVPCEndpointDeleted)"),
    "load_balancer.provisioning": Typical(
        150,
        f"ELBv2 waiter load_balancer_available (15 s x 40); {TF}/elbv2 load_balancer.go waitLoadBalancerActive 10 min",
    ),
    "file_system.creating": Typical(12, f"{TF}/efs file_system.go waitFileSystemAvailable 10 min"),
    "mount_target.creating": Typical(90, f"{TF}/efs mount_target.go create timeout 30 min"),
    "mount_target.deleting": Typical(60, f"{TF}/efs mount_target.go delete timeout 10 min"),
    "client_vpn.associating": Typical(
        420,
        f"{TF}/ec2 wait.go ClientVPNNetworkAssociationCreatedTimeout 30 min, first poll after "
        "ClientVPNNetworkAssociationCreatedDelay 4 min",
    ),
    "client_vpn.disassociating": Typical(
        300,
        f"{TF}/ec2 wait.go ClientVPNNetworkAssociationDeletedTimeout 30 min, first poll after "
        "ClientVPNNetworkAssociationDeletedDelay 4 min",
    ),
    "client_vpn.authorizing": Typical(30, f"{TF}/ec2 wait.go ClientVPNAuthorizationRuleCreatedTimeout 10 min"),
    "client_vpn.route": Typical(120, f"{TF}/ec2 client_vpn_route.go create/delete timeouts 4 min (AWS takes 2-3 min)"),
    "client_vpn.endpoint_pending": Typical(
        30,
        f"{TF}/ec2 service_package.go retries OperationNotPermitted 'Endpoint cannot be created while another "
        "endpoint is being created'",
    ),
    "client_vpn.endpoint_deleting": Typical(30, f"{TF}/ec2 wait.go ClientVPNEndpointDeletedTimeout 5 min"),
    "ecs.rollout": Typical(
        150,
        f"{TF}/ecs service.go waitServiceStable (create/update timeout 20 min); botocore waiter services_stable 15 s x 40",
    ),
    "ecs.draining": Typical(
        60, f"{TF}/ecs service.go waitServiceInactive (delete timeout 20 min); ALB deregistration delay + stopTimeout"
    ),
    "ecs.deployment_stage": Typical(
        15,
        "estimate, no AWS figure: a lifecycle stage of a blue/green, linear or canary deployment without a hook is one "
        "ECS control-plane step (register targets, or ELB ModifyRule on the listener rules); ECS developer guide, "
        "blue-green-deployment-how-it-works; {TF}/ecs service.go (PR #43434) waits on the service deployment's "
        "status, not on a figure".replace("{TF}", TF),
    ),
    "ecs.bake_minute": Typical(
        60,
        "one configured minute of ECS API reference DeploymentConfiguration bakeTimeInMinutes, CanaryConfiguration "
        "canaryBakeTimeInMinutes, LinearConfiguration stepBakeTimeInMinutes; a rolling update's alarm bake is its "
        "alarms' evaluation time (developer guide, deployment-alarm-failure: 'computes this time period based on the "
        "alarm configuration'; aws/copilot-cli#4294)",
    ),
    # Eventual consistency: how long something already gone (or new) still shows elsewhere.
    "network_interface.lingering": Typical(
        60,
        f"{TF}/ec2 vpc_network_interface.go deleteLingeringENIs; vpc_security_group.go and vpc_subnet.go retry "
        "DependencyViolation until their delete timeout",
    ),
    "iam.propagation": Typical(
        10,
        "IAM user guide, eventual consistency; {TF}/iam consts.go propagationTimeout 2 min; {TF}/ec2 vpc_flow_log.go "
        "retries 'Unable to assume given IAM role'".replace("{TF}", TF),
    ),
    "service_linked_role.creation": Typical(
        15,
        f"{TF}/ecs cluster.go retryClusterCreate and service.go retryServiceCreate retry 'Unable to assume the "
        f"service linked role' for 2 min; {TF}/appautoscaling target.go registerScalableTarget retries 'Unable to "
        "assume IAM role' for 2 min",
    ),
    "ec2.new_resource_visibility": Typical(
        2,
        "EC2 developer guide, eventual-consistency.html (a command naming a resource just created may answer that it "
        f"does not exist; retry 'starting with a couple of seconds of wait time'); {TF}/ec2 "
        "vpc_route_table_association.go retries InvalidRouteTableID.NotFound, vpc_internet_gateway.go "
        "attachInternetGateway InvalidInternetGatewayID.NotFound; wait.go ec2PropagationTimeout 5 min for the long "
        "tail",
    ),
    "certificate.in_use_lingering": Typical(
        30, f"{TF}/acm certificate.go retries ResourceInUseException for certificateCrossServicePropagationTimeout 20 min"
    ),
    "certificate.import_visibility": Typical(
        5, f"{TF}/elbv2 listener.go retries CertificateNotFound within its 5 min create/update timeout"
    ),
    # ACM certificates requested with DNS validation (emulator/extensions/acm_dns_validation.py).
    "certificate.validation_records": Typical(
        10,
        "ACM API reference, RequestCertificate ('there is a delay of several seconds before you can retrieve "
        f"information about the new certificate'); {TF}/acm certificate.go waitCertificateDomainValidationsAvailable "
        "polls until DomainValidationOptions[].ResourceRecord is filled (certificateDNSValidationAssignmentTimeout "
        "5 min)",
    ),
    "certificate.dns_validation": Typical(
        300,
        "estimate, no AWS figure: botocore acm waiter CertificateValidated polls every 60 s, 5 attempts; "
        "aws/aws-cdk#2914 (a 5-minute wait for validation timed out; raised to 9.5 min by aws/aws-cdk#2961); "
        f"{TF}/acm certificate_validation.go create timeout 75 min, hashicorp/terraform-provider-aws#9338 (over an "
        "hour at times)",
    ),
    "certificate.validation_timeout": Typical(
        72 * 3600,
        "ACM API reference, CertificateDetail.Status: 'ACM makes repeated attempts to validate a certificate for 72 "
        "hours and then times out' (VALIDATION_TIMED_OUT)",
    ),
    "target_group.lingering": Typical(15, f"{TF}/elbv2 target_group.go retries ResourceInUse on delete 2 min"),
    "scalable_target.service_visibility": Typical(
        5,
        f"{TF}/appautoscaling target.go registerScalableTarget retries ValidationException \"ECS service doesn't "
        "exist\" for 2 min",
    ),
    "ecs.tasks_stopping": Typical(30, f"{TF}/ecs cluster.go retries ClusterContainsTasksException 10 min"),
    "ecr.scan": Typical(
        20,
        "estimate, no AWS figure (aws/containers-roadmap#1600 asks for one): botocore ecr waiter ImageScanComplete "
        "polls DescribeImageScanFindings every 5 s, 60 attempts; alexjurkiewicz/ecr-scan-image#3 (IN_PROGRESS after a "
        "push)",
    ),
    "datasync.execution": Typical(
        180,
        "estimate for a small S3 -> EFS task (QUEUED to SUCCESS), no AWS figure: DataSync user guide, task execution "
        "statuses (LAUNCHING 'usually goes quickly but can take up to a few minutes', PREPARING 'can take just minutes "
        "or a few hours') and run-task.html (the listing 'usually takes between a few minutes and a few hours'); "
        "the task's agentless network interfaces are created at LAUNCHING",
    ),
    "service_quotas.increase_approval": Typical(
        900,
        "estimate, no AWS figure: small increases are approved automatically in minutes; {TF}/servicequotas "
        "service_quota.go does not wait, it keeps DesiredValue while PENDING".replace("{TF}", TF),
    ),
    # The network: every AWS API call.
    "api.call": Typical(
        0.05,
        "estimate, no AWS figure: a regional call's round trip from outside AWS is tens of ms to over 100 ms; "
        "aws/aws-sdk-js#3045 (S3 calls at about 100 ms, p95, before a regression), aws/aws-sdk-cpp#1657 (a DynamoDB "
        "PutItem from inside its Region about 30 ms); bytecode.tech AWS Latency Index (0.27-0.67 s between Regions)",
    ),
}


@dataclass(frozen=True)
class Settings:
    realistic: bool = False
    time_scale: float = 1.0
    throttle_rate: float = 0.0
    throttle_seed: int | None = None
    # Seconds that one behaviour takes in either mode, whatever the scale: a test stretches the one it is about
    # (IAM propagation, say) and keeps the rest of the run fast.
    behaviour_seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _number(environ: dict[str, str] | os._Environ[str], name: str, default: float, low: float, high: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise ValueError(f"{name}={raw!r} must be between {low:g} and {high:g}")
    return value


def settings_from(environ: dict[str, str] | os._Environ[str]) -> Settings:
    realistic = environ.get(REALISTIC_VARIABLE, "").strip().lower() in TRUE_WORDS
    seed = environ.get(THROTTLE_SEED_VARIABLE, "").strip()
    return Settings(
        realistic=realistic,
        time_scale=_number(environ, TIME_SCALE_VARIABLE, 1.0, 0.0, 10.0),
        throttle_rate=_number(
            environ, THROTTLE_RATE_VARIABLE, REALISTIC_THROTTLE_RATE if realistic else 0.0, 0.0, 0.5
        ),
        throttle_seed=int(seed) if seed.lstrip("-").isdigit() else None,
    )


_lock = threading.Lock()
_current: Settings | None = None


def settings() -> Settings:
    """The settings in force: those set at run time, else the environment's."""
    global _current
    with _lock:
        if _current is None:
            _current = settings_from(os.environ)
        return _current


def configure(changes: dict[str, Any]) -> Settings:
    """Change settings while the server runs (``PUT /_emulator/realism``); unknown keys and bad values are refused.
    Switching realistic on without a throttle rate takes the realistic default, and switching it off drops it."""
    global _current
    known = set(Settings.__dataclass_fields__)
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ValueError(f"unknown realism settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    current = settings()
    updated = dict(changes)
    if "realistic" in updated:
        updated["realistic"] = bool(updated["realistic"])
        if "throttle_rate" not in updated and updated["realistic"] != current.realistic:
            updated["throttle_rate"] = REALISTIC_THROTTLE_RATE if updated["realistic"] else 0.0
    if "time_scale" in updated and not 0 <= float(updated["time_scale"]) <= 10:
        raise ValueError("time_scale must be between 0 and 10")
    if "throttle_rate" in updated and not 0 <= float(updated["throttle_rate"]) <= 0.5:
        raise ValueError("throttle_rate must be between 0 and 0.5")
    for name in ("time_scale", "throttle_rate"):
        if name in updated:
            updated[name] = float(updated[name])
    if "behaviour_seconds" in updated:
        stretched = dict(updated["behaviour_seconds"] or {})
        undocumented = sorted(set(stretched) - set(TYPICAL))
        if undocumented:
            raise ValueError(f"behaviour_seconds: unknown behaviours {', '.join(undocumented)}")
        if any(float(value) < 0 for value in stretched.values()):
            raise ValueError("behaviour_seconds: seconds must be 0 or more")
        updated["behaviour_seconds"] = {key: float(value) for key, value in stretched.items()}
    with _lock:
        _current = replace(current, **updated)
        return _current


def reset() -> Settings:
    """Back to the environment's settings (tests)."""
    global _current
    with _lock:
        _current = settings_from(os.environ)
        return _current


def seconds(behaviour: str, plain: float = 0.0, variable: str | None = None) -> float:
    """How long ``behaviour`` (a ``TYPICAL`` key) takes now: ``$variable`` when set, else the seconds a test set for it
    (``behaviour_seconds``), else AWS's typical figure times the time scale in realistic mode, else ``plain``."""
    typical = TYPICAL[behaviour]  # KeyError for a behaviour nobody documented
    raw = os.environ.get(variable, "").strip() if variable else ""
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
    current = settings()
    if behaviour in current.behaviour_seconds:
        return current.behaviour_seconds[behaviour]
    if current.realistic:
        return typical.seconds * current.time_scale
    return plain


def lingers(behaviour: str) -> float:
    """Seconds a realistic-only effect (eventual consistency, a lingering dependency) lasts; 0 in plain mode."""
    return seconds(behaviour, plain=0.0)


def now() -> float:
    """The clock every timed state is measured on (monotonic: wall-clock changes never move a resource on)."""
    return time.monotonic()


class Recording:
    """The timed behaviours the extensions started since the recording began: ``{behaviour, subject, started,
    duration}`` each, ``started`` in seconds since the recording began (on ``now()``'s clock), the newest ``limit``
    kept. Thread-safe; an entry costs one append."""

    def __init__(self, limit: int = 10_000):
        self._lock = threading.Lock()
        self._entries: deque[tuple[str, str | None, float, float]] = deque(maxlen=limit)
        self._origin = now()

    def add(self, behaviour: str, duration: float, subject: str | None = None, started: float | None = None) -> None:
        entry = (behaviour, subject, now() if started is None else started, max(0.0, float(duration)))
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            origin, entries = self._origin, list(self._entries)
        return {
            "elapsed": round(now() - origin, 3),
            "timers": [
                {
                    "behaviour": behaviour,
                    "subject": subject,
                    "started": round(started - origin, 3),
                    "duration": duration,
                }
                for behaviour, subject, started, duration in entries
            ],
        }

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._origin = now()


RECORDING = Recording()


def record(behaviour: str, duration: float, subject: str | None = None, started: float | None = None) -> None:
    """Note that ``behaviour`` (a ``TYPICAL`` key) of ``subject`` (a resource id, when known) started at ``started``
    (``now()`` when not given; later, for what begins once something else ends) and lasts ``duration`` seconds."""
    RECORDING.add(behaviour, duration, subject, started)


def recorded() -> dict[str, Any]:
    """``{"elapsed": seconds since the recording began, "timers": [...]}`` (``GET /_emulator/timers``)."""
    return RECORDING.snapshot()


def clear_recorded() -> dict[str, Any]:
    """Forget the recorded timers and start the recording's clock again (``DELETE /_emulator/timers``)."""
    RECORDING.clear()
    return RECORDING.snapshot()


class Timer:
    """When something started and how long it takes; ``done`` once that time has passed on the emulator's clock.

    The duration is fixed when the timer starts, so a mode switch mid-way does not move a resource back.
    """

    __slots__ = ("started", "duration")

    def __init__(self, duration: float):
        self.started = now()
        self.duration = max(0.0, duration)

    @classmethod
    def of(
        cls,
        behaviour: str,
        plain: float = 0.0,
        variable: str | None = None,
        subject: str | None = None,
        record: bool = True,
    ) -> Timer:
        """A timer of how long ``behaviour`` takes now (``seconds``), recorded with its ``subject`` unless ``record``
        is False (a caller that may still refuse the request records it itself once the behaviour really starts)."""
        timer = cls(seconds(behaviour, plain, variable))
        if record:
            RECORDING.add(behaviour, timer.duration, subject, timer.started)
        return timer

    @property
    def done(self) -> bool:
        return now() - self.started >= self.duration

    @property
    def left(self) -> float:
        return max(0.0, self.duration - (now() - self.started))
