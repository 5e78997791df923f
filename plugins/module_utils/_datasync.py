# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.datasync_task and datasync_execution_info: an S3 -> EFS DataSync task.

A task is found by its name (ListTasks, DescribeTask). Its two locations are DataSync's, and AWS cannot change what
matters about them (bucket, subdirectories, file system, access point, subnet, security groups, roles): when one
differs from what is asked, the task and its locations are created anew and the old ones deleted, once the new task
exists. The task's options are updated in place (UpdateTask). Every resource carries the caller's tags and
``Name``. ``start`` starts an execution (StartTaskExecution) and returns its ARN without waiting, so the caller awaits
it with progress (datasync_execution_info through wait_until); an execution still running is answered, not doubled.

CreateLocationS3 and CreateLocationEfs check their IAM roles at once, and a role created moments before is refused
until IAM has propagated it ("Unable to assume role", terraform-provider-aws internal/service/datasync
location_s3.go retries it for the IAM propagation timeout): retried here for ``role_timeout`` seconds.
"""

from __future__ import annotations

import time
from typing import Any

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import error_code
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate

RUNNING = ("QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING")
ENDED = ("SUCCESS", "ERROR", "CANCELLED")
ROLE_NOT_YET_USABLE = ("Unable to assume role", "sts:AssumeRole")
ROLE_RETRY_DELAY = 5


def location_uri(scheme: str, host: str, subdirectory: str) -> str:
    """A DataSync LocationUri, normalized: ``s3://bucket/a/b`` or ``efs://<region>.<fs-id>/a/b``, no trailing slash."""
    path = "/".join(part for part in (subdirectory or "").split("/") if part)
    return f"{scheme}://{host}/{path}".rstrip("/")


def normal_uri(uri: str) -> str:
    scheme, _separator, rest = (uri or "").partition("://")
    host, _slash, path = rest.partition("/")
    return location_uri(scheme, host, path)


def input_errors(params: dict[str, Any]) -> list[str]:
    errors = []
    source, destination = params.get("source_s3") or {}, params.get("destination_efs") or {}
    if params.get("state") == "present":
        if not str(source.get("bucket_arn", "")).startswith("arn:"):
            errors.append("source_s3.bucket_arn must be the bucket's ARN")
        if not source.get("bucket_access_role_arn"):
            errors.append("source_s3.bucket_access_role_arn is required: DataSync reads the bucket with it")
        for key in ("file_system_arn", "subnet_arn"):
            if not str(destination.get(key, "")).startswith("arn:"):
                errors.append(f"destination_efs.{key} must be an ARN")
        if not destination.get("security_group_arns"):
            errors.append("destination_efs.security_group_arns must name 1 to 5 security groups")
        if (destination.get("access_point_arn") or destination.get("file_system_access_role_arn")) and destination.get(
            "in_transit_encryption", "TLS1_2"
        ) != "TLS1_2":
            errors.append("destination_efs.in_transit_encryption must be TLS1_2 with an access point or an IAM role")
    return errors


class DataSyncTaskManager(BaseResourceManager):
    def __init__(self, module, name: str, tags: dict[str, str], role_timeout: int = 120) -> None:
        super().__init__(module)
        self.datasync = self.client("datasync")
        self.name = name
        self.tags = dict(tags, Name=name)
        self.role_timeout = role_timeout
        self.task: dict[str, Any] = {}
        self.execution_arn: str | None = None

    # --- reads -------------------------------------------------------------------------------------------

    def find(self) -> dict[str, Any] | None:
        for entry in paginate(self.datasync.list_tasks, "list DataSync tasks", "Tasks"):
            if entry.get("Name") == self.name:
                return call(self.datasync.describe_task, f"describe DataSync task {self.name}", TaskArn=entry["TaskArn"])
        return None

    def _source(self, arn: str) -> dict[str, Any]:
        return call(self.datasync.describe_location_s3, f"describe location {arn}", LocationArn=arn)

    def _destination(self, arn: str) -> dict[str, Any]:
        return call(self.datasync.describe_location_efs, f"describe location {arn}", LocationArn=arn)

    @staticmethod
    def _source_matches(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
        bucket = wanted["bucket_arn"].split(":::")[-1]
        same_uri = normal_uri(found.get("LocationUri", "")) == location_uri("s3", bucket, wanted["subdirectory"])
        return same_uri and (found.get("S3Config") or {}).get("BucketAccessRoleArn") == wanted["bucket_access_role_arn"]

    def _destination_matches(self, found: dict[str, Any], wanted: dict[str, Any]) -> bool:
        region = self.module.region
        config = found.get("Ec2Config") or {}
        return (
            normal_uri(found.get("LocationUri", ""))
            == location_uri("efs", f"{region}.{wanted['file_system_arn'].rsplit('/', 1)[-1]}", wanted["subdirectory"])
            and config.get("SubnetArn") == wanted["subnet_arn"]
            and sorted(config.get("SecurityGroupArns") or []) == sorted(wanted["security_group_arns"])
            and (found.get("AccessPointArn") or None) == (wanted.get("access_point_arn") or None)
            and (found.get("FileSystemAccessRoleArn") or None) == (wanted.get("file_system_access_role_arn") or None)
            and (found.get("InTransitEncryption") or "NONE") == wanted["in_transit_encryption"]
        )

    # --- converge ----------------------------------------------------------------------------------------

    def present(self, source: dict[str, Any], destination: dict[str, Any], options: dict[str, Any]) -> None:
        task = self.find()
        replace = None
        if task is not None:
            same = self._source_matches(self._source(task["SourceLocationArn"]), source) and self._destination_matches(
                self._destination(task["DestinationLocationArn"]), destination
            )
            if not same:
                replace = task
                task = None
        if task is None:
            self.changed = True
            self.set_diff(
                before={"task": replace["TaskArn"] if replace else None},
                after={"task": self.name, "source": source, "destination": destination},
            )
            if self.check_mode:
                self.task = {"name": self.name}
                return
            task = self._create(source, destination, options)
            if replace:
                self._delete(replace)
        else:
            current = {key: value for key, value in (task.get("Options") or {}).items() if key in options}
            if current != options:
                self.changed = True
                self.set_diff(before={"options": current}, after={"options": options})
                if not self.check_mode:
                    call(self.datasync.update_task, f"update DataSync task {self.name}", TaskArn=task["TaskArn"],
                         Options=options)
        self.task = self._result(task)

    def _with_role_retry(self, method, what: str, **request: Any) -> Any:
        deadline = time.monotonic() + self.role_timeout
        while True:
            try:
                return method(**request)
            except Exception as e:  # botocore's ClientError; anything else is re-raised below as it is
                message = str(e)
                if (
                    error_code(e) == "InvalidRequestException"
                    and any(part in message for part in ROLE_NOT_YET_USABLE)
                    and time.monotonic() < deadline
                ):
                    time.sleep(ROLE_RETRY_DELAY)
                    continue
                raise AWSActionError(f"Failed to {what}: {message}", exception=e) from e

    def _aws_tags(self) -> list[dict[str, str]]:
        return [{"Key": key, "Value": value} for key, value in sorted(self.tags.items())]

    def _create(self, source: dict[str, Any], destination: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        source_arn = self._with_role_retry(
            self.datasync.create_location_s3,
            f"create the S3 location of {self.name}",
            S3BucketArn=source["bucket_arn"],
            Subdirectory=source["subdirectory"],
            S3Config={"BucketAccessRoleArn": source["bucket_access_role_arn"]},
            Tags=self._aws_tags(),
        )["LocationArn"]
        efs_request = {
            "EfsFilesystemArn": destination["file_system_arn"],
            "Subdirectory": destination["subdirectory"],
            "Ec2Config": {"SubnetArn": destination["subnet_arn"], "SecurityGroupArns": destination["security_group_arns"]},
            "InTransitEncryption": destination["in_transit_encryption"],
            "Tags": self._aws_tags(),
        }
        optional = (("access_point_arn", "AccessPointArn"), ("file_system_access_role_arn", "FileSystemAccessRoleArn"))
        for key, name in optional:
            if destination.get(key):
                efs_request[name] = destination[key]
        destination_arn = self._with_role_retry(
            self.datasync.create_location_efs, f"create the EFS location of {self.name}", **efs_request
        )["LocationArn"]
        task_arn = call(
            self.datasync.create_task,
            f"create DataSync task {self.name}",
            SourceLocationArn=source_arn,
            DestinationLocationArn=destination_arn,
            Name=self.name,
            Options=options,
            Tags=self._aws_tags(),
        )["TaskArn"]
        return call(self.datasync.describe_task, f"describe DataSync task {self.name}", TaskArn=task_arn)

    def _delete(self, task: dict[str, Any]) -> None:
        call(self.datasync.delete_task, f"delete DataSync task {task['TaskArn']}",
             answers={"InvalidRequestException": None}, TaskArn=task["TaskArn"])
        for arn in (task.get("SourceLocationArn"), task.get("DestinationLocationArn")):
            if arn:
                call(self.datasync.delete_location, f"delete location {arn}",
                     answers={"InvalidRequestException": None}, LocationArn=arn)

    def absent(self) -> None:
        task = self.find()
        if task is None:
            return
        self.changed = True
        self.set_diff(before={"task": task["TaskArn"]}, after={"task": None})
        if not self.check_mode:
            self._delete(task)

    # --- executions --------------------------------------------------------------------------------------

    def start(self, includes: list[str]) -> None:
        """Start an execution, or answer the one running (DataSync runs one per task at a time)."""
        if not self.task.get("task_arn"):
            return  # check mode: the task does not exist yet
        running = self.task.get("current_task_execution_arn")
        if running:
            status = call(self.datasync.describe_task_execution, f"describe execution {running}",
                          TaskExecutionArn=running).get("Status")
            if status in RUNNING:
                self.execution_arn = running
                return
        self.changed = True
        if self.check_mode:
            return
        request: dict[str, Any] = {"TaskArn": self.task["task_arn"]}
        if includes:
            request["Includes"] = [{"FilterType": "SIMPLE_PATTERN", "Value": "|".join(includes)}]
        self.execution_arn = call(
            self.datasync.start_task_execution, f"start DataSync task {self.name}", **request
        )["TaskExecutionArn"]

    @staticmethod
    def _result(task: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": task.get("Name"),
            "task_arn": task.get("TaskArn"),
            "status": task.get("Status"),
            "source_location_arn": task.get("SourceLocationArn"),
            "destination_location_arn": task.get("DestinationLocationArn"),
            "current_task_execution_arn": task.get("CurrentTaskExecutionArn"),
            "options": task.get("Options") or {},
        }


def normalize_execution(response: dict[str, Any]) -> dict[str, Any]:
    """A DescribeTaskExecution answer in the return shape."""
    result = response.get("Result") or {}
    return {
        "execution_arn": response.get("TaskExecutionArn"),
        "status": response.get("Status"),
        "ended": response.get("Status") in ENDED,
        "files_transferred": response.get("FilesTransferred", 0),
        "bytes_transferred": response.get("BytesTransferred", 0),
        "files_deleted": response.get("FilesDeleted", 0),
        "estimated_files_to_transfer": response.get("EstimatedFilesToTransfer", 0),
        "error_code": result.get("ErrorCode") or result.get("VerifyStatus") == "ERROR" and "VerifyError" or None,
        "error_detail": result.get("ErrorDetail"),
        "result": result,
    }


def describe_execution(manager: BaseResourceManager, execution_arn: str) -> dict[str, Any]:
    if not execution_arn.startswith("arn:"):
        raise InputError("execution_arn must be a task execution's ARN")
    datasync = manager.client("datasync")
    return normalize_execution(
        call(datasync.describe_task_execution, f"describe execution {execution_arn}", TaskExecutionArn=execution_arn)
    )
