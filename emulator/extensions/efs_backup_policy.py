"""EFS backup policies: PutBackupPolicy, and DescribeBackupPolicy answering as AWS does.

moto 5.2.5 has no ``PutBackupPolicy`` at all (``NotImplementedError: The put_backup_policy action has not been
implemented``), so automatic backups (Security Hub control EFS.7) can only be chosen with ``CreateFileSystem``'s
``Backup`` parameter and never changed afterwards. Its ``DescribeBackupPolicy`` answers ``PolicyNotFound`` for every
file system created without ``Backup=true``, and fails with an internal error (``KeyError``) for a file system that
does not exist. It also turns automatic backups on for every One Zone file system, even one created with
``Backup=false``.

AWS (EFS API reference, ``PutBackupPolicy``, ``DescribeBackupPolicy``, ``CreateFileSystem``, ``BackupPolicy``):

* ``PUT /2015-02-01/file-systems/{FileSystemId}/backup-policy`` with ``{"BackupPolicy": {"Status": "ENABLED" |
  "DISABLED"}}`` turns automatic backups on or off and answers with the policy; an unknown file system is
  ``FileSystemNotFound`` (404).
* ``DescribeBackupPolicy`` answers ``{"BackupPolicy": {"Status": ...}}``: ``ENABLED`` for a file system created with
  ``Backup=true`` (or turned on since), ``DISABLED`` for a Regional file system created without it (or turned off
  since). ``PolicyNotFound`` is only "returned if no backup is specified for a One Zone EFS file system"; an unknown
  file system is ``FileSystemNotFound``. Once a policy has been put, it is described, One Zone or not.
* ``CreateFileSystem``'s ``Backup``: "If you are creating a One Zone file system, automatic backups are enabled by
  default" -- by default only: an explicit ``Backup=false`` leaves them off.

The extension adds ``EFSBackend.put_backup_policy`` and ``EFSResponse.put_backup_policy``, wraps
``EFSBackend.describe_backup_policy`` (unknown file system: ``FileSystemNotFound``; Regional file system without
backups, or any file system whose backups a put turned off: ``DISABLED``; everything else as moto answers, from
moto's own ``FileSystem._backup`` flag, which the put sets), and wraps ``EFSResponse.create_file_system`` so that an
explicit ``Backup=false`` leaves a One Zone file system without backups. AWS's transitional states (``ENABLING``,
``DISABLING``) are not modelled: a put takes effect at once. File systems are named by their ID (the API also takes
the ARN, which moto's routing does not).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.efs.exceptions import BadRequest, FileSystemNotFound
from moto.efs.models import EFSBackend, FileSystem
from moto.efs.responses import EFSResponse

from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

ENABLED = "ENABLED"
DISABLED = "DISABLED"
# The statuses a PutBackupPolicy request may ask for (ENABLING and DISABLING are states AWS reports, not requests).
REQUESTABLE_STATUSES = (ENABLED, DISABLED)
# Set on a FileSystem by PutBackupPolicy: from then on it has a backup policy to describe, One Zone or not.
_PUT_MARKER = "_emulator_backup_policy_put"


def file_system_of(backend: EFSBackend, file_system_id: str | None) -> FileSystem:
    """The file system of an ID; ``FileSystemNotFound`` when there is none."""
    file_system = backend.file_systems_by_id.get(file_system_id or "")
    if file_system is None:
        raise FileSystemNotFound(file_system_id or "")
    return file_system


def put_backup_policy(self: EFSBackend, file_system_id: str, status: str | None) -> dict[str, str]:
    file_system = file_system_of(self, file_system_id)
    if status not in REQUESTABLE_STATUSES:
        raise BadRequest(f"BackupPolicy.Status must be one of {', '.join(REQUESTABLE_STATUSES)}, not {status!r}.")
    file_system._backup = status == ENABLED  # moto's own flag: its backup_policy property reads it
    setattr(file_system, _PUT_MARKER, True)
    return {"Status": status}


def put_backup_policy_response(self: EFSResponse) -> tuple[str, dict[str, Any]]:
    file_system_id = self._get_param("FileSystemId")
    policy = self._get_param("BackupPolicy") or {}
    status = policy.get("Status") if isinstance(policy, dict) else None
    result = self.efs_backend.put_backup_policy(file_system_id, status)
    return json.dumps({"BackupPolicy": result}), {"Content-Type": "application/json"}


put_backup_policy_response.__name__ = "put_backup_policy"


def _describe_as_aws(original: Any) -> Any:
    @functools.wraps(original)
    def describe_backup_policy(self: EFSBackend, file_system_id: str) -> dict[str, str]:
        file_system = file_system_of(self, file_system_id)
        has_policy = not file_system.availability_zone_name or getattr(file_system, _PUT_MARKER, False)
        if not file_system._backup and has_policy:
            return {"Status": DISABLED}
        return original(self, file_system.file_system_id)

    return describe_backup_policy


def _create_honouring_backup_false(original: Any) -> Any:
    @functools.wraps(original)
    def create_file_system(self: EFSResponse) -> Any:
        result = original(self)
        if self._get_param("Backup") is False and self._get_param("AvailabilityZoneName"):
            token = self._get_param("CreationToken")
            for file_system in self.efs_backend.file_systems_by_id.values():
                if file_system.creation_token == token:
                    file_system._backup = False
        return result

    return create_file_system


# What to put where: a method moto lacks, or a factory wrapping moto's.
PATCHES = (
    Patch(EFSBackend, "put_backup_policy", added(put_backup_policy)),
    Patch(EFSResponse, "put_backup_policy", added(put_backup_policy_response)),
    Patch(EFSBackend, "describe_backup_policy", _describe_as_aws),
    Patch(EFSResponse, "create_file_system", _create_honouring_backup_false),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
