"""EFS lifecycle states: file systems, mount targets and access points are ``creating`` before they are ``available``,
a deleted mount target is ``deleting`` before it is gone, and AWS refuses what those states do not allow.

What AWS does (EFS API reference):

* CreateFileSystem "returns while the file system's lifecycle state is still ``creating``"; DescribeFileSystems shows
  ``available`` once it is ready (terraform-provider-aws ``internal/service/efs/file_system.go``
  ``waitFileSystemAvailable``, 10 min). CreateMountTarget ("the file system's lifecycle state must be
  ``available``"), CreateAccessPoint, PutLifecycleConfiguration and PutFileSystemPolicy answer
  ``IncorrectFileSystemLifeCycleState`` (HTTP 409, "Returned if the file system's lifecycle state is not
  ``available``") before that.
* CreateMountTarget returns while the mount target is still ``creating`` (``mount_target.go``
  ``waitMountTargetCreated``, create timeout 30 min). DeleteMountTarget "returns while the mount target state is still
  ``deleting``"; DescribeMountTargets lists it until it is gone (``waitMountTargetDeleted``, delete timeout 10 min),
  and its network interface, which AWS deletes with it, stays until then. It still holds its Availability Zone, so a
  new mount target there is ``MountTargetConflict``.
* DeleteFileSystem of a file system with mount targets, those being deleted included, answers ``FileSystemInUse``
  (HTTP 409) "The file system '<id>' cannot be deleted because it has mount targets. You must delete the mount
  targets, and then try again." (AWS's message, as reported in rebuy-de/aws-nuke#1203; kanisterio/kanister#1140
  waits for deleting mount targets for this reason).
* CreateAccessPoint answers with the access point ``creating``; DescribeAccessPoints shows ``available`` when it is
  ready (``access_point.go`` ``waitAccessPointCreated``, 10 min).

moto 5.2.5 (efs/models.py): every file system, mount target and access point is ``available`` from the start (the
access point's state is a constant in ``AccessPoint.info_json``); DeleteMountTarget removes the mount target and
its network interface at once; DeleteFileSystem with mount targets answers ``FileSystemInUse`` "Must delete all mount
targets before deleting file system."; nothing answers ``IncorrectFileSystemLifeCycleState``.

The patch, in realistic mode (plain mode keeps moto's timing, durations being 0 there): a new file system is
``creating`` for ``realism.seconds('file_system.creating')``, a new mount target for ``'mount_target.creating'``, a
new access point for ``ACCESS_POINT_CREATING`` (AWS publishes no separate figure; the access point takes the file
system's), each fixed when the resource is created; a mount target given to DeleteMountTarget is ``deleting`` for
``'mount_target.deleting'`` and then removed with its network interface (again DeleteMountTarget while it is deleting
changes nothing). The states are settled when read (``info_json``) and deleted mount targets removed before every EFS
call that reads or changes mount targets or file systems, and before EC2 DescribeNetworkInterfaces, DeleteSubnet and
DeleteSecurityGroup, so the network interface is never seen after the mount target is gone. In either mode
CreateMountTarget, CreateAccessPoint, PutLifecycleConfiguration and PutFileSystemPolicy on a file system that is not
``available`` answer ``IncorrectFileSystemLifeCycleState``, and DeleteFileSystem with mount targets answers
``FileSystemInUse`` with AWS's message.

Not modelled: the ``updating`` state after UpdateFileSystem and the state checks of PutBackupPolicy and
UpdateFileSystem (operations other extensions add to moto), the ``deleting`` state of file systems and access
points, and the ``error`` state. The message of ``IncorrectFileSystemLifeCycleState`` is the emulator's: AWS
documents the code only.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.ec2.models import EC2Backend
from moto.efs.exceptions import EFSError, FileSystemInUse
from moto.efs.models import AccessPoint, EFSBackend, FileSystem, MountTarget

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

FILE_SYSTEM_CREATING = "file_system.creating"
MOUNT_TARGET_CREATING = "mount_target.creating"
MOUNT_TARGET_DELETING = "mount_target.deleting"
ACCESS_POINT_CREATING = FILE_SYSTEM_CREATING
CREATING, AVAILABLE, DELETING = "creating", "available", "deleting"

_TIMER = "_emulator_lifecycle_timer"  # moto's info_json leaves out attributes starting with "_"
_lock = threading.RLock()
# Mount targets DeleteMountTarget left deleting, by ID: (their backend, the mount target).
_deleting: dict[str, tuple[EFSBackend, MountTarget]] = {}


class IncorrectFileSystemLifeCycleState(EFSError):
    code = 409

    def __init__(self, file_system_id: str, state: str):
        super().__init__(
            "IncorrectFileSystemLifeCycleState",
            f"File system '{file_system_id}' is '{state}'; the operation needs it 'available'.",
        )


def in_use_message(file_system_id: str) -> str:
    return (
        f"The file system '{file_system_id}' cannot be deleted because it has mount targets. You must delete the mount"
        " targets, and then try again."
    )


# --------------------------------------------------------------------------- states


def _begin(resource: Any, behaviour: str, state: str, subject: str) -> bool:
    """Put ``resource`` (``subject``, its ID) in ``state`` for as long as ``behaviour`` takes now; False when that is
    no time at all."""
    timer = realism.Timer.of(behaviour, subject=subject)
    if timer.duration <= 0:
        return False
    with _lock:
        resource.__dict__[_TIMER] = timer
        resource.life_cycle_state = state
    return True


def state_of(resource: Any) -> str:
    """The lifecycle state of a file system, mount target or access point now (a finished ``creating`` settles)."""
    with _lock:
        state = getattr(resource, "life_cycle_state", AVAILABLE)
        timer = resource.__dict__.get(_TIMER)
        if state == CREATING and timer is not None and timer.done:
            state = resource.life_cycle_state = AVAILABLE
            del resource.__dict__[_TIMER]
        return state


def _remove(backend: EFSBackend, mount_target: MountTarget) -> None:
    """What moto's DeleteMountTarget does at once: the network interface, the ID, the file system's Zone slot."""
    if backend.mount_targets_by_id.get(mount_target.mount_target_id) is not mount_target:
        return
    ec2 = backend.ec2_backend
    interface = ec2.enis.get(mount_target.network_interface_id)
    # One that lingers after the mount target (ec2_lingering_interfaces) is removed when its lingering ends.
    if interface is not None and not interface.__dict__.get("_cloudops_outlives_owner"):
        ec2.delete_network_interface(mount_target.network_interface_id)
    del backend.mount_targets_by_id[mount_target.mount_target_id]
    mount_target.clean_up()


def sweep() -> None:
    """Remove the mount targets whose deletion has finished."""
    with _lock:
        for mount_target_id, (backend, mount_target) in list(_deleting.items()):
            timer = mount_target.__dict__.get(_TIMER)
            if timer is None or timer.done:
                del _deleting[mount_target_id]
                _remove(backend, mount_target)


def _require_available(backend: EFSBackend, file_system_id: str | None) -> None:
    """``IncorrectFileSystemLifeCycleState`` unless the file system is available; an unknown one is moto's to
    answer."""
    file_system = backend.file_systems_by_id.get(file_system_id or "")
    if file_system is not None:
        state = state_of(file_system)
        if state != AVAILABLE:
            raise IncorrectFileSystemLifeCycleState(file_system.file_system_id, state)


def _argument(args: tuple[Any, ...], kwargs: dict[str, Any], name: str, position: int) -> Any:
    return kwargs[name] if name in kwargs else (args[position] if len(args) > position else None)


# --------------------------------------------------------------------------- wrappers


def _swept_first(original: Any) -> Any:
    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        sweep()
        return original(self, *args, **kwargs)

    return method


def _settled_info(original: Any) -> Any:
    """FileSystem and MountTarget: ``info_json`` reads ``life_cycle_state``; settle it first."""

    @functools.wraps(original)
    def info_json(self: Any) -> dict[str, Any]:
        state_of(self)
        return original(self)

    return info_json


def _access_point_info(original: Any) -> Any:
    @functools.wraps(original)
    def info_json(self: AccessPoint) -> dict[str, Any]:
        info = original(self)
        info["LifeCycleState"] = state_of(self)
        return info

    return info_json


def _create_file_system_creating(original: Any) -> Any:
    @functools.wraps(original)
    def create_file_system(self: EFSBackend, *args: Any, **kwargs: Any) -> FileSystem:
        file_system = original(self, *args, **kwargs)
        _begin(file_system, FILE_SYSTEM_CREATING, CREATING, file_system.file_system_id)
        return file_system

    return create_file_system


def _create_mount_target_creating(original: Any) -> Any:
    @functools.wraps(original)
    def create_mount_target(self: EFSBackend, *args: Any, **kwargs: Any) -> MountTarget:
        sweep()
        _require_available(self, _argument(args, kwargs, "file_system_id", 0))
        mount_target = original(self, *args, **kwargs)
        _begin(mount_target, MOUNT_TARGET_CREATING, CREATING, mount_target.mount_target_id)
        return mount_target

    return create_mount_target


def _delete_mount_target_deleting(original: Any) -> Any:
    @functools.wraps(original)
    def delete_mount_target(self: EFSBackend, mount_target_id: str) -> None:
        sweep()
        with _lock:
            mount_target = self.mount_targets_by_id.get(mount_target_id)
            if mount_target is None:
                return original(self, mount_target_id)  # MountTargetNotFound
            if state_of(mount_target) == DELETING:
                return None
            if not _begin(mount_target, MOUNT_TARGET_DELETING, DELETING, mount_target_id):
                return original(self, mount_target_id)
            _deleting[mount_target_id] = (self, mount_target)
        return None

    return delete_mount_target


def _delete_file_system_in_use(original: Any) -> Any:
    @functools.wraps(original)
    def delete_file_system(self: EFSBackend, file_system_id: str) -> None:
        sweep()
        file_system = self.file_systems_by_id.get(file_system_id)
        if file_system is not None and file_system.number_of_mount_targets > 0:
            raise FileSystemInUse(in_use_message(file_system_id))
        return original(self, file_system_id)

    return delete_file_system


def _needs_available_file_system(position: int) -> Any:
    """For backend methods taking ``file_system_id`` (keyword, or at ``position`` among the positional arguments)."""

    def wrap(original: Any) -> Any:
        @functools.wraps(original)
        def method(self: EFSBackend, *args: Any, **kwargs: Any) -> Any:
            _require_available(self, _argument(args, kwargs, "file_system_id", position))
            return original(self, *args, **kwargs)

        return method

    return wrap


def _create_access_point_creating(original: Any) -> Any:
    @functools.wraps(original)
    def create_access_point(self: EFSBackend, *args: Any, **kwargs: Any) -> AccessPoint:
        # (client_token, tags, file_system_id, ...): an unknown file system is left to efs_access_point_not_found
        _require_available(self, _argument(args, kwargs, "file_system_id", 2))
        access_point = original(self, *args, **kwargs)
        _begin(access_point, ACCESS_POINT_CREATING, CREATING, access_point.access_point_id)
        return access_point

    return create_access_point


SWEPT_EFS_METHODS = (
    "describe_file_systems",
    "describe_mount_targets",
    "describe_mount_target_security_groups",
    "modify_mount_target_security_groups",
)
# EC2 calls that must not see the network interface of a mount target whose deletion has finished.
SWEPT_EC2_METHODS = ("get_all_network_interfaces", "delete_subnet", "delete_security_group")

# EFSBackend.create_access_point is also wrapped by efs_access_point_client_token and efs_access_point_not_found
# (WRAP_ORDER); this extension, installed after them, checks the file system's state first.
PATCHES = (
    Patch(FileSystem, "info_json", _settled_info),
    Patch(MountTarget, "info_json", _settled_info),
    Patch(AccessPoint, "info_json", _access_point_info),
    Patch(EFSBackend, "create_file_system", _create_file_system_creating),
    Patch(EFSBackend, "create_mount_target", _create_mount_target_creating),
    Patch(EFSBackend, "delete_mount_target", _delete_mount_target_deleting),
    Patch(EFSBackend, "delete_file_system", _delete_file_system_in_use),
    Patch(EFSBackend, "put_lifecycle_configuration", _needs_available_file_system(0)),
    Patch(EFSBackend, "put_file_system_policy", _needs_available_file_system(0)),
    Patch(EFSBackend, "create_access_point", _create_access_point_creating),
    *(Patch(EFSBackend, name, _swept_first) for name in SWEPT_EFS_METHODS),
    *(Patch(EC2Backend, name, _swept_first) for name in SWEPT_EC2_METHODS),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
