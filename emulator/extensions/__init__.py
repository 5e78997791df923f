"""Project extensions to moto: fixes for AWS APIs that moto lacks or gets wrong.

Contract:

* one file per gap in this package, named after the gap (e.g. ``nat_gateway_tag_filters.py``);
* each module exposes ``install()``, which patches moto in-process and is safe to call more than once, and
  ``is_installed()``; patch narrowly (wrap the one backend method or filter involved) so moto's other behaviour is
  unchanged, through ``_patching`` (a list of ``Patch(owner, name, make)``, installed once each and marked as the
  extension's);
* a test file per extension under ``tests/unit/emulator/`` (``test_<module>.py``) that exercises the fix
  through the running emulator and fails when the patch is missing.

``install_all()`` imports every module of the package and installs it; ``emulator.server.build_app()`` calls it
before moto serves its first request.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Iterable

# Extensions that wrap the same moto methods, innermost first: each install() wraps what is there, so an extension
# listed later wraps the ones before it and its code runs first on a call. ``install()`` installs these in this order
# before all others, which patch methods no other extension touches. The ECS service chains this gives:
#
#   EC2ContainerServiceBackend.create_service: service_linked_role(service_visibility(lifecycle(deployments(configuration(
#                                                   moto)))))  (the two outermost are unlisted: they install last)
#   EC2ContainerServiceBackend.update_service: lifecycle(deployments(default_security_group(configuration(moto))))
#   EC2ContainerServiceBackend.list_tasks:     tasks(deployments(moto))
#   EC2ContainerServiceResponse.create_service: lifecycle(configuration(moto))
#
# Why the order matters:
# * lifecycle is outermost: CreateService of an existing service is answered (same clientToken) or refused, and
#   UpdateService of a service that is not ACTIVE is refused, before any other extension acts on the request.
# * deployments wraps configuration: configuration sets the launch type, capacity provider strategy, platform version
#   and task definition ARN on the service once moto's create/update has returned, and deployments builds the new
#   deployment from the service after that (inside configuration, a deployment would get moto's launch type).
# * free: default_security_group completes the network configuration before the call goes on, so its place between
#   configuration and deployments does not matter; tasks filters what moto lists after deployments has moved the
#   cluster's services on, in either order; the two response wrappers each only keep a request member.
#
# The unlisted extensions install in name order, so a later name wraps an earlier one; service_linked_roles counts on
# that:
#
#   EC2Response.create_client_vpn_endpoint:                  service_quotas(service_linked_roles(ec2_client_vpn))
#   ApplicationAutoscalingBackend.register_scalable_target:  service_linked_roles(service_visibility(moto))
#   IAMBackend.create_service_linked_role:                   service_linked_roles(ecs_service_linked_role(moto))
#
# * ec2_client_vpn adds the action that service_linked_roles wraps; an endpoint service_quotas refuses makes no role.
# * a fresh account's RegisterScalableTarget meets the new role's refusal before "ECS service doesn't exist".
# * free: the two IAM wrappers each answer for their own services.
WRAP_ORDER = (
    "ecs_service_configuration",
    "ecs_service_default_security_group",
    "ecs_service_deployments",
    "ecs_service_lifecycle",
    "ecs_service_tasks",
    # EFSBackend.create_access_point: lifecycle_states(not_found(client_token(moto))); an unknown file system is
    # FileSystemNotFound before a file system still creating is IncorrectFileSystemLifeCycleState, before a reused
    # client token is AccessPointAlreadyExists.
    "efs_access_point_client_token",
    "efs_access_point_not_found",
    "efs_lifecycle_states",
    # ELBv2Backend.modify_listener, delete_listener and delete_load_balancer: target_group_load_balancers(acm(moto));
    # both recompute after moto has acted, independently of each other.
    "acm_imported_certificates",
    "elbv2_target_group_load_balancers",
    # AWSCertificateManagerResponse.get_certificate, ELBv2Backend.create_listener and add_listener_certificates:
    # dns_validation(acm(moto)); modify_listener: dns_validation(target_group_load_balancers(acm(moto))). The DNS
    # validation only refuses a certificate not yet issued before the others act, so the order changes no answer.
    "acm_dns_validation",
    # ECRBackend.put_image: layers(image_scanning(moto)); ecr_layers checks the digest and the layers before the image
    # is stored, so a push it refuses starts no scan, and ecr_image_scanning scans the image moto stored. (Inside out,
    # ecr_layers' test, which unwraps put_image by one __wrapped__ to get moto's, would unwrap the wrong extension.)
    "ecr_image_scanning",
    "ecr_layers",
)

_installed: set[str] = set()
_install_lock = threading.Lock()


def extension_names() -> list[str]:
    """Fully qualified names of all extension modules, in a stable order."""
    return sorted(
        f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__) if not module.name.startswith("_")
    )


def install_order(names: Iterable[str]) -> list[str]:
    """``names`` (fully qualified) in the order to install them: WRAP_ORDER first, then the others sorted."""
    ranked = {f"{__name__}.{name}": rank for rank, name in enumerate(WRAP_ORDER)}
    return sorted(set(names), key=lambda name: (ranked.get(name, len(ranked)), name))


def install(names: Iterable[str]) -> list[str]:
    """Install the extensions ``names`` (fully qualified) once each, in ``install_order``; return those this call
    installed (empty when all were already)."""
    newly_installed = []
    with _install_lock:
        for name in install_order(names):
            if name in _installed:
                continue
            module = importlib.import_module(name)
            install_module = getattr(module, "install", None)
            if not callable(install_module):
                raise TypeError(f"extension {name} must define install() (see emulator/extensions/__init__.py)")
            install_module()
            _installed.add(name)
            newly_installed.append(name)
    return newly_installed


def install_all() -> list[str]:
    """Install every extension once; return the names installed by this call (empty when already done)."""
    names = extension_names()
    unknown = sorted(set(WRAP_ORDER) - {name.rsplit(".", 1)[1] for name in names})
    if unknown:
        raise ValueError(f"WRAP_ORDER names extensions that do not exist: {', '.join(unknown)}")
    return install(names)
