"""ACM imported certificates as ACM keeps them, and load balancers in a certificate's ``InUseBy``.

moto 5.2.5's ACM (``AWSCertificateManagerBackend``) gets imported certificates wrong in three ways that
``cloudops.fargate.acm_certificate`` relies on, and fills ``InUseBy`` for too few users:

* GetCertificate: ``CertBundle`` appends moto's bundled Amazon CA to every chain, so a certificate imported without
  one comes back with a ``CertificateChain`` nobody imported. ACM returns the chain as imported, and no
  ``CertificateChain`` at all when none was.
* ImportCertificate with ``CertificateArn`` (a re-import) builds a new certificate under the ARN, dropping the tags
  and ``InUseBy`` of the old one, and accepts ``Tags``. ACM replaces the certificate and key but keeps the
  certificate's tags and associations, and refuses ``Tags`` on a re-import (``ValidationException``; "You cannot
  apply tags when reimporting a certificate").
* DeleteCertificate deletes a certificate whose ``InUseBy`` is not empty. ACM answers ``ResourceInUseException``.
* ``InUseBy``: ELBv2 CreateListener records the *listener* ARN of the default certificate only; ModifyListener and
  AddListenerCertificates record nothing, and DeleteListener, DeleteLoadBalancer and RemoveListenerCertificates never
  clear anything (nor does classic ELB on DeleteLoadBalancer, DeleteLoadBalancerListeners or
  SetLoadBalancerListenerSSLCertificate). On AWS ``InUseBy`` lists the *load balancer* ARN, once, for as long as any
  of its listeners refers to the certificate.

This extension wraps ``AWSCertificateManagerBackend.import_certificate`` (refuse ``Tags`` on a re-import; keep the
chain as imported; carry the old certificate's tags and ``InUseBy`` over), ``delete_certificate`` (refuse while in
use) and ``AWSCertificateManagerResponse.get_certificate`` (leave out an empty ``CertificateChain``). Certificates
ACM issues (RequestCertificate) keep moto's chain. The ELBv2 backend's ``create_listener``, ``modify_listener``,
``add_listener_certificates``, ``remove_listener_certificates``, ``delete_listener`` and ``delete_load_balancer``
are wrapped to recompute, after moto has done its part, which ACM certificates of the region the load balancer's
listeners refer to (default and additional certificates): the load balancer ARN is added to those certificates'
``InUseBy`` and removed from the others', and moto's listener ARNs of that load balancer are dropped. Since the
delete refusal would otherwise leave a certificate once used by a classic ELB undeletable for good, classic ELB's
``delete_load_balancer``, ``delete_load_balancer_listeners`` and ``set_load_balancer_listener_ssl_certificate`` get
the same recomputation, under moto's name for that user (the load balancer's DNS name).

Not modelled: ACM's checks on what a re-import may change (the certificate's key type or domain names), the
``ImportedAt`` of a re-import, IAM server certificates (not ACM's), and other services that use certificates
(CloudFront, API Gateway).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from moto.acm.models import AWSCertificateManagerBackend, AWSValidationException, acm_backends
from moto.acm.responses import AWSCertificateManagerResponse
from moto.core.exceptions import AWSError
from moto.core.responses import ActionResult
from moto.elb.models import ELBBackend
from moto.elbv2.models import ELBv2Backend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

REIMPORT_TAGS_MESSAGE = "You cannot apply tags when reimporting a certificate."


class ResourceInUseException(AWSError):
    TYPE = "ResourceInUseException"


# --- InUseBy bookkeeping -------------------------------------------------------------------------------------


def sync_in_use_by(
    acm: AWSCertificateManagerBackend, user: str, referenced: Iterable[str], stale_prefix: str | None = None
) -> None:
    """Make ``user`` appear (once) in the ``InUseBy`` of exactly the certificates in ``referenced``.

    Entries starting with ``stale_prefix`` (moto's listener ARNs of the load balancer) are dropped. Lists are changed
    in place: a re-imported certificate shares its list with the one it replaced.
    """
    wanted = set(referenced)
    for bundle in acm._certificates.values():
        users: list[str] = []
        for entry in bundle.in_use_by:
            stale = stale_prefix is not None and entry.startswith(stale_prefix)
            keep = bundle.arn in wanted if entry == user else not stale
            if keep and entry not in users:
                users.append(entry)
        if bundle.arn in wanted and user not in users:
            users.append(user)
        if users != bundle.in_use_by:
            bundle.in_use_by[:] = users


def listener_certificate_arns(listener: Any) -> set[str]:
    arns = set(listener.certificates or [])
    if listener.certificate:
        arns.add(listener.certificate)
    return arns


def sync_load_balancer(elbv2: ELBv2Backend, load_balancer_arn: str) -> None:
    balancer = elbv2.load_balancers.get(load_balancer_arn)
    referenced: set[str] = set()
    if balancer is not None:
        for listener in balancer.listeners.values():
            referenced |= listener_certificate_arns(listener)
    listener_prefix = load_balancer_arn.replace(":loadbalancer/", ":listener/", 1) + "/"
    acm = acm_backends[elbv2.account_id][elbv2.region_name]
    sync_in_use_by(acm, load_balancer_arn, referenced, stale_prefix=listener_prefix)


def sync_classic_load_balancer(elb: ELBBackend, balancer: Any, deleted: bool = False) -> None:
    referenced = set() if deleted else {listener.ssl_certificate_id for listener in balancer.listeners}
    acm = acm_backends[elb.account_id][elb.region_name]
    sync_in_use_by(acm, balancer.dns_name, referenced - {None})


# --- wrappers ----------------------------------------------------------------------------------------------


def _import_keeping_certificate_state(original: Any) -> Any:
    @functools.wraps(original)
    def import_certificate(
        self: AWSCertificateManagerBackend,
        certificate: bytes,
        private_key: bytes,
        chain: bytes | None,
        arn: str | None,
        tags: list[dict[str, str]],
    ) -> str:
        previous = self._certificates.get(arn) if arn else None
        if previous is not None and tags:
            raise AWSValidationException(REIMPORT_TAGS_MESSAGE)
        new_arn = original(self, certificate, private_key, chain=chain, arn=arn, tags=tags)
        bundle = self._certificates[new_arn]
        bundle.chain = chain or b""  # as imported: moto appended its bundled CA
        if previous is not None and previous is not bundle:
            bundle.tags = previous.tags
            bundle.in_use_by = previous.in_use_by
        return new_arn

    return import_certificate


def _delete_refusing_in_use(original: Any) -> Any:
    @functools.wraps(original)
    def delete_certificate(self: AWSCertificateManagerBackend, arn: str) -> None:
        bundle = self._certificates.get(arn)
        if bundle is not None and bundle.in_use_by:
            raise ResourceInUseException(f"Certificate {arn} in account {self.account_id} is in use.")
        return original(self, arn)

    return delete_certificate


def _get_certificate_without_empty_chain(original: Any) -> Any:
    @functools.wraps(original)
    def get_certificate(self: AWSCertificateManagerResponse) -> Any:
        response = original(self)
        result = response.result if isinstance(response, ActionResult) else None
        if isinstance(result, dict) and not result.get("CertificateChain", True):
            return ActionResult(result={key: value for key, value in result.items() if key != "CertificateChain"})
        return response

    return get_certificate


def _then_sync_listener_load_balancer(original: Any) -> Any:
    """For methods whose first argument is a listener ARN and that leave the listener in place."""

    @functools.wraps(original)
    def wrapper(self: ELBv2Backend, arn: str, *args: Any, **kwargs: Any) -> Any:
        result = original(self, arn, *args, **kwargs)
        listener = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])[0]
        sync_load_balancer(self, listener.load_balancer_arn)
        return result

    return wrapper


def _then_sync_returned_listener_load_balancer(original: Any) -> Any:
    """For methods returning the listener they created, changed or deleted."""

    @functools.wraps(original)
    def wrapper(self: ELBv2Backend, *args: Any, **kwargs: Any) -> Any:
        listener = original(self, *args, **kwargs)
        sync_load_balancer(self, listener.load_balancer_arn)
        return listener

    return wrapper


def _delete_load_balancer_then_sync(original: Any) -> Any:
    @functools.wraps(original)
    def delete_load_balancer(self: ELBv2Backend, arn: str) -> None:
        original(self, arn)
        sync_load_balancer(self, arn)

    return delete_load_balancer


def _then_sync_classic_load_balancer(original: Any, deletes: bool = False) -> Any:
    """For classic ELB methods whose first argument is the load balancer's name."""

    @functools.wraps(original)
    def wrapper(self: ELBBackend, name: str, *args: Any, **kwargs: Any) -> Any:
        balancer = self.load_balancers.get(name)
        result = original(self, name, *args, **kwargs)
        if balancer is not None:
            sync_classic_load_balancer(self, balancer, deleted=deletes)
        return result

    return wrapper


# tests/unit/emulator/test_acm_imported_certificates.py restores each.
PATCHES = (
    Patch(AWSCertificateManagerBackend, "import_certificate", _import_keeping_certificate_state),
    Patch(AWSCertificateManagerBackend, "delete_certificate", _delete_refusing_in_use),
    Patch(AWSCertificateManagerResponse, "get_certificate", _get_certificate_without_empty_chain),
    Patch(ELBv2Backend, "create_listener", _then_sync_returned_listener_load_balancer),
    Patch(ELBv2Backend, "modify_listener", _then_sync_returned_listener_load_balancer),
    Patch(ELBv2Backend, "delete_listener", _then_sync_returned_listener_load_balancer),
    Patch(ELBv2Backend, "add_listener_certificates", _then_sync_listener_load_balancer),
    Patch(ELBv2Backend, "remove_listener_certificates", _then_sync_listener_load_balancer),
    Patch(ELBv2Backend, "delete_load_balancer", _delete_load_balancer_then_sync),
    Patch(ELBBackend, "delete_load_balancer", functools.partial(_then_sync_classic_load_balancer, deletes=True)),
    Patch(ELBBackend, "delete_load_balancer_listeners", _then_sync_classic_load_balancer),
    Patch(ELBBackend, "set_load_balancer_listener_ssl_certificate", _then_sync_classic_load_balancer),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
