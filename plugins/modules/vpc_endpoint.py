#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_endpoint
short_description: Manage a VPC endpoint (Interface or Gateway), replacing one AWS failed to provision
version_added: 0.4.0
description:
  - Creates, updates or deletes one VPC endpoint, identified by its VPC O(vpc_id), its O(service_name) and its
    C(Name) tag O(name).
  - Only a live endpoint (C(pending), C(available), C(pendingAcceptance)) is the endpoint. AWS keeps listing
    endpoints that are C(deleting), C(deleted), C(failed), C(rejected) or C(expired); none of them serves and none
    comes back, so a run creates a new endpoint beside them. An endpoint of the same name that AWS C(failed) to
    provision is deleted first, so a re-run after a failure ends with a working endpoint.
  - The endpoint is tagged in the create call, so a run that was interrupted finds it by O(name) instead of creating
    a second one. The ClientToken is derived from the endpoint's identity and the endpoints AWS still lists under
    that name, so a create after a teardown or a failure is never answered with the earlier, dead, endpoint.
  - Subnets, security groups, route tables, private DNS and the policy change in place (ModifyVpcEndpoint); the type
    cannot change.
  - With O(wait=true) the module waits until the endpoint is C(available), and fails with AWS's reason when it ends
    C(failed). With O(wait=false) it returns at once; a role can then await several endpoints together.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the endpoint should exist. V(absent) deletes the live and failed endpoints of O(name).
    type: str
    choices: [present, absent]
    default: present
  name:
    description: The value of the endpoint's C(Name) tag; with O(vpc_id) and O(service_name) it identifies the endpoint.
    type: str
    required: true
  vpc_id:
    description: The VPC of the endpoint.
    type: str
    required: true
  service_name:
    description: The endpoint service, for example C(com.amazonaws.us-east-1.ecr.api).
    type: str
    required: true
  endpoint_type:
    description: The type of endpoint. It cannot change once the endpoint exists.
    type: str
    choices: [Interface, Gateway]
    default: Interface
  subnet_ids:
    description:
      - Interface endpoints, one subnet per zone the endpoint serves. Left alone when not given.
      - AWS refuses a subnet in a zone the service does not cover (C(DescribeVpcEndpointServices) lists them).
    type: list
    elements: str
  security_group_ids:
    description: Interface endpoints, the groups of the endpoint's network interfaces. Left alone when not given.
    type: list
    elements: str
  route_table_ids:
    description: Gateway endpoints, the route tables that route the service's prefix list to it. Left alone when not given.
    type: list
    elements: str
  private_dns_enabled:
    description:
      - Interface endpoints, whether the service's default DNS name resolves to the endpoint inside the VPC.
      - Left to AWS (enabled for AWS services) when not given.
    type: bool
  policy:
    description: The endpoint policy, as a dict or JSON. Left alone when not given (AWS's default allows everything).
    type: json
  tags:
    description: Tags for the endpoint. The C(Name) tag is always set to O(name).
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
  wait:
    description:
      - With O(state=present), wait until the endpoint is C(available); with O(state=absent), until it is deleted.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait; AWS takes a minute or two, terraform-provider-aws allows 10 minutes.
    type: int
    default: 600
  wait_delay:
    description: Seconds between two looks at the endpoint while waiting.
    type: int
    default: 15
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Start an interface endpoint for ECR's API in two private subnets
  cloudops.fargate.vpc_endpoint:
    name: demo-local-ecr.api
    vpc_id: "{{ network_vpc_id }}"
    service_name: com.amazonaws.us-east-1.ecr.api
    subnet_ids: "{{ network_private_subnet_ids }}"
    security_group_ids: ["{{ network_security_group_ids.endpoints }}"]
    wait: false
    tags:
      Stack: demo

- name: Route S3 through a gateway endpoint
  cloudops.fargate.vpc_endpoint:
    name: demo-local-s3
    vpc_id: "{{ network_vpc_id }}"
    service_name: com.amazonaws.us-east-1.s3
    endpoint_type: Gateway
    route_table_ids: "{{ private_route_table_ids }}"

- name: Delete the endpoint
  cloudops.fargate.vpc_endpoint:
    name: demo-local-ecr.api
    vpc_id: "{{ network_vpc_id }}"
    service_name: com.amazonaws.us-east-1.ecr.api
    state: absent
"""

RETURN = r"""
vpc_endpoint:
  description: The endpoint as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    vpc_endpoint_id:
      description: The ID of the endpoint. Absent in check mode before creation.
      type: str
      returned: when it exists
      sample: vpce-0123456789abcdef0
    state:
      description: The endpoint's state, in lower case (C(pending), C(available), C(failed), ...).
      type: str
      returned: when present
      sample: available
    vpc_endpoint_type:
      description: Interface or Gateway.
      type: str
      returned: when present
      sample: Interface
    service_name:
      description: The endpoint service.
      type: str
      returned: when present
      sample: com.amazonaws.us-east-1.ecr.api
    subnet_ids:
      description: The endpoint's subnets, sorted.
      type: list
      elements: str
      returned: when present
    security_group_ids:
      description: The groups of the endpoint's network interfaces, sorted.
      type: list
      elements: str
      returned: when present
    route_table_ids:
      description: The route tables of a Gateway endpoint, sorted.
      type: list
      elements: str
      returned: when present
    private_dns_enabled:
      description: Whether private DNS is enabled.
      type: bool
      returned: when present and known
    policy_document:
      description: The endpoint policy, parsed.
      type: dict
      returned: when present and known
    last_error:
      description: Why AWS failed the endpoint (C(code), C(message)).
      type: dict
      returned: when the endpoint failed
    tags:
      description: The endpoint's tags.
      type: dict
      returned: when present
      sample: {"Name": "demo-local-ecr.api", "Stack": "demo"}
replaced:
  description: The IDs of failed endpoints of the same name that were deleted before the new one was created.
  returned: always
  type: list
  elements: str
  sample: [vpce-0fedcba9876543210]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc_endpoint import VpcEndpointManager
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc_endpoint import input_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc_endpoint import wanted_settings


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        vpc_id=dict(type="str", required=True),
        service_name=dict(type="str", required=True),
        endpoint_type=dict(type="str", choices=["Interface", "Gateway"], default="Interface"),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        route_table_ids=dict(type="list", elements="str"),
        private_dns_enabled=dict(type="bool"),
        policy=dict(type="json"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        wait_delay=dict(type="int", default=15),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    with module_errors(module):
        wanted = wanted_settings(params)
        errors = input_errors(params["endpoint_type"], wanted)
        if params["wait_timeout"] < 0 or params["wait_delay"] < 1:
            errors.append("wait_timeout must be 0 or more and wait_delay 1 or more seconds")
        if errors:
            raise InputError.of(errors)

        manager = VpcEndpointManager(
            module, params["name"], params["vpc_id"], params["service_name"], params["endpoint_type"]
        )
        if params["state"] == "present":
            manager.ensure_present(wanted, params["tags"], params["purge_tags"])
            if params["wait"]:
                manager.wait_available(params["wait_timeout"], params["wait_delay"])
        else:
            manager.ensure_absent()
            if params["wait"]:
                manager.wait_deleted(manager.deleted, params["wait_timeout"], params["wait_delay"])
        module.exit_json(
            changed=manager.changed,
            vpc_endpoint=manager.endpoint or {},
            replaced=manager.replaced,
            diff=manager.diff(),
        )


if __name__ == "__main__":
    main()
