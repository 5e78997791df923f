#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_groups
short_description: Converge all the security groups of a stack in a VPC, and their rules, in one run
version_added: 0.4.0
description:
  - Creates the groups of O(groups) that do not exist in O(vpc_id) (found by O(groups[].name)), then gives every group
    exactly the rules declared for it, and its tags. Rules may refer to other groups of the same run by their
    O(groups[].key), also to groups the run creates.
  - Rules are declarative per group and direction; a rule AWS lists that is not declared is revoked, including the
    allow-all egress rules AWS gives every new group. Rules that exist with another description get the declared one
    (C(UpdateSecurityGroupRuleDescriptionsIngress/Egress)); rules that change are authorized before the old ones are
    revoked.
  - One C(DescribeSecurityGroups) call reads every group of the VPC with its rules and tags, so a run that changes
    nothing makes that one call. A run that creates groups also asks C(DescribeVpcs) whether the VPC has an IPv6 block
    (AWS then adds an allow-all IPv6 egress rule to a new group), and a run that changes something reads the groups
    back once more.
  - A group created meanwhile under the same name (another run, or an interrupted one) is converged instead of
    failing the run. Calls on a group the run created retry C(InvalidGroup.NotFound) (EC2's eventual consistency).
  - Replaces several M(amazon.aws.ec2_security_group) tasks, one process per group with a 3 s sleep after each
    creation, by one run with few calls.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  vpc_id:
    description: The VPC of the groups.
    type: str
    required: true
  groups:
    description:
      - The groups, each with all its rules. Groups not listed are left alone.
    type: list
    elements: dict
    required: true
    suboptions:
      key:
        description:
          - How the rules of other groups refer to this one (their C(group)), and its key in
            RV(group_ids) and in the diff. Unique among O(groups).
        type: str
        required: true
      name:
        description: The group's name (C(GroupName)), unique in the VPC; an existing group of this name is this group.
        type: str
        required: true
      description:
        description:
          - The group's description. AWS cannot change it once the group exists; a different description of an
            existing group fails the run before any change.
        type: str
        required: true
      tags:
        description: Tags of this group, merged over O(tags).
        type: dict
      ingress:
        description:
          - The group's inbound rules, all of them, in the rule form of M(amazon.aws.ec2_security_group)'s
            O(amazon.aws.ec2_security_group#module:rules), plus C(group).
          - C(proto) (required) is C(tcp), C(udp), C(icmp), C(icmpv6), C(all) or C(-1), or a protocol number.
          - The ports are C(ports) (a port, a C(from-to) range, or a list of them), or C(from_port) and C(to_port);
            C(icmp_type) and C(icmp_code) for ICMP. C(tcp) and C(udp) need ports; C(all) and protocols other than
            C(tcp), C(udp), C(icmp) and C(icmpv6) allow every port, whatever is given.
          - The targets, at least one, each a string or a list of them, in any combination; each is one rule with
            each port range. C(cidr_ip) (IPv4 CIDR), C(cidr_ipv6), C(group_id) (a C(sg-) ID), C(ip_prefix) (a
            prefix list ID C(pl-)), and C(group), the O(groups[].key) of a group of this run.
          - C(rule_desc), the description of the rule's permissions.
          - A rule with an unknown key, without C(proto), with a bad port range or a C(group) that is no key fails
            the run before any call, naming the group's key, the direction and the rule's index.
        type: list
        elements: dict
        default: []
      egress:
        description:
          - The group's outbound rules, all of them, in the same form as O(groups[].ingress).
          - An empty list leaves the group no outbound rule.
        type: list
        elements: dict
        default: []
  tags:
    description: Tags every group gets, under its own O(groups[].tags).
    type: dict
    default: {}
  purge_tags:
    description: Remove the tags of the groups that are not given. Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
  empty_default_group:
    description:
      - Revoke every rule of the VPC's C(default) group, which nothing should use (Security Hub control EC2.2).
    type: bool
    default: false
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Converge the stack's security groups and empty the default group
  cloudops.fargate.security_groups:
    vpc_id: "{{ network_vpc_id }}"
    tags:
      Stack: demo
    empty_default_group: true
    groups:
      - key: alb
        name: demo-alb
        description: Load balancer
        ingress:
          - proto: tcp
            ports: [80, 443]
            cidr_ip: 0.0.0.0/0
            rule_desc: clients
        egress:
          - proto: tcp
            ports: [8080]
            group: service
            rule_desc: nginx in the service's tasks
      - key: service
        name: demo-service
        description: Fargate tasks
        ingress:
          - proto: tcp
            ports: [8080]
            group: alb
            rule_desc: load balancer
        egress:
          - proto: tcp
            ports: [443]
            cidr_ip: 0.0.0.0/0
            rule_desc: AWS APIs and image pulls
          - proto: tcp
            ports: [2049]
            group: efs
            rule_desc: EFS
      - key: efs
        name: demo-efs
        description: EFS mount targets
        ingress:
          - proto: tcp
            ports: [2049]
            group: service
            rule_desc: Fargate tasks
  register: security_groups

- name: Use a group's ID
  ansible.builtin.debug:
    msg: "{{ security_groups.group_ids.service }}"
"""

RETURN = r"""
group_ids:
  description: The ID of each group of O(groups), by O(groups[].key); null in check mode for a group still to create.
  returned: always
  type: dict
  sample: {"alb": "sg-0123456789abcdef0", "service": "sg-0fedcba9876543210"}
security_groups:
  description:
    - The groups of O(groups), in that order, as AWS lists them after the changes, or as they would be in check mode.
  returned: always
  type: list
  elements: dict
  contains:
    group_id:
      description: The group's ID; null in check mode for a group still to create.
      type: str
      sample: sg-0123456789abcdef0
    group_name:
      description: The group's name.
      type: str
      sample: demo-alb
    description:
      description: The group's description.
      type: str
    vpc_id:
      description: The group's VPC.
      type: str
      sample: vpc-0123456789abcdef0
    tags:
      description: The group's tags.
      type: dict
      sample: {"Stack": "demo"}
    ip_permissions:
      description:
        - The inbound rules, one entry per protocol and port range, sorted, in the form of
          M(amazon.aws.ec2_security_group_info).
        - Each entry has C(ip_protocol), C(from_port) and C(to_port) (not for C(-1)), and the lists C(ip_ranges)
          (C(cidr_ip)), C(ipv6_ranges) (C(cidr_ipv6)), C(prefix_list_ids) (C(prefix_list_id)) and
          C(user_id_group_pairs) (C(group_id)), each item with its C(description) when it has one.
        - A pair of a group of O(groups) also has its key as C(group); in check mode, a group still to create has
          C(group_id) null.
      type: list
      elements: dict
      sample:
        - ip_protocol: tcp
          from_port: 443
          to_port: 443
          ip_ranges: [{"cidr_ip": "0.0.0.0/0", "description": "clients"}]
          ipv6_ranges: []
          prefix_list_ids: []
          user_id_group_pairs: []
    ip_permissions_egress:
      description: The outbound rules, in the form of RV(security_groups[].ip_permissions).
      type: list
      elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import SecurityGroupsManager
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import wanted_groups


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        groups=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                key=dict(type="str", required=True, no_log=False),
                name=dict(type="str", required=True),
                description=dict(type="str", required=True),
                tags=dict(type="dict"),
                ingress=dict(type="list", elements="dict", default=[]),
                egress=dict(type="list", elements="dict", default=[]),
            ),
        ),
        tags=dict(type="dict", default={}),
        purge_tags=dict(type="bool", default=True),
        empty_default_group=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    with module_errors(module):
        specs = wanted_groups(params["groups"], params["tags"], params["empty_default_group"])
        manager = SecurityGroupsManager(module, params["vpc_id"])
        manager.converge(specs, params["purge_tags"], params["empty_default_group"])
        module.exit_json(
            changed=manager.changed,
            group_ids=manager.group_ids,
            security_groups=manager.security_groups,
            diff=manager.diff(),
        )


if __name__ == "__main__":
    main()
