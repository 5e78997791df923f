# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.vpc_endpoint.

An endpoint is identified by its VPC, its service and its ``Name`` tag, and only a live one (pending, available,
pending acceptance) counts as the endpoint. DescribeVpcEndpoints also lists endpoints that are ``deleting``,
``deleted`` (for a while after their deletion), ``failed``, ``rejected`` or ``expired``; none of them serves, and
AWS never brings one back, so a new endpoint is created beside them. A ``failed`` endpoint of the same name is
deleted first: its network interfaces, if AWS made any, would otherwise hold the subnets and the security group
(terraform-provider-aws internal/service/ec2 wait.go ``waitVPCEndpointAvailable`` stops on ``failed``; the resource
is then tainted and replaced on the next apply).

The ClientToken of a create is derived from the endpoint's identity and the IDs of the dead endpoints of that name
still listed: a run interrupted after CreateVpcEndpoint finds the endpoint it made (live, by name) on the next run,
and a create after a teardown or a failure never reuses the token of an earlier create, which EC2 would answer with
the earlier, dead, endpoint (EC2 API reference, "Ensuring idempotency": the same token returns the first result).
"""

from __future__ import annotations

import json
import time
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Deadline
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate

# DescribeVpcEndpoints answers in lower camel case (pendingAcceptance); the API reference lists them capitalised.
LIVE_STATES = frozenset({"pendingacceptance", "pending", "available"})
FAILED = "failed"
GONE_STATES = frozenset({"deleted", "rejected", "expired"})


def state_of(endpoint: dict[str, Any]) -> str:
    return str(endpoint.get("state") or endpoint.get("State") or "").lower()


def normalize_endpoint(endpoint: dict[str, Any]) -> dict[str, Any]:
    """A DescribeVpcEndpoints entry in the module's terms: tags as a dict, the groups as IDs, the policy parsed."""
    result = camel_dict_to_snake_dict(endpoint, ignore_list=["Tags", "PolicyDocument"])
    result["tags"] = boto3_tag_list_to_ansible_dict(endpoint.get("Tags", []))
    result["security_group_ids"] = sorted(g["GroupId"] for g in endpoint.get("Groups", []))
    result.pop("groups", None)
    result["subnet_ids"] = sorted(endpoint.get("SubnetIds") or [])
    result["route_table_ids"] = sorted(endpoint.get("RouteTableIds") or [])
    result["policy_document"] = parsed_policy(endpoint.get("PolicyDocument"))
    result["state"] = state_of(endpoint)
    return result


def parsed_policy(policy: Any) -> Any:
    """A policy as data, so that formatting never counts as a difference."""
    if policy is None or isinstance(policy, dict):
        return policy
    try:
        return json.loads(policy)
    except ValueError:
        return policy


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The settings asked for; an option left unset is not compared. Lists are compared as sets."""
    wanted: dict[str, Any] = {}
    for field in ("subnet_ids", "security_group_ids", "route_table_ids"):
        if params.get(field) is not None:
            wanted[field] = sorted(set(params[field]))
    if params.get("private_dns_enabled") is not None:
        wanted["private_dns_enabled"] = bool(params["private_dns_enabled"])
    if params.get("policy") is not None:
        wanted["policy_document"] = parsed_policy(params["policy"])
    return wanted


def input_errors(endpoint_type: str, wanted: dict[str, Any]) -> list[str]:
    """What the endpoint type cannot take, named by option."""
    errors = []
    if endpoint_type == "Gateway":
        for field in ("subnet_ids", "security_group_ids", "private_dns_enabled"):
            if field in wanted:
                errors.append(f"{field} is for Interface endpoints; a Gateway endpoint takes route_table_ids")
    elif "route_table_ids" in wanted:
        errors.append("route_table_ids is for Gateway endpoints; an Interface endpoint takes subnet_ids")
    return errors


def modification(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """ModifyVpcEndpoint's parameters that bring ``current`` to ``wanted`` (empty when nothing differs)."""
    request: dict[str, Any] = {}
    for field, add, remove in (
        ("subnet_ids", "AddSubnetIds", "RemoveSubnetIds"),
        ("security_group_ids", "AddSecurityGroupIds", "RemoveSecurityGroupIds"),
        ("route_table_ids", "AddRouteTableIds", "RemoveRouteTableIds"),
    ):
        if field not in wanted:
            continue
        have, want = set(current.get(field) or []), set(wanted[field])
        if want - have:
            request[add] = sorted(want - have)
        if have - want:
            request[remove] = sorted(have - want)
    if "private_dns_enabled" in wanted and bool(current.get("private_dns_enabled")) != wanted["private_dns_enabled"]:
        request["PrivateDnsEnabled"] = wanted["private_dns_enabled"]
    if "policy_document" in wanted and current.get("policy_document") != wanted["policy_document"]:
        request["PolicyDocument"] = json.dumps(wanted["policy_document"])
    return request


def failure_of(endpoint: dict[str, Any]) -> str:
    error = endpoint.get("last_error") or {}
    reason = f"{error.get('code')}: {error.get('message')}" if error else "AWS gave no reason"
    return f"VPC endpoint {endpoint.get('vpc_endpoint_id')} ({endpoint.get('service_name')}) failed: {reason}"


class VpcEndpointManager(BaseResourceManager):
    """The endpoint named ``name`` (its Name tag) for ``service_name`` in ``vpc_id``."""

    def __init__(self, module, name: str, vpc_id: str, service_name: str, endpoint_type: str) -> None:
        super().__init__(module)
        self.ec2 = self.client("ec2")
        self.name = name
        self.vpc_id = vpc_id
        self.service_name = service_name
        self.endpoint_type = endpoint_type
        self.endpoint: dict[str, Any] | None = None
        self.replaced: list[str] = []
        self.deleted: list[str] = []

    def _all_named(self) -> list[dict[str, Any]]:
        """Every endpoint of this name, service and VPC that DescribeVpcEndpoints lists, in any state."""
        filters = [
            {"Name": "vpc-id", "Values": [self.vpc_id]},
            {"Name": "service-name", "Values": [self.service_name]},
            {"Name": "tag:Name", "Values": [self.name]},
        ]
        found = paginate(self.ec2.describe_vpc_endpoints, "describe VPC endpoints", "VpcEndpoints", Filters=filters)
        return [normalize_endpoint(e) for e in found]

    def _live(self, endpoints: list[dict[str, Any]]) -> dict[str, Any] | None:
        live = [e for e in endpoints if e["state"] in LIVE_STATES]
        if len(live) > 1:
            ids = ", ".join(sorted(e["vpc_endpoint_id"] for e in live))
            raise AWSActionError(f"More than one VPC endpoint named {self.name} for {self.service_name}: {ids}")
        return live[0] if live else None

    def ensure_present(self, wanted: dict[str, Any], tags: dict[str, Any] | None, purge_tags: bool) -> None:
        endpoints = self._all_named()
        tags = dict(tags or {}, Name=self.name)
        current = self._live(endpoints)
        if current is None:
            failed = [e for e in endpoints if e["state"] == FAILED]
            dead = sorted(e["vpc_endpoint_id"] for e in endpoints)
            self._create(wanted, tags, failed, dead)
            return
        if current.get("vpc_endpoint_type") and current["vpc_endpoint_type"] != self.endpoint_type:
            raise AWSActionError(
                f"VPC endpoint {current['vpc_endpoint_id']} ({self.name}) is of type {current['vpc_endpoint_type']},"
                f" not {self.endpoint_type}: the type cannot change; delete it first (state=absent)"
            )
        self.endpoint = current
        request = modification(current, wanted)
        if request:
            after = dict(current, **wanted)
            for field in wanted:
                self.differences.add(field, current.get(field), after[field])
            self.changed = True
            if not self.check_mode:
                call(
                    self.ec2.modify_vpc_endpoint,
                    f"modify VPC endpoint {current['vpc_endpoint_id']}",
                    VpcEndpointId=current["vpc_endpoint_id"],
                    **request,
                )
            self.endpoint = after
        what = f"VPC endpoint {self.name}"
        after_tags = self.sync_tags(self.ec2, "ec2", current["vpc_endpoint_id"], current["tags"], tags, purge_tags, what)
        if after_tags is not None:
            self.endpoint = dict(self.endpoint, tags=after_tags)

    def _create(
        self, wanted: dict[str, Any], tags: dict[str, str], failed: list[dict[str, Any]], dead: list[str]
    ) -> None:
        predicted = dict(
            wanted,
            vpc_id=self.vpc_id,
            service_name=self.service_name,
            vpc_endpoint_type=self.endpoint_type,
            state="pending" if self.endpoint_type != "Gateway" else "available",
            tags=tags,
        )
        self.set_diff(before=failed[0] if failed else {}, after=predicted)
        self.replaced = [e["vpc_endpoint_id"] for e in failed]
        self.changed = True
        if self.check_mode:
            self.endpoint = predicted
            return
        if failed:
            self._delete(self.replaced)
        request: dict[str, Any] = {
            "VpcId": self.vpc_id,
            "ServiceName": self.service_name,
            "VpcEndpointType": self.endpoint_type,
            "TagSpecifications": boto3_tag_specifications(tags, types=["vpc-endpoint"]),
            "ClientToken": idempotency_token(self.vpc_id, self.service_name, self.endpoint_type, self.name, *dead),
        }
        for field, key in (
            ("subnet_ids", "SubnetIds"),
            ("security_group_ids", "SecurityGroupIds"),
            ("route_table_ids", "RouteTableIds"),
            ("private_dns_enabled", "PrivateDnsEnabled"),
        ):
            if field in wanted:
                request[key] = wanted[field]
        if "policy_document" in wanted:
            request["PolicyDocument"] = json.dumps(wanted["policy_document"])
        created = call(self.ec2.create_vpc_endpoint, f"create VPC endpoint {self.name}", **request)["VpcEndpoint"]
        self.endpoint = normalize_endpoint(created)

    def ensure_absent(self) -> None:
        endpoints = [e for e in self._all_named() if e["state"] in LIVE_STATES or e["state"] == FAILED]
        if not endpoints:
            return
        self.set_diff(before=endpoints[0], after={})
        self.changed = True
        self.deleted = [e["vpc_endpoint_id"] for e in endpoints]
        if not self.check_mode:
            self._delete(self.deleted)

    def _delete(self, endpoint_ids: list[str]) -> None:
        response = call(
            self.ec2.delete_vpc_endpoints,
            f"delete VPC endpoint(s) {', '.join(endpoint_ids)}",
            answers={"InvalidVpcEndpointId.NotFound": {}},
            VpcEndpointIds=endpoint_ids,
        )
        refused = [
            item for item in response.get("Unsuccessful", [])
            if item.get("Error", {}).get("Code") != "InvalidVpcEndpointId.NotFound"
        ]
        if refused:
            reasons = "; ".join(
                f"{item.get('ResourceId')}: {item['Error'].get('Code')}: {item['Error'].get('Message')}" for item in refused
            )
            raise AWSActionError(f"Failed to delete VPC endpoint(s): {reasons}")

    def _describe(self, endpoint_ids: list[str]) -> list[dict[str, Any]]:
        found = call(
            self.ec2.describe_vpc_endpoints,
            "describe VPC endpoints",
            answers={"InvalidVpcEndpointId.NotFound": {}},
            VpcEndpointIds=endpoint_ids,
        )
        return [normalize_endpoint(e) for e in found.get("VpcEndpoints", [])]

    def wait_available(self, timeout: float, delay: float, sleep=time.sleep) -> None:
        """Until the endpoint is available; ``failed`` ends the wait with AWS's reason."""
        if self.check_mode or not self.endpoint or not self.endpoint.get("vpc_endpoint_id"):
            return
        endpoint_id = self.endpoint["vpc_endpoint_id"]
        deadline = Deadline(timeout)
        while True:
            found = self._describe([endpoint_id])
            if found:
                self.endpoint = found[0]
                if found[0]["state"] == "available":
                    return
                if found[0]["state"] == FAILED:
                    raise AWSActionError(failure_of(found[0]), vpc_endpoint=found[0], replaced=self.replaced)
            if deadline.expired:
                state = found[0]["state"] if found else "not listed yet"
                raise AWSActionError(
                    f"Timed out after {timeout:g} s waiting for VPC endpoint {endpoint_id} ({self.name}) to become"
                    f" available; it is {state}",
                    vpc_endpoint=self.endpoint,
                    replaced=self.replaced,
                )
            sleep(min(delay, deadline.remaining))

    def wait_deleted(self, endpoint_ids: list[str], timeout: float, delay: float, sleep=time.sleep) -> None:
        """Until none of ``endpoint_ids`` is still ``deleting`` (AWS then lists them ``deleted`` for a while)."""
        if self.check_mode or not endpoint_ids:
            return
        deadline = Deadline(timeout)
        while True:
            left = [e for e in self._describe(endpoint_ids) if e["state"] not in GONE_STATES]
            if not left:
                return
            if deadline.expired:
                states = ", ".join(f"{e['vpc_endpoint_id']} {e['state']}" for e in left)
                raise AWSActionError(f"Timed out after {timeout:g} s waiting for VPC endpoint(s) to be deleted: {states}")
            sleep(min(delay, deadline.remaining))
