"""Service-linked roles that Elastic Load Balancing, Application Auto Scaling (ECS) and Client VPN create on first use.

What AWS does. Each of these services acts through an IAM role of its own, on the path
``/aws-service-role/<service principal>/``, trusted by that principal and holding an AWS managed policy. A new
account has none; the service creates its role when the account first uses it:

* Elastic Load Balancing ("Elastic Load Balancing service-linked role",
  https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html):
  ``AWSServiceRoleForElasticLoadBalancing``, trusted by ``elasticloadbalancing.amazonaws.com``, policy
  ``AWSElasticLoadBalancingServiceRolePolicy``; "Elastic Load Balancing creates this role for you when you create a
  load balancer or a target group", for every load balancer type (the role can be deleted only once the account has
  no Application, Network or Classic Load Balancer), and creates it again after it was deleted. No propagation error
  is documented, and terraform-provider-aws internal/service/elbv2 load_balancer.go retries nothing for it: the role
  is usable at once.
* Application Auto Scaling for ECS ("Service-linked roles for Application Auto Scaling",
  https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html,
  and "Amazon ECS and Application Auto Scaling",
  https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-ecs.html):
  ``AWSServiceRoleForApplicationAutoScaling_ECSService``, trusted by ``ecs.application-autoscaling.amazonaws.com``,
  policy ``AWSApplicationAutoscalingECSServicePolicy``, "automatically created in your AWS account when registering
  Amazon ECS resources as scalable targets". Application Auto Scaling looks at the ECS service through this role (the
  policy grants ``ecs:DescribeServices``). AWS documents no delay, but terraform-provider-aws
  internal/service/appautoscaling target.go (``registerScalableTarget``) retries ``ValidationException`` whose
  message contains "Unable to assume IAM role" for ``propagationTimeout`` (2 minutes, consts.go): a new role is not
  assumable at once.
* Client VPN ("Using roles for Client VPN",
  https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/using-service-linked-roles-cvpn-slr.html):
  ``AWSServiceRoleForClientVPN`` ("Allow Client VPN to create and manage resources related to your VPN
  connections"), trusted by ``clientvpn.amazonaws.com``, policy ``ClientVPNServiceRolePolicy``; "When you create the
  first Client VPN endpoint in your account ... Client VPN creates the service-linked role for you", and again after
  it was deleted. No propagation error is documented; terraform-provider-aws retries nothing for it.

IAM CreateServiceLinkedRole (``--aws-service-name`` one of the three principals) makes the role under those names,
and when it exists answers ``InvalidInput`` "Service role name <name> has been taken in this account, please try a
different suffix.".

moto 5.2.5 never creates any of these roles: CreateLoadBalancer (ELBv2 and classic), CreateTargetGroup and
RegisterScalableTarget do not look at IAM, and it has no Client VPN at all (``ec2_client_vpn`` adds it). Its
``IAMBackend.create_service_linked_role`` builds the name from the principal, capitalising only the services of its
``SERVICE_NAME_CONVERSION`` table: ``AWSServiceRoleForelasticloadbalancing``,
``AWSServiceRoleForApplicationAutoScaling_Ecs`` and ``AWSServiceRoleForclientvpn``; asked again, it answers
``EntityAlreadyExists`` "Role with name <its name> already exists.".

The patch, in realistic mode only (plain mode creates no role, so the suites' IAM role counts stay as they were; the
same rule as ``ecs_service_linked_role``, whose ECS role this file leaves alone):

* ELBv2 CreateLoadBalancer and CreateTargetGroup (``ELBv2Backend.create_load_balancer``, ``create_target_group``) and
  classic ELB CreateLoadBalancer (``ELBBackend.create_load_balancer``), once they have succeeded, create
  ``AWSServiceRoleForElasticLoadBalancing`` in an account whose IAM has no role on its path, usable at once;
* CreateClientVpnEndpoint (``EC2Response.create_client_vpn_endpoint`` of the ``ec2_client_vpn`` extension, which
  installs first: the extensions install in name order, see ``emulator/extensions/__init__.py``), once it has
  succeeded, creates ``AWSServiceRoleForClientVPN`` likewise. A refused call (a dry run, a bad certificate, a quota)
  creates no role;
* RegisterScalableTarget of namespace ``ecs`` (``ApplicationAutoscalingBackend.register_scalable_target``) whose
  namespace, resource and dimension are consistent creates ``AWSServiceRoleForApplicationAutoScaling_ECSService`` in
  an account without one and then, like every such call until ``realism.lingers("service_linked_role.creation")``
  has passed since (fixed at the creation), refuses with ``ValidationException`` "Unable to assume IAM role: <the
  role's ARN>" (the words terraform matches; the rest of AWS's text is not public), before moto registers anything.
  This wrapper is outside ``application_autoscaling_service_visibility``'s (it installs later), so a fresh account
  meets the role's refusal before "ECS service doesn't exist": Application Auto Scaling needs the role to look at the
  service. A role that already exists (made by IAM CreateServiceLinkedRole) is usable at once;
* ``IAMBackend.create_service_linked_role`` for the three principals, without a custom suffix, makes the role under
  AWS's name and path, with the managed policy attached, once.

The roles are created with ``IAMBackend.create_role`` (``iam_role_propagation`` sees them as any new role) and get
the managed policy when moto loads AWS managed policies (the emulator's launcher asks it to). Not modelled: the other
roles of these services (``AWSServiceRoleForClientVPNConnections`` of the client connect handler, Application Auto
Scaling's roles for other namespaces), the scalable target's ``RoleARN`` (moto keeps what the caller gave), and
DeleteServiceLinkedRole refusing while the service still has resources.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.models import ApplicationAutoscalingBackend, _target_params_are_valid
from moto.ec2.responses import EC2Response
from moto.elb.models import ELBBackend
from moto.elbv2.models import ELBv2Backend
from moto.iam.exceptions import InvalidInput
from moto.iam.models import IAMBackend, Role, iam_backends
from moto.utilities.utils import get_partition

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

CREATION = "service_linked_role.creation"  # realism.TYPICAL: how long a role a service just created is not assumable
UNABLE_TO_ASSUME = "Unable to assume IAM role: {arn}"


class LinkedRole(NamedTuple):
    """A service-linked role as AWS names it: ``service`` is the principal that trusts it."""

    service: str
    name: str
    policy: str
    description: str | None = None

    @property
    def path(self) -> str:
        return f"/aws-service-role/{self.service}/"

    @property
    def taken(self) -> str:
        """IAM CreateServiceLinkedRole's answer (``InvalidInput``) when the role exists."""
        return f"Service role name {self.name} has been taken in this account, please try a different suffix."

    @property
    def trust_policy(self) -> dict[str, Any]:
        return {
            "Version": "2012-10-17",
            "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [self.service]}}],
        }


ELASTIC_LOAD_BALANCING = LinkedRole(
    "elasticloadbalancing.amazonaws.com",
    "AWSServiceRoleForElasticLoadBalancing",
    "AWSElasticLoadBalancingServiceRolePolicy",
)
ECS_AUTO_SCALING = LinkedRole(
    "ecs.application-autoscaling.amazonaws.com",
    "AWSServiceRoleForApplicationAutoScaling_ECSService",
    "AWSApplicationAutoscalingECSServicePolicy",
)
CLIENT_VPN = LinkedRole(
    "clientvpn.amazonaws.com",
    "AWSServiceRoleForClientVPN",
    "ClientVPNServiceRolePolicy",
    "Allow Client VPN to create and manage resources related to your VPN connections.",
)
LINKED_ROLES = {linked.service: linked for linked in (ELASTIC_LOAD_BALANCING, ECS_AUTO_SCALING, CLIENT_VPN)}

_CREATION = "_emulator_slr_creation"  # realism.Timer on a role a service created: until it is assumable
_lock = threading.Lock()


# --------------------------------------------------------------------------- roles


def iam_of(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


def find(iam: IAMBackend, linked: LinkedRole) -> Role | None:
    """The account's role for ``linked``, whatever moto named it (or a role of its name: IAM has one per name)."""
    for role in list(iam.get_roles()):
        if (
            role.path == linked.path
            or getattr(role, "_linked_service", None) == linked.service
            or role.name == linked.name
        ):
            return role
    return None


def create(iam: IAMBackend, linked: LinkedRole, description: str | None = None) -> Role:
    """``linked``'s role under AWS's name, path and trust policy, with its managed policy when moto has it."""
    role = iam.create_role(
        linked.name,
        json.dumps(linked.trust_policy),
        linked.path,
        permissions_boundary=None,
        description=description or linked.description,
        tags=[],
        max_session_duration="3600",
        linked_service=linked.service,
    )
    policy = next((p for p in iam.managed_policies.values() if p.name == linked.policy), None)
    if policy is not None:  # moto loads AWS managed policies only when asked to (MOTO_IAM_LOAD_MANAGED_POLICIES)
        policy.attach_to(role)
    return role


def on_first_use(account_id: str, region_name: str, linked: LinkedRole, lingers: bool = False) -> Role | None:
    """The account's role for ``linked``. In realistic mode a missing one is created here, the way the service does
    on first use; with ``lingers`` it is not assumable for ``realism.lingers(CREATION)``. None in plain mode when the
    account has none."""
    iam = iam_of(account_id, region_name)
    with _lock:
        role = find(iam, linked)
        if role is None and realism.settings().realistic:
            role = create(iam, linked)
            if lingers:
                setattr(role, _CREATION, realism.Timer.of(CREATION, subject=role.arn))
        return role


def still_creating(role: Role) -> bool:
    """Whether the service that created ``role`` cannot assume it yet."""
    creation = getattr(role, _CREATION, None)
    return creation is not None and not creation.done


# --------------------------------------------------------------------------- wrappers


def _creating_after(linked: LinkedRole, account: Callable[[Any], tuple[str, str]]) -> Callable[[Any], Any]:
    """Wrapper factory: once the call has succeeded, the account (``account(self)``: id and Region) has the role."""

    def make(original: Any) -> Any:
        @functools.wraps(original)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            on_first_use(*account(self), linked)
            return result

        return wrapper

    return make


def _backend_account(backend: Any) -> tuple[str, str]:
    return backend.account_id, backend.region_name


def _response_account(response: EC2Response) -> tuple[str, str]:
    return response.ec2_backend.account_id, response.ec2_backend.region_name


def _client_vpn_creating_after(original: Callable[..., Any] | None) -> Callable[..., Any]:
    if original is None:  # ec2_client_vpn is not installed yet: moto has no Client VPN

        def not_implemented(self: EC2Response) -> Any:
            raise NotImplementedError("The create_client_vpn_endpoint action has not been implemented")

        original = not_implemented
    return _creating_after(CLIENT_VPN, _response_account)(original)


def _refused_until_assumable(original: Any) -> Any:
    @functools.wraps(original)
    def register_scalable_target(
        self: ApplicationAutoscalingBackend, namespace: str, r_id: str, dimension: str, *args: Any, **kwargs: Any
    ) -> Any:
        if namespace == "ecs":
            _target_params_are_valid(namespace, r_id, dimension)  # an inconsistent request creates no role
            role = on_first_use(self.account_id, self.region_name, ECS_AUTO_SCALING, lingers=True)
            if role is not None and still_creating(role):
                raise AWSValidationException(UNABLE_TO_ASSUME.format(arn=role.arn))
        return original(self, namespace, r_id, dimension, *args, **kwargs)

    return register_scalable_target


def _named_as_aws(original: Any) -> Any:
    @functools.wraps(original)
    def create_service_linked_role(self: IAMBackend, service_name: str, description: str, suffix: str) -> Any:
        linked = LINKED_ROLES.get(service_name)
        if linked is None or suffix:
            return original(self, service_name, description, suffix)
        with _lock:
            if find(self, linked) is not None:
                raise InvalidInput(linked.taken)
            return create(self, linked, description)

    return create_service_linked_role


PATCHES = (
    Patch(ELBv2Backend, "create_load_balancer", _creating_after(ELASTIC_LOAD_BALANCING, _backend_account)),
    Patch(ELBv2Backend, "create_target_group", _creating_after(ELASTIC_LOAD_BALANCING, _backend_account)),
    Patch(ELBBackend, "create_load_balancer", _creating_after(ELASTIC_LOAD_BALANCING, _backend_account)),
    Patch(EC2Response, "create_client_vpn_endpoint", _client_vpn_creating_after),
    Patch(ApplicationAutoscalingBackend, "register_scalable_target", _refused_until_assumable),
    Patch(IAMBackend, "create_service_linked_role", _named_as_aws),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
