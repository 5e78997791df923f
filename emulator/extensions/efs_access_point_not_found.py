"""EFS access points: a missing file system or access point is an error, as on AWS.

moto 5.2.5's ``EFSBackend`` never checks that the parent exists:

* ``create_access_point`` creates an access point in a file system that does not exist (or no longer does);
  AWS answers ``FileSystemNotFound`` (HTTP 404: "Returned if the specified FileSystemId value doesn't exist in the
  requester's AWS account"), one of CreateAccessPoint's documented errors;
* ``describe_access_points`` with ``FileSystemId`` of a missing file system returns an empty list; AWS answers
  ``FileSystemNotFound`` (DescribeAccessPoints' errors: FileSystemNotFound, AccessPointNotFound);
* ``delete_access_point`` of an id that does not exist succeeds; AWS answers ``AccessPointNotFound`` (HTTP 404,
  DeleteAccessPoint's errors).

``cloudops.fargate.efs_access_point`` tells "no such file system" apart from "no access point of that name": the
first fails a create with a clear message, and on ``state: absent`` means there is nothing to delete. Without
these errors a task against a deleted or mistyped file system would create an orphan access point in the emulator
where AWS refuses it.

The wrappers check ``file_systems_by_id`` / ``access_points`` and raise moto's own ``FileSystemNotFound`` /
``AccessPointNotFound``; otherwise they hand over to moto unchanged. An access point given by ARN to
DeleteAccessPoint is looked up by the id at its end.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.efs.exceptions import AccessPointNotFound, FileSystemNotFound
from moto.efs.models import EFSBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch


def _require_file_system(original: Any) -> Any:
    @functools.wraps(original)
    def create_access_point(self: EFSBackend, client_token: str, *args: Any, **kwargs: Any) -> Any:
        file_system_id = kwargs.get("file_system_id")
        if file_system_id is None and len(args) >= 2:  # (tags, file_system_id, ...) given positionally
            file_system_id = args[1]
        if file_system_id not in self.file_systems_by_id:
            raise FileSystemNotFound(file_system_id)
        return original(self, client_token, *args, **kwargs)

    return create_access_point


def _describe_requires_file_system(original: Any) -> Any:
    @functools.wraps(original)
    def describe_access_points(self: EFSBackend, access_point_id: str | None, file_system_id: str | None) -> Any:
        if not access_point_id and file_system_id and file_system_id not in self.file_systems_by_id:
            raise FileSystemNotFound(file_system_id)
        return original(self, access_point_id, file_system_id)

    return describe_access_points


def _delete_requires_access_point(original: Any) -> Any:
    @functools.wraps(original)
    def delete_access_point(self: EFSBackend, access_point_id: str) -> None:
        if access_point_id.rsplit("/", 1)[-1] not in self.access_points:
            raise AccessPointNotFound(access_point_id)
        return original(self, access_point_id.rsplit("/", 1)[-1])

    return delete_access_point


# Each method is defined on EFSBackend itself, the class of every account/region's backend.
PATCHES = (
    Patch(EFSBackend, "create_access_point", _require_file_system),
    Patch(EFSBackend, "describe_access_points", _describe_requires_file_system),
    Patch(EFSBackend, "delete_access_point", _delete_requires_access_point),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
