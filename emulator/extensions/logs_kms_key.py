"""CloudWatch Logs: AssociateKmsKey and DisassociateKmsKey on a log group.

moto 5.2.5 stores a log group's ``kmsKeyId`` from CreateLogGroup and describes it, but has neither
``AssociateKmsKey`` nor ``DisassociateKmsKey`` (``NotImplementedError: The associate_kms_key action has not been
implemented``), so the KMS key of an existing log group can never change.

AWS (CloudWatch Logs API reference, ``AssociateKmsKey``, ``DisassociateKmsKey``):

* ``AssociateKmsKey`` takes ``kmsKeyId`` (the ARN of a symmetric KMS key) and either ``logGroupName`` or
  ``resourceIdentifier`` (the log group's ARN, ``arn:aws:logs:<region>:<account>:log-group:<name>``), not both; the
  key then encrypts newly ingested events and DescribeLogGroups reports it as ``kmsKeyId``. A key that does not
  exist, or that the service may not use, is ``InvalidParameterException``; an unknown log group is
  ``ResourceNotFoundException``.
* ``DisassociateKmsKey`` takes ``logGroupName`` or ``resourceIdentifier``; afterwards DescribeLogGroups reports no
  ``kmsKeyId``. An unknown log group is ``ResourceNotFoundException``.

The extension adds both actions to ``LogsBackend`` and ``LogsResponse``. It sets moto's own ``LogGroup.kms_key_id``
(which ``to_describe_dict`` already reports). A key must be an ARN of a key in moto's KMS backend of the same
account and region (else ``InvalidParameterException``); key policies are not evaluated. The query-result
``resourceIdentifier`` (``...:query-result:*``) is not modelled and is refused with ``InvalidParameterException``.
"""

from __future__ import annotations

from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.models import LogGroup, LogsBackend
from moto.logs.responses import LogsResponse

from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added


def log_group_of(backend: LogsBackend, log_group_name: str | None, resource_identifier: str | None) -> LogGroup:
    """The log group named by exactly one of ``logGroupName`` / ``resourceIdentifier`` (its ARN)."""
    if bool(log_group_name) == bool(resource_identifier):
        raise InvalidParameterException("Specify either logGroupName or resourceIdentifier, but not both.")
    if resource_identifier:
        arn = resource_identifier[:-2] if resource_identifier.endswith(":*") else resource_identifier
        for group in backend.groups.values():
            if group.arn == arn:
                return group
        if ":log-group:" not in arn:
            raise InvalidParameterException(f"resourceIdentifier {resource_identifier} is not a log group ARN.")
        raise ResourceNotFoundException()
    group = backend.groups.get(log_group_name or "")
    if group is None:
        raise ResourceNotFoundException()
    return group


def _require_key(backend: LogsBackend, kms_key_id: str | None) -> str:
    from moto.kms.models import kms_backends

    prefix = f":kms:{backend.region_name}:{backend.account_id}:key/"
    if not kms_key_id or not kms_key_id.startswith("arn:") or prefix not in kms_key_id:
        raise InvalidParameterException(
            f"Specified KMS key {kms_key_id} is not a KMS key ARN of this account and region."
        )
    key_id = kms_key_id.rsplit("/", 1)[-1]
    if key_id not in kms_backends[backend.account_id][backend.region_name].keys:
        raise InvalidParameterException(f"Specified KMS key {kms_key_id} does not exist or is not allowed to be used.")
    return kms_key_id


def associate_kms_key(
    self: LogsBackend, log_group_name: str | None, resource_identifier: str | None, kms_key_id: str | None
) -> None:
    group = log_group_of(self, log_group_name, resource_identifier)
    group.kms_key_id = _require_key(self, kms_key_id)


def disassociate_kms_key(self: LogsBackend, log_group_name: str | None, resource_identifier: str | None) -> None:
    group = log_group_of(self, log_group_name, resource_identifier)
    group.kms_key_id = None


def associate_kms_key_response(self: LogsResponse) -> str:
    self.logs_backend.associate_kms_key(
        self._get_param("logGroupName"), self._get_param("resourceIdentifier"), self._get_param("kmsKeyId")
    )
    return ""


def disassociate_kms_key_response(self: LogsResponse) -> str:
    self.logs_backend.disassociate_kms_key(self._get_param("logGroupName"), self._get_param("resourceIdentifier"))
    return ""


associate_kms_key_response.__name__ = "associate_kms_key"
disassociate_kms_key_response.__name__ = "disassociate_kms_key"

# The methods moto lacks.
PATCHES = (
    Patch(LogsBackend, "associate_kms_key", added(associate_kms_key)),
    Patch(LogsBackend, "disassociate_kms_key", added(disassociate_kms_key)),
    Patch(LogsResponse, "associate_kms_key", added(associate_kms_key_response)),
    Patch(LogsResponse, "disassociate_kms_key", added(disassociate_kms_key_response)),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
