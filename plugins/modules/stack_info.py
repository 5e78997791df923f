#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: stack_info
short_description: Find one cloudops.fargate stack by its tags and return the outputs its layers publish
version_added: 0.1.0
description:
  - Finds the resources of one stack, O(stack) in O(environment), by the identity tags every role of the collection
    gives them (C(Stack), C(Environment), C(ManagedBy=cloudops.fargate)) and by the names the roles give them
    (C(<stack>-<environment>-<purpose>)), and returns RV(outputs), the facts each role sets at its end, under the same
    names and in the same shapes (RV(outputs.network_vpc_id), RV(outputs.registry_repository_uris), ...).
  - A play that runs one layer alone (a role reused in another playbook, C(deploy.yml)) reads the other layers'
    outputs with this module instead of looking each resource up itself.
  - A resource that does not carry the stack's identity tags is never the stack's, whatever its name; another
    stack's or environment's resources are never returned.
  - A layer that does not exist, in part or at all, is not an error. Its missing outputs are empty (C(""), C([]),
    C({})), as the roles set them when they tear a layer down, and RV(found) tells which layers exist.
  - Only the calls of the layers in O(layers) are made. The module changes nothing, in any mode.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  stack:
    description:
      - The stack's name, as C(cloudops_stack) gives it to the roles; 1-12 lower-case letters, digits or single hyphens,
        starting with a letter and not ending with a hyphen.
    type: str
    required: true
  environment:
    description:
      - The environment's name, as C(cloudops_environment) gives it to the roles; 1-8 lower-case letters or digits,
        starting with a letter.
    type: str
    required: true
  layers:
    description:
      - The layers to read. The outputs of the others are neither read nor returned.
      - C(network) reads the VPC, its subnets, security groups, NAT gateways and route tables (DescribeVpcs,
        DescribeSubnets, DescribeSecurityGroups, DescribeNatGateways, DescribeRouteTables).
      - C(registry) reads the repositories of O(repository_names) (DescribeRepositories, ListTagsForResource).
      - C(storage) reads the file system C(<stack>-<environment>-static), its access points and mount targets, and the
        Client VPN endpoint C(<stack>-<environment>-vpn) (DescribeFileSystems, DescribeAccessPoints,
        DescribeMountTargets, DescribeClientVpnEndpoints).
      - C(loadbalancer) reads the load balancer C(<stack>-<environment>-alb), its listeners and the target groups of
        O(target_group_names) (DescribeLoadBalancers, DescribeListeners, DescribeTargetGroups, DescribeTags).
      - C(fargate) reads the cluster C(<stack>-<environment>) and its services (DescribeClusters, ListServices,
        DescribeServices).
    type: list
    elements: str
    choices: [network, registry, storage, loadbalancer, fargate]
    default: [network, registry, storage, loadbalancer, fargate]
  repository_names:
    description:
      - The short names of the stack's repositories, as the registry role's C(registry_repositories) names them; each
        is the ECR repository C(<stack>-<environment>/<name>) and the key of RV(outputs.registry_repository_uris).
    type: list
    elements: str
    default: [app, nginx]
  target_group_names:
    description:
      - The short names of the stack's target groups, as the loadbalancer role's C(loadbalancer_target_groups) names
        them; each is the target group C(<stack>-<environment>-<name>) and the key of
        RV(outputs.loadbalancer_target_group_arns).
    type: list
    elements: str
    default: [web]
notes:
  - The access points are all those of the stack's file system, keyed by their C(Purpose) tag (the storage role's
    access point names, C(config) and C(ui) by default); the services are all those of the stack's cluster, keyed by
    their names without the C(<stack>-<environment>-) prefix. Neither needs naming.
  - Of the storage role's facts, C(storage_content_changed) (whether that run published new files) and
    C(storage_vpn_client_config_paths) (files on the controller) describe a run, not the stack, and are not returned.
  - When the stack has more than one VPC, or more than one Client VPN endpoint, tagged as its own, the module fails
    naming them, as the network and storage roles do.
  - Client VPN endpoints cannot be filtered by tag, so every endpoint of the region is listed; NAT gateways are
    filtered by VPC and state and their tags compared by the module.
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read every layer of the stack
  cloudops.fargate.stack_info:
    stack: demo
    environment: local
  register: demo_stack

- name: Use the network and storage layers' outputs where the roles' facts are missing
  ansible.builtin.set_fact:
    network_private_subnet_ids: "{{ demo_stack.outputs.network_private_subnet_ids }}"
    network_security_group_ids: "{{ demo_stack.outputs.network_security_group_ids }}"
    storage_file_system_id: "{{ demo_stack.outputs.storage_file_system_id }}"
    storage_access_point_ids: "{{ demo_stack.outputs.storage_access_point_ids }}"
  when: demo_stack.found.network and demo_stack.found.storage

- name: Read only what the load balancer needs, with two target groups
  cloudops.fargate.stack_info:
    stack: demo
    environment: prod
    layers: [network, loadbalancer]
    target_group_names: [web, api]
  register: demo_prod

- name: Stop when the network is missing
  ansible.builtin.assert:
    that: demo_prod.found.network
    fail_msg: Stack demo-prod has no network; run site.yml first.
"""

RETURN = r"""
found:
  description:
    - Whether anything of each layer in O(layers) exists (the VPC for C(network); a repository for C(registry); the
      file system or the Client VPN endpoint for C(storage); the load balancer or a target group for C(loadbalancer);
      the cluster for C(fargate)).
    - Only the layers in O(layers) are keys.
  returned: always
  type: dict
  sample: {"network": true, "registry": true, "storage": true, "loadbalancer": true, "fargate": false}
  contains:
    network:
      description: Whether the stack's VPC exists.
      type: bool
      returned: when O(layers) has C(network)
      sample: true
    registry:
      description: Whether one of the repositories of O(repository_names) exists.
      type: bool
      returned: when O(layers) has C(registry)
      sample: true
    storage:
      description: Whether the stack's file system or Client VPN endpoint exists.
      type: bool
      returned: when O(layers) has C(storage)
      sample: true
    loadbalancer:
      description: Whether the stack's load balancer or one of the target groups of O(target_group_names) exists.
      type: bool
      returned: when O(layers) has C(loadbalancer)
      sample: true
    fargate:
      description: Whether the stack's ECS cluster exists (and is C(ACTIVE)).
      type: bool
      returned: when O(layers) has C(fargate)
      sample: false
outputs:
  description:
    - The facts the roles publish, by the same names and in the same shapes; empty values for what does not exist.
    - Only the outputs of the layers in O(layers) are keys.
  returned: always
  type: dict
  contains:
    network_vpc_id:
      description: The ID of the stack's VPC; C("") when there is none.
      type: str
      returned: when O(layers) has C(network)
      sample: vpc-0123456789abcdef0
    network_vpc_cidr_block:
      description: The primary CIDR block of the VPC.
      type: str
      returned: when O(layers) has C(network)
      sample: 10.0.0.0/16
    network_availability_zones:
      description: The Availability Zones of the stack's subnets, sorted.
      type: list
      elements: str
      returned: when O(layers) has C(network)
      sample: ["us-east-1a", "us-east-1b"]
    network_public_subnet_ids:
      description: The subnets tagged C(Tier=public), by Availability Zone.
      type: list
      elements: str
      returned: when O(layers) has C(network)
      sample: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    network_private_subnet_ids:
      description: The subnets tagged C(Tier=private), by Availability Zone.
      type: list
      elements: str
      returned: when O(layers) has C(network)
      sample: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
    network_nat_gateway_ids:
      description: The stack's NAT gateways that are C(pending) or C(available), by the Availability Zone of their subnet.
      type: list
      elements: str
      returned: when O(layers) has C(network)
      sample: ["nat-0123456789abcdef0"]
    network_nat_public_ips:
      description: The public IP addresses of those NAT gateways.
      type: list
      elements: str
      returned: when O(layers) has C(network)
      sample: ["203.0.113.10"]
    network_route_table_ids:
      description:
        - The route tables the network role makes; C({}) when there is no VPC.
      type: dict
      returned: when O(layers) has C(network)
      sample: {"public": "rtb-0123456789abcdef0", "private": ["rtb-0123456789abcdef1", "rtb-0123456789abcdef2"]}
      contains:
        public:
          description: The public route table, C(<stack>-<environment>-public); C("") when it is missing.
          type: str
          sample: rtb-0123456789abcdef0
        private:
          description: The private route tables, C(<stack>-<environment>-private-<zone suffix>), by name.
          type: list
          elements: str
          sample: ["rtb-0123456789abcdef1"]
    network_security_group_ids:
      description: The stack's security groups in the VPC, by their C(Purpose) tag (C(alb), C(service), C(efs), C(vpn), C(endpoints)).
      type: dict
      returned: when O(layers) has C(network)
      sample: {"alb": "sg-0123456789abcdef0", "service": "sg-0123456789abcdef1", "efs": "sg-0123456789abcdef2"}
    registry_repository_uris:
      description: The URIs of the repositories of O(repository_names) that exist, by short name.
      type: dict
      returned: when O(layers) has C(registry)
      sample: {"app": "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-local/app"}
    registry_repository_arns:
      description: The ARNs of the same repositories, by short name.
      type: dict
      returned: when O(layers) has C(registry)
      sample: {"app": "arn:aws:ecr:us-east-1:123456789012:repository/demo-local/app"}
    storage_file_system_id:
      description: The ID of the file system C(<stack>-<environment>-static); C("") when there is none.
      type: str
      returned: when O(layers) has C(storage)
      sample: fs-0123456789abcdef0
    storage_file_system_arn:
      description: The ARN of the file system.
      type: str
      returned: when O(layers) has C(storage)
      sample: arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0
    storage_access_point_ids:
      description:
        - The IDs of the access points of the release the file system's C(Release) tag names (each access point
          tagged with the same C(Release)), by their C(Purpose) tag (else their C(Name) tag without the prefix).
        - Empty when the release has none yet (its copy to the file system never finished).
      type: dict
      returned: when O(layers) has C(storage)
      sample: {"config": "fsap-0123456789abcdef0", "ui": "fsap-0123456789abcdef1"}
    storage_access_point_arns:
      description: The ARNs of the same access points, by the same keys.
      type: dict
      returned: when O(layers) has C(storage)
      sample: {"config": "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0"}
    storage_access_point_paths:
      description: The root directory of each access point on the file system, by the same keys.
      type: dict
      returned: when O(layers) has C(storage)
      sample: {"config": "/releases/3f1c2a9d0b7e6f54/config", "ui": "/releases/3f1c2a9d0b7e6f54/ui"}
    storage_mountable_access_point_arns:
      description: The ARNs of the access points of every release kept on the file system (the current one and those
        a rollback may go back to), sorted; what the task role may mount.
      type: list
      elements: str
      returned: when O(layers) has C(storage)
    storage_release_digest:
      description: The release of the static files the storage role published last, the file system's C(Release) tag;
        C("") when there is none.
      type: str
      returned: when O(layers) has C(storage)
      sample: 3f1c2a9d0b7e6f54
    storage_nginx_config_digest:
      description: The same release, which names the nginx configuration with the UI files.
      type: str
      returned: when O(layers) has C(storage)
      sample: 3f1c2a9d0b7e6f54
    storage_mount_instructions:
      description: How an operator mounts the file system over the VPN, one entry per mount target, by Availability Zone.
      type: list
      elements: dict
      returned: when O(layers) has C(storage)
      contains:
        availability_zone:
          description: The Availability Zone of the mount target.
          type: str
          sample: us-east-1a
        mount_target_ip:
          description: The IP address of the mount target.
          type: str
          sample: 10.0.128.10
        command:
          description: The command that mounts the file system through that mount target, with TLS.
          type: str
          sample: sudo mount -t efs -o tls,mounttargetip=10.0.128.10 fs-0123456789abcdef0 /mnt/efs
    storage_vpn_endpoint_id:
      description: The ID of the Client VPN endpoint C(<stack>-<environment>-vpn); C("") when there is none.
      type: str
      returned: when O(layers) has C(storage)
      sample: cvpn-endpoint-0123456789abcdef0
    loadbalancer_arn:
      description: The ARN of the load balancer C(<stack>-<environment>-alb); C("") when there is none.
      type: str
      returned: when O(layers) has C(loadbalancer)
      sample: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-local-alb/0123456789abcdef
    loadbalancer_dns_name:
      description: The DNS name of the load balancer.
      type: str
      returned: when O(layers) has C(loadbalancer)
      sample: demo-local-alb-1234567890.us-east-1.elb.amazonaws.com
    loadbalancer_target_group_arns:
      description: The ARNs of the target groups of O(target_group_names) that exist, by short name.
      type: dict
      returned: when O(layers) has C(loadbalancer)
      sample: {"web": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-web/0123456789abcdef"}
    loadbalancer_listener_arns:
      description: The ARNs of the load balancer's listeners, by port (as a string).
      type: dict
      returned: when O(layers) has C(loadbalancer)
      sample: {"80": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-local-alb/0123456789abcdef/0123456789abcdef"}
    loadbalancer_production_rule_arns:
      description:
        - The HTTPS listener's production rules, by the short name of the target group they forward to together with
          its alternate C(<name>-alt), when O(target_group_names) names both (ECS's blue/green, linear and canary
          deployments shift traffic on them). One more call (DescribeRules) only then.
      type: dict
      returned: when O(layers) has C(loadbalancer)
      sample: {"web": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/demo-local-alb/0123456789abcdef/0123456789abcdef/0123456789abcdef"}
    fargate_cluster_arn:
      description: The ARN of the ECS cluster C(<stack>-<environment>); C("") when there is none.
      type: str
      returned: when O(layers) has C(fargate)
      sample: arn:aws:ecs:us-east-1:123456789012:cluster/demo-local
    fargate_service_arns:
      description: The ARNs of the cluster's active services, by name without the C(<stack>-<environment>-) prefix.
      type: dict
      returned: when O(layers) has C(fargate)
      sample: {"web": "arn:aws:ecs:us-east-1:123456789012:service/demo-local/demo-local-web"}
    fargate_task_definition_arns:
      description: The task definition each of those services runs, by the same keys.
      type: dict
      returned: when O(layers) has C(fargate)
      sample: {"web": "arn:aws:ecs:us-east-1:123456789012:task-definition/demo-local-web:3"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._stack_info import DEFAULT_REPOSITORY_NAMES
from ansible_collections.cloudops.fargate.plugins.module_utils._stack_info import DEFAULT_TARGET_GROUP_NAMES
from ansible_collections.cloudops.fargate.plugins.module_utils._stack_info import LAYERS
from ansible_collections.cloudops.fargate.plugins.module_utils._stack_info import StackInfoManager
from ansible_collections.cloudops.fargate.plugins.module_utils._stack_info import wanted_lookup


def argument_spec():
    return dict(
        stack=dict(type="str", required=True),
        environment=dict(type="str", required=True),
        layers=dict(type="list", elements="str", choices=list(LAYERS), default=list(LAYERS)),
        repository_names=dict(type="list", elements="str", default=list(DEFAULT_REPOSITORY_NAMES)),
        target_group_names=dict(type="list", elements="str", default=list(DEFAULT_TARGET_GROUP_NAMES)),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    with module_errors(module):
        manager = StackInfoManager(module, wanted_lookup(module.params))
        outputs, found = manager.read()
        module.exit_json(changed=False, outputs=outputs, found=found)


if __name__ == "__main__":
    main()
