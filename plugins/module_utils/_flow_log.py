# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.vpc_flow_log."""

from __future__ import annotations

import uuid
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token

# IAM is eventually consistent: a role just created, or just given its policy, cannot be assumed by the flow logs
# service for a while, and CreateFlowLogs then fails as a whole (no flow log is created) with InvalidParameter
# "Unable to assume given IAM role: '<arn>'". terraform-provider-aws internal/service/ec2/vpc_flow_log.go retries
# exactly that error for iamPropagationTimeout, 2 minutes (internal/service/ec2/wait.go). Any other InvalidParameter
# (a malformed ARN, a bad log format) fails at once.
ROLE_NOT_ASSUMABLE_YET = Transient("InvalidParameter", "Unable to assume given IAM role")
IAM_PROPAGATION_TIMEOUT = 120

# Flow logs cannot be modified: any of these differing means delete and create again.
IMMUTABLE_FIELDS = (
    "resource_type",
    "traffic_type",
    "log_destination_type",
    "log_group_name",
    "log_destination",
    "deliver_logs_permission_arn",
    "max_aggregation_interval",
    "log_format",
)

_API_NAMES = {
    "resource_type": "ResourceType",
    "traffic_type": "TrafficType",
    "log_destination_type": "LogDestinationType",
    "log_group_name": "LogGroupName",
    "log_destination": "LogDestination",
    "deliver_logs_permission_arn": "DeliverLogsPermissionArn",
    "max_aggregation_interval": "MaxAggregationInterval",
    "log_format": "LogFormat",
}


def normalize_flow_log(flow_log: dict[str, Any]) -> dict[str, Any]:
    """A DescribeFlowLogs entry in the module's own terms, tags as a dict."""
    result = camel_dict_to_snake_dict(flow_log, ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(flow_log.get("Tags", []))
    result.pop("response_metadata", None)
    # DescribeFlowLogs names the type of the resource only through its id prefix.
    resource_id = result.get("resource_id", "")
    result.setdefault("resource_type", _resource_type_of(resource_id))
    if result.get("log_destination_type") == "cloud-watch-logs":
        # For CloudWatch the destination is the log group's ARN, which AWS derives from its name.
        result.pop("log_destination", None)
    return result


def _resource_type_of(resource_id: str) -> str:
    prefix = resource_id.split("-", 1)[0]
    return {"vpc": "VPC", "subnet": "Subnet", "eni": "NetworkInterface"}.get(prefix, "")


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The settings the caller asked for; unset options are left to AWS and not compared."""
    wanted = {field: params.get(field) for field in IMMUTABLE_FIELDS}
    if wanted["log_destination_type"] == "cloud-watch-logs":
        wanted.pop("log_destination")
    else:
        wanted.pop("log_group_name")
        wanted.pop("deliver_logs_permission_arn")
    return {field: value for field, value in wanted.items() if value is not None}


def settings_differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields whose wanted value differs from the current one, as {field: (current, wanted)}."""
    return {
        field: (current.get(field), value) for field, value in wanted.items() if current.get(field) != value
    }


class FlowLogManager(BaseResourceManager):
    """The flow log named ``name`` (its Name tag) on ``resource_id``."""

    def __init__(self, module, name: str, resource_id: str) -> None:
        super().__init__(module)
        self.ec2 = self.client("ec2")
        self.name = name
        self.resource_id = resource_id
        self.flow_log: dict[str, Any] | None = None

    def _find(self) -> dict[str, Any] | None:
        filters = ansible_dict_to_boto3_filter_list({"resource-id": self.resource_id, "tag:Name": self.name})
        found = call(self.ec2.describe_flow_logs, "describe flow logs", Filters=filters)["FlowLogs"]
        if len(found) > 1:
            ids = ", ".join(sorted(f["FlowLogId"] for f in found))
            raise AWSActionError(f"More than one flow log named {self.name} on {self.resource_id}: {ids}")
        return normalize_flow_log(found[0]) if found else None

    def _wanted_tags(self, tags: dict[str, Any] | None) -> dict[str, str]:
        return dict(tags or {}, Name=self.name)

    def ensure_present(self, wanted: dict[str, Any], tags: dict[str, Any] | None, purge_tags: bool) -> None:
        """``wanted`` is ``wanted_settings(params)``: a difference in any of them replaces the flow log."""
        current = self._find()
        tags = self._wanted_tags(tags)
        if current is None:
            self._create(wanted, tags, before={})
            return
        differences = settings_differences(current, wanted)
        if differences:
            # Only tags can change in place; everything else is a replacement, said so in the diff.
            self._delete(current["flow_log_id"])
            self._create(wanted, tags, before=current)
            return
        self.flow_log = current
        what = f"flow log {self.name}"
        after = self.sync_tags(self.ec2, "ec2", current["flow_log_id"], current["tags"], tags, purge_tags, what)
        if after is not None:
            self.flow_log = dict(current, tags=after)

    def _create(self, wanted: dict[str, Any], tags: dict[str, str], before: dict[str, Any]) -> None:
        predicted = dict(wanted, resource_id=self.resource_id, tags=tags)
        self.set_diff(before=before, after=predicted)
        request = {_API_NAMES[field]: value for field, value in wanted.items()}
        request.update(
            ResourceIds=[self.resource_id],
            # Tags go in with the create, so an interrupted run's flow log is found by name on the next
            # run; the token, fresh for each create, makes the SDK's retries of this one call safe. A
            # token derived from the settings alone would be answered with a flow log deleted since.
            ClientToken=idempotency_token(self.resource_id, self.name, str(uuid.uuid4())),
            TagSpecifications=boto3_tag_specifications(tags, types=["vpc-flow-log"]),
        )
        self.changed = True
        if self.check_mode:
            self.flow_log = predicted
            return
        # The failed tries created nothing, so retrying with the same token is safe.
        response = call_through(
            self.ec2.create_flow_logs,
            "create flow log",
            (ROLE_NOT_ASSUMABLE_YET,),
            IAM_PROPAGATION_TIMEOUT,
            **request,
        )
        if response.get("Unsuccessful"):
            error = response["Unsuccessful"][0].get("Error", {})
            raise AWSActionError(f"Failed to create flow log: {error.get('Code')}: {error.get('Message')}")
        self.flow_log = self._find() or predicted

    def ensure_absent(self) -> None:
        current = self._find()
        if current is None:
            return
        self.set_diff(before=current, after={})
        self._delete(current["flow_log_id"])

    def _delete(self, flow_log_id: str) -> None:
        self.change(
            self.ec2.delete_flow_logs,
            f"delete flow log {flow_log_id}",
            answers={"InvalidFlowLogId.NotFound": False},
            FlowLogIds=[flow_log_id],
        )
