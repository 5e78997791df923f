#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc
short_description: Converge a stack's VPC, its subnets and its internet gateway in one run
version_added: 0.4.0
description:
  - Finds the stack's VPC by O(identifying_tags), creates it when there is none, and converges its DNS attributes and
    tags, the subnets of O(subnets) and, with O(internet_gateway), one internet gateway attached to it.
  - The VPC is the one VPC that carries every one of O(identifying_tags). A new VPC gets them in its create call, so
    that a run interrupted right after it finds the VPC again. Two VPCs or more with these tags fail the run, naming
    them; so does a VPC whose primary block is not O(cidr_block) (a VPC's primary block cannot change). Both fail
    before any change.
  - A subnet is the VPC's subnet of its O(subnets[].cidr), as M(amazon.aws.ec2_vpc_subnet) finds it, so a stack that
    module built converges without duplicates. One in another Availability Zone than O(subnets[].az), or a block to
    create that overlaps another subnet of the VPC, fails the run before any change. Subnets of the VPC that
    O(subnets) does not list are left alone.
  - The internet gateway is the one attached to the VPC; when none is, a detached gateway that carries
    O(identifying_tags) and the Name O(internet_gateway.name) (left by an interrupted run) is attached, or else a new
    one is created and attached.
  - A run that changes nothing makes 5 calls, C(DescribeVpcs), C(DescribeVpcAttribute) twice (DNS support, DNS
    hostnames), C(DescribeSubnets) and C(DescribeInternetGateways); fewer without O(subnets) or O(internet_gateway).
    Tags come with these answers; nothing is read back after the changes.
  - Calls that follow a creation retry AWS's C(InvalidVpcID.NotFound), C(InvalidSubnetID.NotFound) and
    C(InvalidInternetGatewayID.NotFound) for a while (EC2's eventual consistency); every call retries throttling.
  - Replaces M(amazon.aws.ec2_vpc_net_info), M(amazon.aws.ec2_vpc_net), a loop of M(amazon.aws.ec2_vpc_subnet) and
    M(amazon.aws.ec2_vpc_igw). Deleting the network stays with those modules.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description:
      - Only V(present). Tear the network down with M(amazon.aws.ec2_vpc_igw), M(amazon.aws.ec2_vpc_subnet) and
        M(amazon.aws.ec2_vpc_net).
    type: str
    default: present
    choices: [present]
  name:
    description: The VPC's C(Name) tag.
    type: str
    required: true
  cidr_block:
    description:
      - The VPC's primary IPv4 block, C(/16) to C(/28). It cannot change once the VPC exists.
    type: str
    required: true
  identifying_tags:
    description:
      - The tags that find the stack's VPC; every one must match. At least one, and not C(Name).
      - The VPC, its subnets and the internet gateway get them too, over O(tags) and O(subnets[].tags).
    type: dict
    required: true
  tags:
    description:
      - Tags of the VPC, of the subnets of O(subnets) and of the internet gateway, under O(identifying_tags). Each
        resource's C(Name) tag is its name (O(name), O(subnets[].name), O(internet_gateway.name)).
    type: dict
    default: {}
  purge_tags:
    description:
      - Remove the tags of these resources that are not given. Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
  dns_support:
    description: Whether the VPC resolves DNS through the Amazon DNS server (C(enableDnsSupport)).
    type: bool
    default: true
  dns_hostnames:
    description:
      - Whether instances in the VPC get public DNS hostnames (C(enableDnsHostnames)). Needs O(dns_support).
    type: bool
    default: true
  subnets:
    description:
      - Subnets of the VPC, each found by its block. Subnets of the VPC not listed are left alone.
      - The blocks must lie inside O(cidr_block) and not overlap; names and blocks are unique.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The subnet's C(Name) tag, and its key in the diff.
        type: str
        required: true
      cidr:
        description: The subnet's IPv4 block, C(/16) to C(/28), which finds it in the VPC.
        type: str
        required: true
      az:
        description: The subnet's Availability Zone, for example C(us-east-1a). It cannot change once the subnet exists.
        type: str
        required: true
      tags:
        description: Tags of this subnet (C(Tier), for example), over O(tags) and under O(identifying_tags).
        type: dict
        default: {}
      map_public_ip_on_launch:
        description: Whether network interfaces created in the subnet get a public IPv4 address.
        type: bool
        default: false
  internet_gateway:
    description:
      - The VPC's internet gateway. Omitted, the module neither looks for one nor changes one.
    type: dict
    suboptions:
      name:
        description: The gateway's C(Name) tag; with O(identifying_tags), it finds a gateway left detached.
        type: str
        required: true
  wait:
    description:
      - Wait until a VPC or subnet that AWS reports C(pending) when it is created is C(available), and until a gateway
        is attached.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait, in all, for everything the module waits for; C(0) looks once.
    type: int
    default: 300
notes:
  - Never waits in check mode; what it would create has the ID V("") there.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Converge the stack's VPC, its subnets and its internet gateway
  cloudops.fargate.vpc:
    name: demo-vpc
    cidr_block: 10.0.0.0/16
    identifying_tags:
      Stack: demo
      Environment: prod
      ManagedBy: cloudops.fargate
    tags:
      CostCenter: web
    subnets:
      - name: demo-public-a
        cidr: 10.0.0.0/24
        az: us-east-1a
        tags:
          Tier: public
      - name: demo-private-a
        cidr: 10.0.10.0/24
        az: us-east-1a
        tags:
          Tier: private
    internet_gateway:
      name: demo-igw
  register: network

- name: Use the IDs
  ansible.builtin.debug:
    msg: "{{ network.vpc.id }} {{ network.subnets | map(attribute='id') | list }} {{ network.internet_gateway.id }}"
"""

RETURN = r"""
vpc:
  description: The VPC, as it is after the run, or as it would be in check mode.
  returned: always
  type: dict
  contains:
    id:
      description: The VPC's ID; V("") in check mode for a VPC still to create.
      type: str
      sample: vpc-0123456789abcdef0
    cidr_block:
      description: The VPC's primary IPv4 block.
      type: str
      sample: 10.0.0.0/16
    dns_support:
      description: Whether DNS resolution is on.
      type: bool
    dns_hostnames:
      description: Whether instances get DNS hostnames.
      type: bool
    tags:
      description: The VPC's tags.
      type: dict
      sample: {"Name": "demo-vpc", "Stack": "demo"}
subnets:
  description: The subnets of O(subnets), in that order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The subnet's ID; V("") in check mode for a subnet still to create.
      type: str
      sample: subnet-0123456789abcdef0
    name:
      description: The subnet's C(Name) tag.
      type: str
      sample: demo-public-a
    cidr_block:
      description: The subnet's IPv4 block.
      type: str
      sample: 10.0.0.0/24
    availability_zone:
      description: The subnet's Availability Zone.
      type: str
      sample: us-east-1a
    map_public_ip_on_launch:
      description: Whether network interfaces created in the subnet get a public IPv4 address.
      type: bool
    tags:
      description: The subnet's tags.
      type: dict
      sample: {"Name": "demo-public-a", "Stack": "demo", "Tier": "public"}
internet_gateway:
  description: The internet gateway attached to the VPC; V({}) without O(internet_gateway).
  returned: always
  type: dict
  contains:
    id:
      description: The gateway's ID; V("") in check mode for a gateway still to create.
      type: str
      sample: igw-0123456789abcdef0
    tags:
      description: The gateway's tags.
      type: dict
      sample: {"Name": "demo-igw", "Stack": "demo"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import DEFAULT_WAIT_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import VpcManager
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import wanted_vpc


def argument_spec():
    return dict(
        state=dict(type="str", default="present", choices=["present"]),
        name=dict(type="str", required=True),
        cidr_block=dict(type="str", required=True),
        identifying_tags=dict(type="dict", required=True),
        tags=dict(type="dict", default={}),
        purge_tags=dict(type="bool", default=True),
        dns_support=dict(type="bool", default=True),
        dns_hostnames=dict(type="bool", default=True),
        subnets=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                name=dict(type="str", required=True),
                cidr=dict(type="str", required=True),
                az=dict(type="str", required=True),
                tags=dict(type="dict", default={}),
                map_public_ip_on_launch=dict(type="bool", default=False),
            ),
        ),
        internet_gateway=dict(type="dict", options=dict(name=dict(type="str", required=True))),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    with module_errors(module):
        if params["wait_timeout"] < 0:
            raise InputError("wait_timeout must be 0 or more seconds")
        spec = wanted_vpc(
            params["name"],
            params["cidr_block"],
            params["identifying_tags"],
            tags=params["tags"],
            dns_support=params["dns_support"],
            dns_hostnames=params["dns_hostnames"],
            subnets=params["subnets"],
            internet_gateway=params["internet_gateway"],
        )
        manager = VpcManager(module)
        manager.converge(spec, params["purge_tags"], params["wait"], params["wait_timeout"])
        module.exit_json(changed=manager.changed, diff=manager.diff(), **manager.results())


if __name__ == "__main__":
    main()
