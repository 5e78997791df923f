"""ELBv2 load balancer attributes: an application load balancer reports every attribute, with AWS's defaults.

moto 5.2.5 starts every load balancer with four attributes (``access_logs.s3.bucket``/``prefix``,
``deletion_protection.enabled`` and ``load_balancing.cross_zone.enabled=false``), and
``DescribeLoadBalancerAttributes`` returns just those plus whatever was modified since. AWS returns every attribute
of an application load balancer with its default from the start (``ALB_DEFAULTS`` below, as documented for the
``LoadBalancerAttribute`` key in the ELBv2 API reference and the ALB user guide). amazon.aws.elb_application_lb reads
``idle_timeout.timeout_seconds``, ``routing.http2.enabled``, ``routing.http.desync_mitigation_mode`` ... straight from
the describe result and stops with ``KeyError: 'idle_timeout_timeout_seconds'``. moto also reports cross-zone load
balancing off, which on an ALB is always on.

The wrappers give an application load balancer AWS's defaults the first time its attributes are described or
modified: every attribute it lacks gets its default, moto's own ``cross_zone=false`` becomes ``true``, and what it
already holds is kept. They then hand over to moto unchanged, so ``ModifyLoadBalancerAttributes`` still refuses keys
outside moto's ``FakeLoadBalancer.VALID_ATTRS`` (which holds every key of ``ALB_DEFAULTS``), stores what is set, and,
as on AWS, both calls answer with the full attribute set. Filling on first use rather than at creation also covers
load balancers created before install(). Network and gateway load balancers keep moto's behaviour: their default
set differs (and ``ipv6.deny_all_igw_traffic`` depends on the scheme) and amazon.aws.elb_network_lb only reads the
two attributes moto already has.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

# AWS's DescribeLoadBalancerAttributes for a fresh application load balancer.
ALB_DEFAULTS = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "client_keep_alive.seconds": "3600",
    "connection_logs.s3.enabled": "false",
    "connection_logs.s3.bucket": "",
    "connection_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "load_balancing.cross_zone.enabled": "true",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
    "zonal_shift.config.enabled": "false",
}

# Values moto puts into every new load balancer that are wrong for an ALB; replaced by ALB_DEFAULTS when filling.
MOTO_INITIAL_VALUES_WRONG_FOR_ALB = {"load_balancing.cross_zone.enabled": "false"}

# Set on a FakeLoadBalancer once its defaults are in place, so later calls keep what the client set.
_FILLED_MARKER = "_emulator_alb_default_attributes"


def fill_alb_defaults(balancer: FakeLoadBalancer) -> None:
    """Give an application load balancer the attributes AWS starts it with; once per balancer, others untouched."""
    if balancer.type != "application" or getattr(balancer, _FILLED_MARKER, False):
        return
    kept = {
        key: value
        for key, value in balancer.attrs.items()
        if MOTO_INITIAL_VALUES_WRONG_FOR_ALB.get(key, object()) != value
    }
    balancer.attrs = {**ALB_DEFAULTS, **kept}
    setattr(balancer, _FILLED_MARKER, True)


def _fill_first(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: ELBv2Backend, arn: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        balancer = self.load_balancers.get(arn)
        if balancer is not None:  # unknown ARNs: moto raises LoadBalancerNotFound as before
            fill_alb_defaults(balancer)
        return original(self, arn, *args, **kwargs)

    return wrapper


# Both methods are defined on ELBv2Backend itself, the class every account/region's backend is an instance of.
PATCHES = (
    Patch(ELBv2Backend, "describe_load_balancer_attributes", _fill_first),
    Patch(ELBv2Backend, "modify_load_balancer_attributes", _fill_first),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
