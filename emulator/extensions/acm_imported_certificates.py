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

Eventual consistency (AWS, seen by every client: terraform-provider-aws ``internal/service/acm/certificate.go``
retries DeleteCertificate on ``ResourceInUseException`` for its 20-minute cross-service propagation timeout, and
``internal/service/elbv2/listener.go`` retries CreateListener and ModifyListener on ``CertificateNotFound`` within
their 5-minute timeouts):

* a load balancer that stops using a certificate (its listener deleted or changed, the load balancer deleted) stays
  in the certificate's ``InUseBy`` for a while, and DeleteCertificate answers ``ResourceInUseException`` meanwhile;
* a certificate just imported is unknown to ELBv2 for a few seconds: CreateListener, ModifyListener and
  AddListenerCertificates naming it answer ``CertificateNotFound`` "Certificate '<arn>' not found" (HTTP 400; ELBv2
  API reference, CertificateNotFoundException "The specified certificate does not exist").

In realistic mode the patch models both: a released user stays in ``InUseBy`` for
``realism.lingers('certificate.in_use_lingering')`` (from the release; taking the certificate up again ends it), and
a new import is unknown to those ELBv2 calls for ``realism.lingers('certificate.import_visibility')`` (a re-import
keeps what the certificate had). Expired entries leave ``InUseBy`` when the certificate is next read (every ACM read
and DeleteCertificate go through ``get_certificate`` or the delete wrapper). In plain mode both durations are 0. In
either mode an ACM certificate ARN that ACM does not have answers ``CertificateNotFound`` with AWS's message in
CreateListener and AddListenerCertificates (moto answers classic ELB's ``CertificateNotFoundException`` in the
first and accepts it in the second).

Not modelled: ACM's checks on what a re-import may change (the certificate's key type or domain names), the
``ImportedAt`` of a re-import, IAM server certificates (not ACM's), and other services that use certificates
(CloudFront, API Gateway).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from moto.acm.models import AWSCertificateManagerBackend, AWSValidationException, CertBundle, acm_backends
from moto.acm.responses import AWSCertificateManagerResponse
from moto.core.exceptions import AWSError
from moto.core.responses import ActionResult
from moto.elb.models import ELBBackend
from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

REIMPORT_TAGS_MESSAGE = "You cannot apply tags when reimporting a certificate."
IN_USE_LINGERING = "certificate.in_use_lingering"
IMPORT_VISIBILITY = "certificate.import_visibility"

# Kept on moto's CertBundle (a re-import carries them over): users released but still listed, user -> Timer; and
# when ELBv2 starts to see a new import.
_RELEASES = "_emulator_releases"
_VISIBLE = "_emulator_visible_to_elbv2"


class ResourceInUseException(AWSError):
    TYPE = "ResourceInUseException"


# --- InUseBy bookkeeping -------------------------------------------------------------------------------------


def sync_in_use_by(
    acm: AWSCertificateManagerBackend, user: str, referenced: Iterable[str], stale_prefix: str | None = None
) -> None:
    """Make ``user`` appear (once) in the ``InUseBy`` of exactly the certificates in ``referenced``.

    A certificate ``user`` stops referring to keeps it listed for ``realism.lingers(IN_USE_LINGERING)`` (0 in plain
    mode). Entries starting with ``stale_prefix`` (moto's listener ARNs of the load balancer) are dropped. Lists are
    changed in place: a re-imported certificate shares its list with the one it replaced.
    """
    wanted = set(referenced)
    linger = realism.lingers(IN_USE_LINGERING)
    for bundle in acm._certificates.values():
        releases = _releases_of(bundle)
        if bundle.arn in wanted:
            releases.pop(user, None)
        elif user in bundle.in_use_by and user not in releases and linger > 0:
            releases[user] = realism.Timer.of(IN_USE_LINGERING, subject=bundle.arn)
        users: list[str] = []
        for entry in bundle.in_use_by:
            stale = stale_prefix is not None and entry.startswith(stale_prefix)
            if entry == user:
                keep = bundle.arn in wanted or (user in releases and not releases[user].done)
            else:
                keep = not stale
            if keep and entry not in users:
                users.append(entry)
        if bundle.arn in wanted and user not in users:
            users.append(user)
        for released in [name for name in releases if name not in users]:
            del releases[released]
        if users != bundle.in_use_by:
            bundle.in_use_by[:] = users


def _releases_of(bundle: CertBundle) -> dict[str, realism.Timer]:
    return bundle.__dict__.setdefault(_RELEASES, {})


def expire_releases(bundle: CertBundle) -> None:
    """Drop from ``InUseBy`` the users whose release has been seen long enough."""
    releases = bundle.__dict__.get(_RELEASES)
    if not releases:
        return
    for user, timer in list(releases.items()):
        if timer.done:
            del releases[user]
            if user in bundle.in_use_by:
                bundle.in_use_by.remove(user)


def visible_to_elbv2(bundle: CertBundle) -> bool:
    timer = bundle.__dict__.get(_VISIBLE)
    return timer is None or timer.done


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
            for kept in (_RELEASES, _VISIBLE):
                if kept in previous.__dict__:
                    bundle.__dict__[kept] = previous.__dict__[kept]
        elif previous is None:
            if realism.lingers(IMPORT_VISIBILITY) > 0:
                bundle.__dict__[_VISIBLE] = realism.Timer.of(IMPORT_VISIBILITY, subject=new_arn)
        return new_arn

    return import_certificate


def _delete_refusing_in_use(original: Any) -> Any:
    @functools.wraps(original)
    def delete_certificate(self: AWSCertificateManagerBackend, arn: str) -> None:
        bundle = self._certificates.get(arn)
        if bundle is not None:
            expire_releases(bundle)
        if bundle is not None and bundle.in_use_by:
            raise ResourceInUseException(f"Certificate {arn} in account {self.account_id} is in use.")
        return original(self, arn)

    return delete_certificate


def _get_with_expired_releases_dropped(original: Any) -> Any:
    """Every ACM read (DescribeCertificate, ListCertificates, GetCertificate) goes through ``get_certificate``."""

    @functools.wraps(original)
    def get_certificate(self: AWSCertificateManagerBackend, arn: str) -> Any:
        bundle = original(self, arn)
        expire_releases(bundle)
        return bundle

    return get_certificate


def _get_certificate_without_empty_chain(original: Any) -> Any:
    @functools.wraps(original)
    def get_certificate(self: AWSCertificateManagerResponse) -> Any:
        response = original(self)
        result = response.result if isinstance(response, ActionResult) else None
        if isinstance(result, dict) and not result.get("CertificateChain", True):
            return ActionResult(result={key: value for key, value in result.items() if key != "CertificateChain"})
        return response

    return get_certificate


def certificate_not_found(arn: str) -> ELBClientError:
    return ELBClientError("CertificateNotFound", f"Certificate '{arn}' not found")


def require_visible_certificates(elbv2: ELBv2Backend, arns: Iterable[str | None]) -> None:
    """``CertificateNotFound`` for an ACM certificate ELBv2 does not see (yet); IAM certificates are moto's."""
    acm = acm_backends[elbv2.account_id][elbv2.region_name]
    for arn in arns:
        if not arn or ":acm:" not in arn:
            continue
        bundle = acm._certificates.get(arn)
        if bundle is None or not visible_to_elbv2(bundle):
            raise certificate_not_found(arn)


def _arns(certificates: list[dict[str, Any]] | None) -> list[str | None]:
    return [certificate.get("CertificateArn") for certificate in certificates or []]


def _create_listener_checked_then_sync(original: Any) -> Any:
    @functools.wraps(original)
    def create_listener(self: ELBv2Backend, *args: Any, **kwargs: Any) -> Any:
        require_visible_certificates(self, [kwargs.get("certificate", args[4] if len(args) > 4 else None)])
        listener = original(self, *args, **kwargs)
        sync_load_balancer(self, listener.load_balancer_arn)
        return listener

    return create_listener


def _modify_listener_checked_then_sync(original: Any) -> Any:
    @functools.wraps(original)
    def modify_listener(self: ELBv2Backend, arn: str, *args: Any, **kwargs: Any) -> Any:
        # (arn, port, protocol, ssl_policy, certificates, actions)
        require_visible_certificates(self, _arns(kwargs.get("certificates", args[3] if len(args) > 3 else None)))
        listener = original(self, arn, *args, **kwargs)
        sync_load_balancer(self, listener.load_balancer_arn)
        return listener

    return modify_listener


def _add_listener_certificates_checked_then_sync(original: Any) -> Any:
    @functools.wraps(original)
    def add_listener_certificates(self: ELBv2Backend, arn: str, certificates: list[dict[str, Any]]) -> Any:
        require_visible_certificates(self, _arns(certificates))
        result = original(self, arn, certificates)
        listener = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])[0]
        sync_load_balancer(self, listener.load_balancer_arn)
        return result

    return add_listener_certificates


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
    Patch(AWSCertificateManagerBackend, "get_certificate", _get_with_expired_releases_dropped),
    Patch(AWSCertificateManagerResponse, "get_certificate", _get_certificate_without_empty_chain),
    Patch(ELBv2Backend, "create_listener", _create_listener_checked_then_sync),
    Patch(ELBv2Backend, "modify_listener", _modify_listener_checked_then_sync),
    Patch(ELBv2Backend, "delete_listener", _then_sync_returned_listener_load_balancer),
    Patch(ELBv2Backend, "add_listener_certificates", _add_listener_certificates_checked_then_sync),
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
