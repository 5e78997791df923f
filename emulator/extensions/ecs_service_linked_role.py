"""ECS's service-linked role: created by the account's first CreateCluster or CreateService, usable a while later.

What AWS does (ECS developer guide, "Using service-linked roles for Amazon ECS"): ECS acts through the IAM role
``AWSServiceRoleForECS`` (path ``/aws-service-role/ecs.amazonaws.com/``, trusted by ``ecs.amazonaws.com``, policy
``AmazonECSServiceRolePolicy``). A new account has none; "when you create a cluster, or create or update a service
in the AWS Management Console, the AWS CLI, or the AWS API, Amazon ECS creates the service-linked role for you".
That creation does not complete before the call that started it answers: CreateCluster (and CreateService) fail with
``InvalidParameterException`` "Unable to assume the service linked role. Please verify that the ECS service linked
role exists." until the new role is usable. terraform-provider-aws internal/service/ecs/cluster.go
(``retryClusterCreate``: "CreateCluster will create the ECS IAM Service Linked Role on first ECS provision. This
process does not complete before the initial API call finishes.") and service.go (``retryServiceCreate``) retry that
message for ``propagationTimeout`` (2 minutes). An account whose role exists already (``iam create-service-linked-role
--aws-service-name ecs.amazonaws.com`` beforehand) never sees the error. IAM CreateServiceLinkedRole names the role
``AWSServiceRoleForECS`` and, when it exists, answers ``InvalidInput`` "Service role name AWSServiceRoleForECS has
been taken in this account, please try a different suffix.".

moto 5.2.5 never creates the role and never refuses CreateCluster or CreateService; its CreateServiceLinkedRole names
the ECS role ``AWSServiceRoleForecs`` (it capitalises only the services of its ``SERVICE_NAME_CONVERSION`` table) and
creates a second one when asked again.

The patch, in realistic mode only (plain mode creates no role, so the suites' IAM role counts stay as they were):
CreateCluster and CreateService (``EC2ContainerServiceBackend.create_cluster`` and ``create_service``) in an account
whose IAM has no role on the ECS service-linked path create ``AWSServiceRoleForECS`` there (with
``AmazonECSServiceRolePolicy`` attached when moto loads AWS managed policies), and then, like every such call until
``realism.lingers("service_linked_role.creation")`` has passed since, refuse with AWS's error. A role that already
exists (made by IAM CreateServiceLinkedRole) is usable at once. ``IAMBackend.create_service_linked_role`` for
``ecs.amazonaws.com`` makes the role under AWS's name, once.
"""

from __future__ import annotations

import functools
import json
import threading
from typing import Any

from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.iam.exceptions import InvalidInput
from moto.iam.models import IAMBackend, Role, iam_backends
from moto.utilities.utils import get_partition

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

SERVICE = "ecs.amazonaws.com"
ROLE_NAME = "AWSServiceRoleForECS"
PATH = f"/aws-service-role/{SERVICE}/"
DESCRIPTION = "Role to enable Amazon ECS to manage your cluster."
POLICY_NAME = "AmazonECSServiceRolePolicy"
MESSAGE = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
TAKEN = f"Service role name {ROLE_NAME} has been taken in this account, please try a different suffix."
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [SERVICE]}}],
}

_CREATION = "_emulator_slr_creation"  # realism.Timer on the role ECS created: until it is usable
_lock = threading.Lock()


def ecs_role(iam: IAMBackend) -> Role | None:
    """The account's ECS service-linked role, whatever moto named it."""
    for role in list(iam.get_roles()):
        if role.path == PATH or getattr(role, "_linked_service", None) == SERVICE:
            return role
    return None


def _create_role(iam: IAMBackend) -> Role:
    role = iam.create_role(
        ROLE_NAME,
        json.dumps(TRUST_POLICY),
        PATH,
        permissions_boundary=None,
        description=DESCRIPTION,
        tags=[],
        max_session_duration="3600",
        linked_service=SERVICE,
    )
    policy = next((p for p in iam.managed_policies.values() if p.name == POLICY_NAME), None)
    if policy is not None:  # moto loads AWS managed policies only when asked to (MOTO_IAM_LOAD_MANAGED_POLICIES)
        policy.attach_to(role)
    return role


def check(backend: EC2ContainerServiceBackend) -> None:
    """Create the account's ECS service-linked role on its first use (realistic mode); refuse while it is new."""
    iam = iam_backends[backend.account_id][get_partition(backend.region_name)]
    with _lock:
        role = ecs_role(iam)
        if role is None:
            if not realism.settings().realistic:
                return
            role = _create_role(iam)
            setattr(role, _CREATION, realism.Timer.of("service_linked_role.creation", subject=role.arn))
        creation = getattr(role, _CREATION, None)
    if creation is not None and not creation.done:
        raise InvalidParameterException(MESSAGE)


# --------------------------------------------------------------------------- wrappers


def _after_check(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        check(self)
        return original(self, *args, **kwargs)

    return wrapper


def _named_as_aws(original: Any) -> Any:
    @functools.wraps(original)
    def create_service_linked_role(self: IAMBackend, service_name: str, description: str, suffix: str) -> Any:
        if service_name != SERVICE or suffix:
            return original(self, service_name, description, suffix)
        with _lock:
            if ecs_role(self) is not None:
                raise InvalidInput(TAKEN)
            role = _create_role(self)
            if description:
                role.description = description
            return role

    return create_service_linked_role


PATCHES = (
    Patch(EC2ContainerServiceBackend, "create_cluster", _after_check),
    Patch(EC2ContainerServiceBackend, "create_service", _after_check),
    Patch(IAMBackend, "create_service_linked_role", _named_as_aws),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
