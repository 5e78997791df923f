"""DataSync from S3 to EFS: EFS locations, tags, and task executions that copy the S3 objects onto the file system.

What AWS does (DataSync API reference and user guide):

* CreateLocationEfs (API_CreateLocationEfs.html) takes ``EfsFilesystemArn`` and ``Ec2Config`` (required), and
  ``Subdirectory`` (default: the root, or the access point's root directory), ``AccessPointArn``,
  ``FileSystemAccessRoleArn``, ``InTransitEncryption`` (``NONE``/``TLS1_2``) and ``Tags``. "If you specify an access
  point using AccessPointArn or an IAM role using FileSystemAccessRoleArn, you must set this parameter to TLS1_2."
  The subnet "must be located in the same VPC as your file system [and] in the same Availability Zone as at least one
  mount target for your file system" (create-efs-location.html, "Determining the subnet and security groups for your
  mount target"); VPCs "must have default tenancy". Its only client error is ``InvalidRequestException``. Its
  ``LocationUri`` is ``efs://<region>.<fs-id>/<subdirectory>`` (terraform-provider-aws
  internal/service/datasync/location_efs.go reads the file system back from that "global ID").
* CreateLocationS3 runs an access test: for a bucket it cannot list it answers ``InvalidRequestException``
  "DataSync location access test failed: could not perform s3:ListObjectsV2 on bucket <name>. Access denied. Ensure
  bucket access role has s3:ListBucket permission.", and for a role it cannot assume yet "Unable to assume role.
  Reason: Access denied when calling sts:AssumeRole" (both retried by terraform-provider-aws
  internal/service/datasync/location_s3.go as IAM eventual consistency).
* Locations, tasks and task executions take tags (CreateLocation*/CreateTask ``Tags``, TagResource, UntagResource,
  ListTagsForResource).
* StartTaskExecution: "For each task, you can only run one task execution at a time" (API_StartTaskExecution.html).
  The execution goes QUEUED, LAUNCHING, PREPARING, TRANSFERRING, VERIFYING, then SUCCESS or ERROR
  (understand-task-statuses.html). Options (API_Options.html): ``TransferMode`` CHANGED (default) copies only what
  differs, ALL everything; ``OverwriteMode`` NEVER leaves differing destination files alone; ``PreserveDeletedFiles``
  REMOVE deletes destination files absent from the source and "you can't set TransferMode to ALL" with it;
  ``VerifyMode`` POINT_IN_TIME_CONSISTENT (default for Basic mode) checks the whole source against the destination,
  ONLY_FILES_TRANSFERRED what was copied, NONE nothing; in Basic mode Atime BEST_EFFORT needs Mtime PRESERVE and
  Atime NONE needs Mtime NONE. Enhanced mode is for transfers between S3 locations only (choosing-task-mode.html).
* Objects without DataSync's POSIX user metadata land as 65534:65534 with mode 0755 (metadata-copied.html, "Default
  POSIX metadata applied by DataSync"; the user metadata keys ``file-owner``, ``file-group``, ``file-permissions``
  as shown in rebelpeon.com/?p=7027). "If DataSync accesses a destination file system through an access point that
  enforces user identity, the POSIX user and group IDs for your source data aren't preserved if you configure your
  DataSync task to copy ownership. Instead, the transferred files and folders are set to the access point's user and
  group IDs. When this happens, task verification fails" (create-efs-location.html). An access point whose root
  directory does not exist is created with its ``CreationInfo``, and cannot be mounted without one (EFS user guide,
  "Creating the root directory for an access point").

moto 5.2.5 (datasync/models.py, responses.py): CreateLocationS3/Smb only, no CreateLocationEfs/DescribeLocationEfs,
no tag operations, no bucket check; a task execution starts ``INITIALIZING`` (not an AWS status), advances one status
per DescribeTaskExecution, copies nothing, and its DescribeTaskExecution answers only ``TaskExecutionArn`` and
``Status``; a second StartTaskExecution of a running task answers "Invalid request.".

The patch:

* adds CreateLocationEfs/DescribeLocationEfs with the checks above (DeleteLocation and ListLocations are moto's);
* checks the bucket and the role of CreateLocationS3 (the role through ``iam_role_propagation.role_usable``);
* keeps tags on moto's Location, Task and TaskExecution objects (so they go with them) and adds the tag operations;
* refuses REMOVE with ALL, the Basic-mode Atime/Mtime pairs and ENHANCED with an EFS location on CreateTask,
  UpdateTask and StartTaskExecution;
* runs the executions of tasks from an S3 location to an EFS location by time: ``realism.seconds('datasync.execution',
  PLAIN_SECONDS)`` split over the statuses in ``PHASES`` (no VERIFYING time with VerifyMode NONE). The source is
  listed when the execution starts (objects put after StartTaskExecution are not in it); once PREPARING is over the
  destination is compared, once TRANSFERRING is over the files are in ``emulator.efs_content`` (under the access
  point's root directory and the location's subdirectory), once VERIFYING is over the execution is SUCCESS or ERROR.
  Executions are settled when DataSync describes or starts them or lists tasks, and before the content route is read.
  DescribeTaskExecution keeps moto's ``TaskExecutionArn``/``Status`` and adds AWS's counters, ``Result``, times and
  options. A second StartTaskExecution while one runs is ``InvalidRequestException``. A missing bucket, file system,
  mount target or access point root directory makes the execution ERROR at LAUNCHING. CancelTaskExecution of a
  running execution makes it ERROR.

Not modelled: queueing behind other tasks and several executions of one task with different filters (refused, as the
stricter reading of "one task execution at a time"); the security groups' port 2049 rules; TaskReportConfig,
ManifestConfig, schedules, bandwidth and CloudWatch logging; executions of tasks between other location types (moto's
as before). The messages of the refusals whose text AWS does not publish (running execution, unknown file system,
subnet, security group, access point, option pairs) are the emulator's; the codes are AWS's.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from moto.datasync.exceptions import InvalidRequestException
from moto.datasync.models import DataSyncBackend, Location, Task, TaskExecution
from moto.datasync.responses import DataSyncResponse
from moto.ec2.models import ec2_backends
from moto.efs.models import efs_backends
from moto.iam.models import iam_backends
from moto.s3.models import FakeKey, s3_backends
from moto.utilities.utils import get_partition

from emulator import efs_content, realism
from emulator.extensions import _patching, iam_role_propagation
from emulator.extensions._patching import Patch, added

BEHAVIOUR = "datasync.execution"
PLAIN_SECONDS = 0.8  # plain mode: the whole execution within about a second
# Share of the execution's time each status takes (VERIFYING none with VerifyMode NONE).
PHASES = (("QUEUED", 0.05), ("LAUNCHING", 0.40), ("PREPARING", 0.25), ("TRANSFERRING", 0.20), ("VERIFYING", 0.10))
RUNNING_STATUSES = frozenset({"QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "CANCELLING"})
DEFAULT_OPTIONS = {
    "VerifyMode": "POINT_IN_TIME_CONSISTENT",
    "OverwriteMode": "ALWAYS",
    "Atime": "BEST_EFFORT",
    "Mtime": "PRESERVE",
    "Uid": "INT_VALUE",
    "Gid": "INT_VALUE",
    "PreserveDeletedFiles": "PRESERVE",
    "PreserveDevices": "NONE",
    "PosixPermissions": "PRESERVE",
    "BytesPerSecond": -1,
    "TaskQueueing": "ENABLED",
    "LogLevel": "OFF",
    "TransferMode": "CHANGED",
    "SecurityDescriptorCopyFlags": "NONE",
    "ObjectTags": "PRESERVE",
}
DEFAULT_UID = DEFAULT_GID = efs_content.DEFAULT_UID
DEFAULT_MODE = 0o755
EFS = "EFS"
S3 = "S3"
SUBDIRECTORY_PATTERN = re.compile(r"^[a-zA-Z0-9_\-\+\./\(\)\s]*$")
FILE_SYSTEM_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-eusc|aws-iso|aws-iso-b):elasticfilesystem:([a-z\-0-9]+):([0-9]{12}):"
    r"file-system/(fs-[0-9a-f]{8,40})$"
)
ACCESS_POINT_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-eusc|aws-iso|aws-iso-b):elasticfilesystem:([a-z\-0-9]+):([0-9]{12}):"
    r"access-point/(fsap-[0-9a-f]{8,40})$"
)
SUBNET_ARN = re.compile(r"^arn:[a-z\-]+:ec2:([a-z\-0-9]*):([0-9]{12}):subnet/(subnet-[a-f0-9]+)$")
SECURITY_GROUP_ARN = re.compile(r"^arn:[a-z\-]+:ec2:([a-z\-0-9]*):([0-9]{12}):security-group/(sg-[a-f0-9]+)$")
ROLE_ARN = re.compile(r"^arn:[a-z\-]+:iam::[0-9]{12}:role/.*$")

ACCESS_TEST_FAILED = (
    "DataSync location access test failed: could not perform s3:ListObjectsV2 on bucket {bucket}. Access denied. "
    "Ensure bucket access role has s3:ListBucket permission."
)
UNABLE_TO_ASSUME = "Unable to assume role. Reason: Access denied when calling sts:AssumeRole"
TLS_REQUIRED = (
    "InTransitEncryption must be TLS1_2 when you specify an access point (AccessPointArn) or an IAM role"
    " (FileSystemAccessRoleArn)."
)
REMOVE_WITH_ALL = "PreserveDeletedFiles REMOVE cannot be used with TransferMode ALL."

_TAGS = "_emulator_tags"
_RUN = "_emulator_run"
_lock = threading.RLock()
# Executions still to settle, by ARN: (their backend, the execution).
_pending: dict[str, tuple[DataSyncBackend, TaskExecution]] = {}


def refuse(message: str) -> InvalidRequestException:
    return InvalidRequestException(message)


# --------------------------------------------------------------------------- options


def merged_options(*layers: dict[str, Any] | None) -> dict[str, Any]:
    options = dict(DEFAULT_OPTIONS)
    for layer in layers:
        options.update({key: value for key, value in (layer or {}).items() if value is not None})
    return options


def check_options(options: dict[str, Any]) -> None:
    """The option pairs AWS refuses in Basic mode (API_Options.html)."""
    if options["PreserveDeletedFiles"] == "REMOVE" and options["TransferMode"] == "ALL":
        raise refuse(REMOVE_WITH_ALL)
    if options["Atime"] == "BEST_EFFORT" and options["Mtime"] != "PRESERVE":
        raise refuse("Atime BEST_EFFORT requires Mtime PRESERVE.")
    if options["Atime"] == "NONE" and options["Mtime"] != "NONE":
        raise refuse("Atime NONE requires Mtime NONE.")


# --------------------------------------------------------------------------- tags


def tags_of(resource: Any) -> list[dict[str, str]]:
    return resource.__dict__.setdefault(_TAGS, [])


def set_tags(resource: Any, tags: list[dict[str, Any]] | None) -> None:
    if not tags:
        return
    if len(tags) > 50:
        raise refuse("A resource can have at most 50 tags.")
    current = {tag["Key"]: tag.get("Value", "") for tag in tags_of(resource)}
    current.update({tag["Key"]: tag.get("Value", "") for tag in tags})
    if len(current) > 50:
        raise refuse("A resource can have at most 50 tags.")
    resource.__dict__[_TAGS] = [{"Key": key, "Value": value} for key, value in current.items()]


def _tagged(backend: DataSyncBackend, arn: str) -> Any:
    for table in (backend.locations, backend.tasks, backend.task_executions):
        if arn in table:
            return table[arn]
    raise refuse(f"Resource {arn} is not found.")


def list_tags_for_resource(self: DataSyncResponse) -> str:
    resource = _tagged(self.datasync_backend, self._get_param("ResourceArn"))
    return json.dumps({"Tags": list(tags_of(resource))})


def tag_resource(self: DataSyncResponse) -> str:
    set_tags(_tagged(self.datasync_backend, self._get_param("ResourceArn")), self._get_param("Tags"))
    return json.dumps({})


def untag_resource(self: DataSyncResponse) -> str:
    resource = _tagged(self.datasync_backend, self._get_param("ResourceArn"))
    keys = set(self._get_param("Keys") or [])
    resource.__dict__[_TAGS] = [tag for tag in tags_of(resource) if tag["Key"] not in keys]
    return json.dumps({})


# --------------------------------------------------------------------------- locations


def s3_bucket_and_prefix(location: Location) -> tuple[str, str]:
    """(bucket, key prefix without slashes) of an S3 location, from moto's URI ``s3://<bucket>/<subdirectory>``."""
    rest = location.uri[len("s3://") :]
    bucket, _, subdirectory = rest.partition("/")
    return bucket, "/".join(part for part in subdirectory.split("/") if part)


def _bucket(account_id: str, region: str, bucket_name: str) -> Any:
    try:
        return s3_backends[account_id][get_partition(region)].get_bucket(bucket_name)
    except Exception:  # MissingBucket, AccessDeniedByLock
        return None


def _role_exists(account_id: str, region: str, role_arn: str) -> bool:
    try:
        iam_backends[account_id][get_partition(region)].get_role_by_arn(role_arn)
    except Exception:
        return False
    return True


def _check_role(account_id: str, region: str, role_arn: str | None) -> None:
    if role_arn and (not _role_exists(account_id, region, role_arn) or not iam_role_propagation.role_usable(role_arn)):
        raise refuse(UNABLE_TO_ASSUME)


def _create_location_s3_checked(original: Any) -> Any:
    @functools.wraps(original)
    def create_location_s3(self: DataSyncResponse) -> str:
        bucket_name = str(self._get_param("S3BucketArn") or "").split(":")[-1]
        role_arn = (self._get_param("S3Config") or {}).get("BucketAccessRoleArn")
        _check_role(self.current_account, self.region, role_arn)
        if _bucket(self.current_account, self.region, bucket_name) is None:
            raise refuse(ACCESS_TEST_FAILED.format(bucket=bucket_name))
        answer = original(self)
        location = self.datasync_backend.locations[json.loads(answer)["LocationArn"]]
        set_tags(location, self._get_param("Tags"))
        return answer

    return create_location_s3


def _ec2_of(account_id: str, region: str) -> Any:
    return ec2_backends[account_id][region]


def _subdirectory(value: Any) -> str:
    subdirectory = "/" if value in (None, "") else str(value)
    if len(subdirectory) > 4096 or not SUBDIRECTORY_PATTERN.match(subdirectory):
        raise refuse(f"Invalid Subdirectory: {subdirectory}")
    return "/" + "/".join(part for part in subdirectory.split("/") if part)


def create_location_efs(self: DataSyncResponse) -> str:
    account_id, region = self.current_account, self.region
    file_system_arn = self._get_param("EfsFilesystemArn") or ""
    ec2_config = self._get_param("Ec2Config") or {}
    access_point_arn = self._get_param("AccessPointArn")
    role_arn = self._get_param("FileSystemAccessRoleArn")
    in_transit = self._get_param("InTransitEncryption") or "NONE"
    subdirectory = _subdirectory(self._get_param("Subdirectory"))

    matched = FILE_SYSTEM_ARN.match(file_system_arn)
    if not matched or matched.group(2) != region or matched.group(3) != account_id:
        raise refuse(f"Invalid EfsFilesystemArn: {file_system_arn}")
    file_system_id = matched.group(4)
    efs = efs_backends[account_id][region]
    file_system = efs.file_systems_by_id.get(file_system_id)
    if file_system is None:
        raise refuse(f"EFS file system {file_system_id} does not exist.")
    if in_transit not in ("NONE", "TLS1_2"):
        raise refuse(f"Invalid InTransitEncryption: {in_transit}")
    if (access_point_arn or role_arn) and in_transit != "TLS1_2":
        raise refuse(TLS_REQUIRED)

    subnet_arn = ec2_config.get("SubnetArn") or ""
    matched = SUBNET_ARN.match(subnet_arn)
    if not matched or matched.group(1) != region or matched.group(2) != account_id:
        raise refuse(f"Invalid SubnetArn: {subnet_arn}")
    ec2 = _ec2_of(account_id, region)
    try:
        subnet = ec2.get_subnet(matched.group(3))
    except Exception:
        raise refuse(f"Subnet {matched.group(3)} does not exist.") from None
    vpc = ec2.vpcs.get(subnet.vpc_id)
    if vpc is not None and getattr(vpc, "instance_tenancy", "default") != "default":
        raise refuse(f"VPC {subnet.vpc_id} has dedicated tenancy; DataSync needs a VPC with default tenancy.")
    mount_targets = list(file_system.iter_mount_targets())
    if mount_targets and all(mount_target.vpc_id != subnet.vpc_id for mount_target in mount_targets):
        raise refuse(f"Subnet {subnet.id} is not in the VPC of EFS file system {file_system_id}.")
    usable_zones = {
        mount_target._subnet.availability_zone
        for mount_target in mount_targets
        if getattr(mount_target, "life_cycle_state", "available") == "available" and _mount_target_settled(mount_target)
    }
    if subnet.availability_zone not in usable_zones:
        raise refuse(
            f"Subnet {subnet.id} is in Availability Zone {subnet.availability_zone}, where EFS file system"
            f" {file_system_id} has no available mount target."
        )

    security_group_arns = ec2_config.get("SecurityGroupArns") or []
    if not 1 <= len(security_group_arns) <= 5:
        raise refuse("Ec2Config SecurityGroupArns must name between 1 and 5 security groups.")
    for security_group_arn in security_group_arns:
        matched = SECURITY_GROUP_ARN.match(security_group_arn)
        if not matched or matched.group(1) != region or matched.group(2) != account_id:
            raise refuse(f"Invalid SecurityGroupArn: {security_group_arn}")
        group = ec2.get_security_group_from_id(matched.group(3))
        if group is None:
            raise refuse(f"Security group {matched.group(3)} does not exist.")
        if group.vpc_id != subnet.vpc_id:
            raise refuse(f"Security group {group.id} is not in the VPC of subnet {subnet.id}.")

    if access_point_arn:
        matched = ACCESS_POINT_ARN.match(access_point_arn)
        access_point = efs.access_points.get(matched.group(4)) if matched else None
        if access_point is None:
            raise refuse(f"Access point {access_point_arn} does not exist.")
        if access_point.file_system_id != file_system_id:
            raise refuse(
                f"Access point {access_point.access_point_id} does not belong to file system {file_system_id}."
            )
    if role_arn:
        if not ROLE_ARN.match(role_arn):
            raise refuse(f"Invalid FileSystemAccessRoleArn: {role_arn}")
        _check_role(account_id, region, role_arn)

    uri = f"efs://{region}.{file_system_id}{subdirectory.rstrip('/')}/"
    metadata = {
        "Ec2Config": {"SubnetArn": subnet_arn, "SecurityGroupArns": list(security_group_arns)},
        "EfsFilesystemArn": file_system_arn,
        "FileSystemId": file_system_id,
        "Subdirectory": subdirectory,
        "AccessPointArn": access_point_arn,
        "FileSystemAccessRoleArn": role_arn,
        "InTransitEncryption": in_transit,
        "CreationTime": time.time(),
        "Account": account_id,
        "Region": region,
    }
    arn = self.datasync_backend.create_location(uri, typ=EFS, metadata=metadata)
    set_tags(self.datasync_backend.locations[arn], self._get_param("Tags"))
    return json.dumps({"LocationArn": arn})


def _mount_target_settled(mount_target: Any) -> bool:
    """Whether efs_lifecycle_states (when installed) has the mount target available now."""
    try:
        from emulator.extensions import efs_lifecycle_states
    except ImportError:  # pragma: no cover - the package always has it
        return True
    return efs_lifecycle_states.state_of(mount_target) == "available"


def describe_location_efs(self: DataSyncResponse) -> str:
    location = self.datasync_backend._get_location(self._get_param("LocationArn"), typ=EFS)
    metadata = location.metadata
    answer = {
        "LocationArn": location.arn,
        "LocationUri": location.uri,
        "Ec2Config": metadata["Ec2Config"],
        "CreationTime": metadata["CreationTime"],
        "InTransitEncryption": metadata["InTransitEncryption"],
    }
    for name in ("AccessPointArn", "FileSystemAccessRoleArn"):
        if metadata.get(name):
            answer[name] = metadata[name]
    return json.dumps(answer)


# --------------------------------------------------------------------------- tasks


def _create_task_checked(original: Any) -> Any:
    @functools.wraps(original)
    def create_task(self: DataSyncResponse) -> str:
        backend = self.datasync_backend
        check_options(merged_options(self._get_param("Options")))
        if self._get_param("TaskMode") == "ENHANCED":
            for name in ("SourceLocationArn", "DestinationLocationArn"):
                location = backend.locations.get(self._get_param(name))
                if location is not None and location.typ != S3:
                    raise refuse("Enhanced mode tasks transfer between Amazon S3 locations only.")
        answer = original(self)
        set_tags(backend.tasks[json.loads(answer)["TaskArn"]], self._get_param("Tags"))
        return answer

    return create_task


def _update_task_checked(original: Any) -> Any:
    """UpdateTask changes what it is given (API_UpdateTask.html: every member but TaskArn is optional); moto's sets
    the name and every metadata member from the request, clearing what was not given, Name and Options included."""

    @functools.wraps(original)
    def update_task(self: DataSyncResponse) -> str:
        check_options(merged_options(self._get_param("Options")))
        task = self.datasync_backend.tasks.get(self._get_param("TaskArn"))
        before = (task.name, dict(task.metadata or {})) if task is not None else None
        answer = original(self)
        if before is not None:
            name, metadata = before
            if self._get_param("Name") is None:
                task.name = name
            for key, value in metadata.items():
                given = (task.metadata or {}).get(key)
                if given is None:
                    task.metadata[key] = value
                elif key == "Options" and isinstance(value, dict):
                    task.metadata[key] = {**value, **given}
        return answer

    return update_task


# --------------------------------------------------------------------------- executions


@dataclass
class SourceFile:
    data: bytes
    mode: int
    uid: int
    gid: int
    mtime: float


@dataclass
class Run:
    """An execution of an S3 -> EFS task: what it read, where it writes, and how far it got."""

    account_id: str
    region: str
    task_arn: str
    options: dict[str, Any]
    includes: list[dict[str, str]] | None
    excludes: list[dict[str, str]] | None
    destination: dict[str, Any]
    source: dict[str, SourceFile] | None  # relative path -> file; None when the bucket could not be listed
    source_directories: set[str]
    bucket: str
    started: float = field(default_factory=realism.now)
    start_time: float = field(default_factory=time.time)
    phases: list[tuple[str, float]] = field(default_factory=list)  # (status, seconds)
    status: str = "QUEUED"
    done: list[str] = field(default_factory=list)  # phases whose work is done
    plan: dict[str, Any] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    end_time: float | None = None
    error: tuple[str, str] | None = None  # (ErrorCode, ErrorDetail)


def _filtered(path: str, includes: list[dict[str, str]] | None, excludes: list[dict[str, str]] | None) -> bool:
    """Whether ``path`` (relative, leading slash) is left out by the SIMPLE_PATTERN filters."""

    def matches(rules: list[dict[str, str]] | None) -> bool:
        for rule in rules or []:
            for pattern in str(rule.get("Value", "")).split("|"):
                pattern = pattern.strip()
                if pattern and (fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern.rstrip("/") + "/")):
                    return True
        return False

    if includes and not matches(includes):
        return True
    return matches(excludes)


def _source_file(key: FakeKey) -> SourceFile:
    # moto keeps user metadata under its header name (x-amz-meta-<name>).
    metadata = {name.lower().removeprefix("x-amz-meta-"): value for name, value in dict(key.metadata).items()}

    def number(name: str, default: int, base: int = 10) -> int:
        try:
            return int(str(metadata[name]), base)
        except (KeyError, ValueError):
            return default

    return SourceFile(
        data=bytes(key.value),
        mode=number("file-permissions", DEFAULT_MODE, 8) & 0o7777,
        uid=number("file-owner", DEFAULT_UID),
        gid=number("file-group", DEFAULT_GID),
        mtime=key.last_modified.replace(tzinfo=datetime.timezone.utc).timestamp(),
    )


def _list_source(account_id: str, region: str, location: Location) -> tuple[str, Any, set[str]]:
    bucket_name, prefix = s3_bucket_and_prefix(location)
    bucket = _bucket(account_id, region, bucket_name)
    if bucket is None:
        return bucket_name, None, set()
    files: dict[str, SourceFile] = {}
    directories: set[str] = set()
    for name, key in list(bucket.keys.items()):
        if not isinstance(key, FakeKey):
            continue
        if prefix and not (name == prefix or name.startswith(prefix + "/")):
            continue
        relative = name[len(prefix) :] if prefix else name
        relative = "/" + relative.lstrip("/")
        if relative == "/":
            continue
        if relative.endswith("/"):
            directories.add(relative.rstrip("/"))
        else:
            files[relative] = _source_file(key)
    return bucket_name, files, directories


def _phases(options: dict[str, Any]) -> list[tuple[str, float]]:
    total = realism.seconds(BEHAVIOUR, PLAIN_SECONDS)
    return [
        (status, 0.0 if status == "VERIFYING" and options["VerifyMode"] == "NONE" else total * share)
        for status, share in PHASES
    ]


def run_of(execution: TaskExecution) -> Run | None:
    return execution.__dict__.get(_RUN)


def _fail(run: Run, code: str, detail: str) -> None:
    run.error = (code, detail)


def _efs_location_state(run: Run) -> tuple[Any, Any, str] | None:
    """(file system, access point or None, the destination root) when the destination can be mounted; else the run
    fails and None."""
    destination = run.destination
    efs = efs_backends[run.account_id][run.region]
    file_system = efs.file_systems_by_id.get(destination["FileSystemId"])
    if file_system is None:
        _fail(run, "EfsFileSystemNotFound", f"EFS file system {destination['FileSystemId']} does not exist.")
        return None
    try:
        subnet = _ec2_of(run.account_id, run.region).get_subnet(destination["Ec2Config"]["SubnetArn"].split("/")[-1])
        zone = subnet.availability_zone
    except Exception:
        zone = None
    if zone is None or not any(mt._subnet.availability_zone == zone for mt in file_system.iter_mount_targets()):
        _fail(
            run, "MountFailed", f"No mount target of {file_system.file_system_id} reachable from the location subnet."
        )
        return None
    access_point = None
    root = "/"
    if destination.get("AccessPointArn"):
        access_point = efs.access_points.get(destination["AccessPointArn"].split("/")[-1])
        if access_point is None:
            _fail(run, "MountFailed", f"Access point {destination['AccessPointArn']} does not exist.")
            return None
        root = efs_content.normalise((access_point.root_directory or {}).get("Path") or "/")
    return file_system, access_point, root


def _owner(run: Run, access_point: Any, source: SourceFile | None) -> tuple[int, int]:
    posix_user = (access_point.posix_user if access_point is not None else None) or {}
    if posix_user:
        return int(posix_user["Uid"]), int(posix_user["Gid"])
    uid = source.uid if source is not None and run.options["Uid"] != "NONE" else DEFAULT_UID
    gid = source.gid if source is not None and run.options["Gid"] != "NONE" else DEFAULT_GID
    return uid, gid


def _expected(run: Run, access_point: Any, source: SourceFile) -> tuple[int, int, int, float | None]:
    """(mode, uid, gid, mtime or None) the destination file gets."""
    uid, gid = _owner(run, access_point, source)
    mode = source.mode if run.options["PosixPermissions"] != "NONE" else DEFAULT_MODE
    mtime = source.mtime if run.options["Mtime"] == "PRESERVE" else None
    return mode, uid, gid, mtime


def _differs(run: Run, access_point: Any, source: SourceFile, entry: efs_content.FileEntry) -> bool:
    mode, uid, gid, mtime = _expected(run, access_point, source)
    if entry.data != source.data:
        return True
    if run.options["PosixPermissions"] != "NONE" and entry.mode != mode:
        return True
    if (run.options["Uid"] != "NONE" and entry.uid != uid) or (run.options["Gid"] != "NONE" and entry.gid != gid):
        return True
    return mtime is not None and entry.mtime != mtime


def _prepare(run: Run) -> None:
    """PREPARING: compare the source listing with the destination."""
    state = _efs_location_state(run)
    if state is None:
        return
    file_system, access_point, root = state
    content = efs_content.content_of_file_system(file_system)
    if root != "/" and not content.is_directory(root):
        creation = (access_point.root_directory or {}).get("CreationInfo") if access_point is not None else None
        if not creation:
            _fail(run, "MountFailed", f"The root directory {root} of the access point does not exist.")
            return
        content.make_directories(
            root, int(str(creation["Permissions"]), 8), int(creation["OwnerUid"]), int(creation["OwnerGid"])
        )
    base = efs_content.join(root, run.destination["Subdirectory"])
    transfer, delete, skipped = [], [], 0
    for relative, source in sorted((run.source or {}).items()):
        if _filtered(relative, run.includes, run.excludes):
            continue
        existing = content.read(efs_content.join(base, relative))
        if existing is None:
            transfer.append(relative)
        elif run.options["TransferMode"] == "ALL" or _differs(run, access_point, source, existing):
            if run.options["OverwriteMode"] == "NEVER":
                skipped += 1
            else:
                transfer.append(relative)
    if run.options["PreserveDeletedFiles"] == "REMOVE":
        for path in sorted(content.files_under(base)):
            relative = "/" + path[len(base) :].lstrip("/") if base != "/" else path
            if relative not in (run.source or {}) and not _filtered(relative, run.includes, run.excludes):
                delete.append(path)
    run.plan = {"base": base, "transfer": transfer, "delete": delete, "access_point": access_point}
    run.counters.update(
        EstimatedFilesToTransfer=len(transfer),
        EstimatedBytesToTransfer=sum(len(run.source[relative].data) for relative in transfer),
        EstimatedFilesToDelete=len(delete),
        FilesSkipped=skipped,
    )


def _transfer(run: Run) -> None:
    """TRANSFERRING: write the files, make the directories, delete what REMOVE removes."""
    state = _efs_location_state(run)
    if state is None:
        return
    file_system, access_point, _root = state
    content = efs_content.content_of_file_system(file_system)
    base = run.plan["base"]
    with content.lock:
        uid, gid = _owner(run, access_point, None)
        content.make_directories(base, DEFAULT_MODE, uid, gid)
        for directory in sorted(run.source_directories):
            if not _filtered(directory, run.includes, run.excludes):
                content.make_directories(efs_content.join(base, directory), DEFAULT_MODE, uid, gid)
        written = 0
        for relative in run.plan["transfer"]:
            source = run.source[relative]
            mode, file_uid, file_gid, mtime = _expected(run, access_point, source)
            content.write(efs_content.join(base, relative), source.data, mode, file_uid, file_gid, mtime)
            written += len(source.data)
        deleted = sum(1 for path in run.plan["delete"] if content.remove(path))
        for directory in sorted(content.directories_under(base), reverse=True):
            relative = "/" + directory[len(base) :].lstrip("/") if base != "/" else directory
            keep = relative in run.source_directories or any(
                efs_content.is_under(path, relative) for path in run.source or {}
            )
            if run.options["PreserveDeletedFiles"] == "REMOVE" and not keep:
                if not _filtered(relative, run.includes, run.excludes) and content.remove(directory):
                    deleted += 1
    run.counters.update(
        FilesTransferred=len(run.plan["transfer"]),
        BytesTransferred=written,
        BytesWritten=written,
        BytesCompressed=written,
        FilesDeleted=deleted,
    )


def _verify(run: Run) -> None:
    """VERIFYING: compare what the VerifyMode asks for; a mismatch is a verification error."""
    mode = run.options["VerifyMode"]
    if mode == "NONE":
        return
    state = _efs_location_state(run)
    if state is None:
        return
    file_system, access_point, _root = state
    content = efs_content.content_of_file_system(file_system)
    base = run.plan["base"]
    if mode == "ONLY_FILES_TRANSFERRED":
        checked = list(run.plan["transfer"])
    else:
        checked = [
            relative for relative in sorted(run.source or {}) if not _filtered(relative, run.includes, run.excludes)
        ]
    mismatched = []
    for relative in checked:
        source = run.source[relative]
        entry = content.read(efs_content.join(base, relative))
        if entry is None or entry.data != source.data:
            mismatched.append(relative)
            continue
        if run.options["Uid"] != "NONE" and entry.uid != source.uid:
            mismatched.append(relative)
        elif run.options["Gid"] != "NONE" and entry.gid != source.gid:
            mismatched.append(relative)
        elif run.options["PosixPermissions"] != "NONE" and entry.mode != source.mode:
            mismatched.append(relative)
        elif run.options["Mtime"] == "PRESERVE" and entry.mtime != source.mtime:
            mismatched.append(relative)
    run.counters["FilesVerified"] = len(checked) - len(mismatched)
    if mismatched:
        run.result["VerifyStatus"] = "ERROR"
        _fail(
            run,
            "VerificationFailed",
            f"Verification failed: {len(mismatched)} file(s) differ between source and destination, e.g."
            f" {mismatched[0]} (an access point that enforces a POSIX user changes the owner of what DataSync copies)",
        )


def settle(backend: DataSyncBackend, execution: TaskExecution) -> str:
    """Move the execution on to where its time has come; return its status."""
    with _lock:
        run = run_of(execution)
        if run is None:
            return execution.status
        if run.status in ("SUCCESS", "ERROR"):
            return run.status
        elapsed = realism.now() - run.started
        boundary = 0.0
        for status, seconds in run.phases:
            boundary += seconds
            run.status = status
            if elapsed < boundary:
                break
            if status not in run.done:
                run.done.append(status)
                if status == "LAUNCHING" and run.source is None:
                    _fail(run, "S3BucketNotFound", ACCESS_TEST_FAILED.format(bucket=run.bucket))
                elif status == "LAUNCHING":
                    _efs_location_state(run)
                elif status == "PREPARING":
                    _prepare(run)
                    run.result.update(PrepareDuration=int(seconds * 1000), PrepareStatus="SUCCESS")
                elif status == "TRANSFERRING":
                    _transfer(run)
                    run.result.update(TransferDuration=int(seconds * 1000), TransferStatus="SUCCESS")
                elif status == "VERIFYING":
                    _verify(run)
                    run.result.setdefault("VerifyStatus", "SUCCESS")
                    run.result["VerifyDuration"] = int(seconds * 1000)
                if run.error is not None:
                    _finish(backend, execution, run, "ERROR", phase=status)
                    return run.status
        else:
            _finish(backend, execution, run, "SUCCESS")
        execution.status = run.status
        return run.status


def _finish(backend: DataSyncBackend, execution: TaskExecution, run: Run, status: str, phase: str = "") -> None:
    run.status = execution.status = status
    run.end_time = time.time()
    run.result["TotalDuration"] = int((realism.now() - run.started) * 1000)
    if run.error is not None:
        run.result["ErrorCode"], run.result["ErrorDetail"] = run.error
        for name, key in (("PREPARING", "PrepareStatus"), ("TRANSFERRING", "TransferStatus")):
            if phase == name:
                run.result[key] = "ERROR"
    task = backend.tasks.get(run.task_arn)
    if task is not None and task.current_task_execution_arn == execution.arn:
        task.status = "AVAILABLE"
    _pending.pop(execution.arn, None)


def sweep() -> None:
    """Settle every execution still running (its effects on EFS happen whether or not anyone looks)."""
    with _lock:
        for arn, (backend, execution) in list(_pending.items()):
            if backend.task_executions.get(arn) is not execution:  # moto reset, or the execution is gone
                _pending.pop(arn, None)
                continue
            settle(backend, execution)


def _timestamp(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def execution_answer(execution: TaskExecution, run: Run) -> dict[str, Any]:
    counters = {
        name: run.counters.get(name, 0)
        for name in (
            "EstimatedFilesToTransfer",
            "EstimatedBytesToTransfer",
            "EstimatedFilesToDelete",
            "FilesTransferred",
            "BytesWritten",
            "BytesTransferred",
            "BytesCompressed",
            "FilesDeleted",
            "FilesSkipped",
            "FilesVerified",
        )
    }
    answer: dict[str, Any] = {
        "TaskExecutionArn": execution.arn,
        "Status": run.status,
        "Options": run.options,
        "Excludes": run.excludes or [],
        "Includes": run.includes or [],
        "StartTime": _timestamp(run.start_time),
        "LaunchTime": _timestamp(run.start_time),
        **counters,
        "Result": dict(run.result),
        "TaskMode": "BASIC",
    }
    if run.end_time is not None:
        answer["EndTime"] = _timestamp(run.end_time)
    return answer


def _start_task_execution_running(original: Any) -> Any:
    @functools.wraps(original)
    def start_task_execution(self: DataSyncResponse) -> str:
        backend = self.datasync_backend
        task_arn = self._get_param("TaskArn")
        task: Task | None = backend.tasks.get(task_arn)
        if task is None:
            return original(self)  # moto's InvalidRequestException
        sweep()
        current = backend.task_executions.get(task.current_task_execution_arn or "")
        if current is not None and run_of(current) is not None and settle(backend, current) in RUNNING_STATUSES:
            raise refuse(
                f"Cannot start a task execution for task {task_arn}: task execution {current.arn} is still running"
                " (for each task, you can only run one task execution at a time)."
            )
        source = backend.locations.get(task.source_location_arn)
        destination = backend.locations.get(task.destination_location_arn)
        if source is None or destination is None or source.typ != S3 or destination.typ != EFS:
            return original(self)
        options = merged_options((task.metadata or {}).get("Options"), self._get_param("OverrideOptions"))
        check_options(options)
        if current is not None and run_of(current) is not None:
            task.status = "AVAILABLE"  # settled above: moto's own check wants it AVAILABLE
        answer = original(self)
        execution = backend.task_executions[json.loads(answer)["TaskExecutionArn"]]
        bucket, files, directories = _list_source(self.current_account, self.region, source)
        run = Run(
            account_id=self.current_account,
            region=self.region,
            task_arn=task_arn,
            options=options,
            includes=self._get_param("Includes") or (task.metadata or {}).get("Includes"),
            excludes=self._get_param("Excludes") or (task.metadata or {}).get("Excludes"),
            destination=dict(destination.metadata),
            source=files,
            source_directories=directories,
            bucket=bucket,
        )
        run.phases = _phases(options)
        realism.record(BEHAVIOUR, sum(seconds for _status, seconds in run.phases), execution.arn, run.started)
        with _lock:
            execution.__dict__[_RUN] = run
            execution.status = run.status
            _pending[execution.arn] = (backend, execution)
        set_tags(execution, self._get_param("Tags"))
        settle(backend, execution)
        return answer

    return start_task_execution


def _describe_task_execution_timed(original: Any) -> Any:
    @functools.wraps(original)
    def describe_task_execution(self: DataSyncResponse) -> str:
        backend = self.datasync_backend
        execution = backend.task_executions.get(self._get_param("TaskExecutionArn"))
        run = run_of(execution) if execution is not None else None
        if run is None:
            return original(self)
        settle(backend, execution)
        return json.dumps(execution_answer(execution, run))

    return describe_task_execution


def _cancel_task_execution_timed(original: Any) -> Any:
    @functools.wraps(original)
    def cancel_task_execution(self: DataSyncResponse) -> str:
        backend = self.datasync_backend
        execution = backend.task_executions.get(self._get_param("TaskExecutionArn"))
        run = run_of(execution) if execution is not None else None
        if run is None:
            return original(self)
        with _lock:
            status = settle(backend, execution)
            if status not in RUNNING_STATUSES:
                raise refuse(f"Sync task cannot be cancelled in its current status: {status}")
            run.error = ("OpCancelled", "Cancelled by the user.")
            _finish(backend, execution, run, "ERROR")
        return json.dumps({})

    return cancel_task_execution


def _swept_first(original: Any) -> Any:
    @functools.wraps(original)
    def method(self: DataSyncResponse) -> str:
        sweep()
        return original(self)

    return method


# --------------------------------------------------------------------------- install


# DataSyncResponse and DataSyncBackend are shared by every account and Region; no other extension patches them.
PATCHES = (
    Patch(DataSyncResponse, "create_location_efs", added(create_location_efs)),
    Patch(DataSyncResponse, "describe_location_efs", added(describe_location_efs)),
    Patch(DataSyncResponse, "list_tags_for_resource", added(list_tags_for_resource)),
    Patch(DataSyncResponse, "tag_resource", added(tag_resource)),
    Patch(DataSyncResponse, "untag_resource", added(untag_resource)),
    Patch(DataSyncResponse, "create_location_s3", _create_location_s3_checked),
    Patch(DataSyncResponse, "create_task", _create_task_checked),
    Patch(DataSyncResponse, "update_task", _update_task_checked),
    Patch(DataSyncResponse, "start_task_execution", _start_task_execution_running),
    Patch(DataSyncResponse, "describe_task_execution", _describe_task_execution_timed),
    Patch(DataSyncResponse, "cancel_task_execution", _cancel_task_execution_timed),
    Patch(DataSyncResponse, "describe_task", _swept_first),
    Patch(DataSyncResponse, "list_tasks", _swept_first),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES) and efs_content.route_installed()


def install() -> None:
    _patching.install(__name__, PATCHES)
    efs_content.before_read(sweep)
    efs_content.install_route()
