#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_flow_log
short_description: Manage a flow log of a VPC, subnet or network interface
version_added: 0.1.0
description:
  - Creates, replaces or deletes one flow log, identified by its O(resource_id) and its C(Name) tag O(name).
  - Flow logs cannot be modified in place. A change to any setting but the tags deletes the flow log and
    creates it again; the diff shows the whole flow log before and after.
  - The flow log is tagged in the create call itself, so a run that was interrupted and started again
    finds it by O(name) instead of creating a second one; a ClientToken makes retries of the call safe.
  - An IAM role just created, or just given its policy, is not usable by the flow logs service until IAM has
    propagated the change, and AWS refuses the create meanwhile ("Unable to assume given IAM role"). The module
    retries the create through that answer, and only that one, for up to 2 minutes (as terraform-provider-aws
    does), so O(deliver_logs_permission_arn) may name a role created by the task before.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the flow log should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description: The value of the flow log's C(Name) tag; together with O(resource_id) it identifies the flow log.
    type: str
    required: true
  resource_id:
    description: The ID of the VPC, subnet or network interface whose traffic is logged.
    type: str
    required: true
  resource_type:
    description: The type of O(resource_id).
    type: str
    choices: [VPC, Subnet, NetworkInterface]
    default: VPC
  traffic_type:
    description: Which traffic to log.
    type: str
    choices: [ACCEPT, REJECT, ALL]
    default: ALL
  log_destination_type:
    description: Where the records go.
    type: str
    choices: [cloud-watch-logs, s3]
    default: cloud-watch-logs
  log_group_name:
    description: The CloudWatch Logs group. Required when O(log_destination_type=cloud-watch-logs).
    type: str
  deliver_logs_permission_arn:
    description:
      - The ARN of the IAM role that lets the flow logs service write to O(log_group_name).
      - Required when O(log_destination_type=cloud-watch-logs).
    type: str
  log_destination:
    description: The ARN of the S3 bucket (and optional prefix). Required when O(log_destination_type=s3).
    type: str
  max_aggregation_interval:
    description: Seconds over which packets are aggregated into one record.
    type: int
    choices: [60, 600]
    default: 600
  log_format:
    description: The fields of a record, in flow log syntax. Left to AWS's default format when not given.
    type: str
  tags:
    description: Tags for the flow log. The C(Name) tag is always set to O(name).
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Log rejected and accepted traffic of the VPC to CloudWatch Logs
  cloudops.fargate.vpc_flow_log:
    name: demo-local-flow-logs
    resource_id: "{{ network_vpc_id }}"
    log_group_name: /cloudops/demo-local/vpc-flow-logs
    deliver_logs_permission_arn: "{{ flow_logs_role.iam_role.arn }}"
    max_aggregation_interval: 60
    tags:
      Stack: demo

- name: Remove the flow log
  cloudops.fargate.vpc_flow_log:
    name: demo-local-flow-logs
    resource_id: "{{ network_vpc_id }}"
    state: absent
"""

RETURN = r"""
flow_log:
  description: The flow log as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    flow_log_id:
      description: The ID of the flow log. Absent in check mode before creation.
      type: str
      returned: when it exists
      sample: fl-0123456789abcdef0
    resource_id:
      description: The ID of the logged resource.
      type: str
      returned: when present
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: Which traffic is logged.
      type: str
      returned: when present
      sample: ALL
    log_destination_type:
      description: Where the records go.
      type: str
      returned: when present
      sample: cloud-watch-logs
    log_group_name:
      description: The CloudWatch Logs group.
      type: str
      returned: when the destination is CloudWatch Logs
      sample: /cloudops/demo-local/vpc-flow-logs
    deliver_logs_permission_arn:
      description: The IAM role the service writes with.
      type: str
      returned: when the destination is CloudWatch Logs
      sample: arn:aws:iam::123456789012:role/demo-local-flow-logs
    max_aggregation_interval:
      description: Aggregation interval in seconds.
      type: int
      returned: when present
      sample: 600
    log_format:
      description: The record format.
      type: str
      returned: when present and known
    tags:
      description: The flow log's tags.
      type: dict
      returned: when present
      sample: {"Name": "demo-local-flow-logs", "Stack": "demo"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._flow_log import FlowLogManager
from ansible_collections.cloudops.fargate.plugins.module_utils._flow_log import wanted_settings


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        resource_id=dict(type="str", required=True),
        resource_type=dict(type="str", choices=["VPC", "Subnet", "NetworkInterface"], default="VPC"),
        traffic_type=dict(type="str", choices=["ACCEPT", "REJECT", "ALL"], default="ALL"),
        log_destination_type=dict(type="str", choices=["cloud-watch-logs", "s3"], default="cloud-watch-logs"),
        log_group_name=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        log_destination=dict(type="str"),
        max_aggregation_interval=dict(type="int", choices=[60, 600], default=600),
        log_format=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[
            ("log_destination_type", "s3", ["log_destination"]),
        ],
    )
    params = module.params
    with module_errors(module):
        if params["state"] == "present" and params["log_destination_type"] == "cloud-watch-logs":
            missing = [k for k in ("log_group_name", "deliver_logs_permission_arn") if not params.get(k)]
            if missing:
                raise InputError(f"log_destination_type=cloud-watch-logs requires {' and '.join(missing)}")

        manager = FlowLogManager(module, params["name"], params["resource_id"])
        if params["state"] == "present":
            manager.ensure_present(wanted_settings(params), params["tags"], params["purge_tags"])
        else:
            manager.ensure_absent()
        module.exit_json(changed=manager.changed, flow_log=manager.flow_log or {}, diff=manager.diff())


if __name__ == "__main__":
    main()
