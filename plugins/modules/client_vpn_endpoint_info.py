#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: client_vpn_endpoint_info
short_description: List AWS Client VPN endpoints with their target networks, authorization rules and routes
version_added: 0.1.0
description:
  - Lists the Client VPN endpoints of the account in the region, or those that match every option given
    (O(client_vpn_endpoint_ids), O(name) and O(tags) combine with AND); with none given, every endpoint.
  - Each endpoint comes in the shape M(cloudops.fargate.client_vpn_endpoint) returns as RV(ignore:client_vpn_endpoint)
    (its target networks and authorization rules included), plus its routes (DescribeClientVpnRoutes), among them
    those AWS adds for each target network (origin C(associate)).
  - A lookup that matches nothing returns an empty list; it is not an error. An ID in O(client_vpn_endpoint_ids)
    without an endpoint (AWS answers C(InvalidClientVpnEndpointId.NotFound)) is left out.
  - Endpoints being deleted (status C(deleting) or C(deleted)) are left out, as M(cloudops.fargate.client_vpn_endpoint)
    leaves them out when it looks an endpoint up.
  - AWS cannot filter Client VPN endpoints by tag, so every endpoint of the region (or of O(client_vpn_endpoint_ids))
    is listed and its tags are compared.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  client_vpn_endpoint_ids:
    description:
      - The IDs of the endpoints to return; any endpoint when not given. An empty list matches nothing.
      - Returned in this order, once each.
    type: list
    elements: str
  name:
    description:
      - Return only the endpoints whose C(Name) tag is this name (the O(ignore:name) of
        M(cloudops.fargate.client_vpn_endpoint)).
    type: str
  tags:
    description:
      - Return only the endpoints that carry every one of these tags with the same value (compared as strings), for
        example the stack's identity tags C(Stack), C(Environment) and C(ManagedBy).
    type: dict
  include_associations:
    description:
      - Add RV(client_vpn_endpoints[].associations), the target networks (DescribeClientVpnTargetNetworks).
    type: bool
    default: true
  include_authorization_rules:
    description:
      - Add RV(client_vpn_endpoints[].authorization_rules) (DescribeClientVpnAuthorizationRules).
    type: bool
    default: true
  include_routes:
    description:
      - Add RV(client_vpn_endpoints[].routes), the endpoint's route table (DescribeClientVpnRoutes).
    type: bool
    default: true
notes:
  - Needs C(ec2:DescribeClientVpnEndpoints), and C(ec2:DescribeClientVpnTargetNetworks),
    C(ec2:DescribeClientVpnAuthorizationRules) and C(ec2:DescribeClientVpnRoutes) for what it includes.
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the stack's Client VPN endpoint with its target networks, rules and routes
  cloudops.fargate.client_vpn_endpoint_info:
    name: demo-local-vpn
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: storage_vpn_found

- name: Check that an active authorization rule and an active route lead to the VPC
  vars:
    __vpn: "{{ storage_vpn_found.client_vpn_endpoints | first }}"
  ansible.builtin.assert:
    that:
      - storage_vpn_found.client_vpn_endpoints | length == 1
      - >-
        __vpn.authorization_rules | selectattr('status', 'eq', 'active')
        | selectattr('target_network_cidr', 'eq', network_vpc_cidr) | list | length > 0
      - >-
        __vpn.routes | selectattr('status', 'eq', 'active')
        | selectattr('destination_cidr', 'eq', network_vpc_cidr) | list | length > 0
    fail_msg: The Client VPN endpoint does not let operators reach {{ network_vpc_cidr }}

- name: Wait until every target network of the endpoint is associated
  cloudops.fargate.client_vpn_endpoint_info:
    client_vpn_endpoint_ids:
      - "{{ storage_vpn_endpoint_id }}"
    include_authorization_rules: false
    include_routes: false
  register: polled
  until: >-
    polled.client_vpn_endpoints | length == 1
    and polled.client_vpn_endpoints[0].associations | rejectattr('status', 'eq', 'associated') | list | length == 0
  retries: 60
  delay: 15
"""

RETURN = r"""
client_vpn_endpoints:
  description:
    - The endpoints found, in the order of O(client_vpn_endpoint_ids) when given, otherwise by name and ID.
    - Each in the shape M(cloudops.fargate.client_vpn_endpoint) returns as RV(ignore:client_vpn_endpoint), plus
      RV(client_vpn_endpoints[].routes).
    - Empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    client_vpn_endpoint_id:
      description: The ID of the endpoint.
      type: str
      sample: cvpn-endpoint-0123456789abcdef0
    name:
      description: The value of the endpoint's C(Name) tag; null when it has none.
      type: str
      sample: demo-local-vpn
    description:
      description: The description of the endpoint, if any.
      type: str
      sample: Operators of demo/local
    status:
      description: C(pending-associate) (no target network associated yet) or C(available).
      type: str
      sample: available
    dns_name:
      description: The endpoint's DNS name (a wildcard name).
      type: str
      sample: "*.cvpn-endpoint-0123456789abcdef0.prod.clientvpn.us-east-1.amazonaws.com"
    client_cidr_block:
      description: The network clients get their addresses from.
      type: str
      sample: 172.16.0.0/22
    dns_servers:
      description: The DNS servers of the clients; empty when the clients keep theirs.
      type: list
      elements: str
      sample: [10.20.0.2]
    split_tunnel:
      description: Whether split tunnel is on.
      type: bool
      sample: true
    transport_protocol:
      description: C(udp) or C(tcp).
      type: str
      sample: udp
    vpn_port:
      description: The port of the endpoint.
      type: int
      sample: 443
    server_certificate_arn:
      description: The ARN of the server certificate.
      type: str
      sample: arn:aws:acm:us-east-1:123456789012:certificate/0e5b5f5c-2e5e-4c4e-9f4e-0123456789ab
    client_root_certificate_chain_arn:
      description: The ARN of the client CA's certificate; null when the endpoint does not use mutual authentication.
      type: str
      sample: arn:aws:acm:us-east-1:123456789012:certificate/1e5b5f5c-2e5e-4c4e-9f4e-0123456789ab
    vpc_id:
      description: The endpoint's VPC; null until it has one.
      type: str
      sample: vpc-0123456789abcdef0
    security_group_ids:
      description: The security groups applied to the target networks, sorted.
      type: list
      elements: str
      sample: [sg-0123456789abcdef0]
    session_timeout_hours:
      description: The maximum session duration in hours.
      type: int
      sample: 24
    connection_log_options:
      description: Connection logging.
      type: dict
      contains:
        enabled:
          description: Whether connections are logged.
          type: bool
          sample: true
        cloudwatch_log_group:
          description: The log group; null when logging is off.
          type: str
          sample: /demo/local/client-vpn
        cloudwatch_log_stream:
          description: The log stream; null when logging is off.
          type: str
          sample: cvpn-endpoint-0123456789abcdef0-us-east-1-2024/01/31-AbCdEfGhIjKl
    associations:
      description: The target networks, sorted by subnet.
      type: list
      elements: dict
      returned: when O(include_associations=true)
      contains:
        association_id:
          description: The ID of the association.
          type: str
          sample: cvpn-assoc-0123456789abcdef0
        subnet_id:
          description: The associated subnet.
          type: str
          sample: subnet-0123456789abcdef0
        status:
          description: C(associating), C(associated), C(association-failed) or C(disassociating).
          type: str
          sample: associated
        status_message:
          description: AWS's reason for the status, for example why an association failed.
          type: str
          returned: when AWS gives one
    authorization_rules:
      description: The authorization rules, sorted by network and group.
      type: list
      elements: dict
      returned: when O(include_authorization_rules=true)
      contains:
        target_network_cidr:
          description: The network clients may reach (AWS's C(DestinationCidr)).
          type: str
          sample: 10.20.0.0/16
        access_group_id:
          description: The group whose members may reach it; null when every client may.
          type: str
          sample: null
        authorize_all_groups:
          description: Whether every client may reach it (AWS's C(AccessAll)).
          type: bool
          sample: true
        description:
          description: The description of the rule, if any.
          type: str
          sample: the VPC
        status:
          description: C(authorizing), C(active), C(failed) or C(revoking).
          type: str
          sample: active
    routes:
      description:
        - The endpoint's routes, sorted by destination, target subnet and origin.
        - Associating a subnet adds a route to the VPC's network through it (origin C(associate)), which goes when
          the subnet is disassociated; routes added with CreateClientVpnRoute have origin C(add-route).
      type: list
      elements: dict
      returned: when O(include_routes=true)
      contains:
        destination_cidr:
          description: The network the route leads to.
          type: str
          sample: 10.20.0.0/16
        target_subnet:
          description: The associated subnet the traffic goes through, or C(local).
          type: str
          sample: subnet-0123456789abcdef0
        origin:
          description: C(associate) (added by AWS for a target network) or C(add-route) (added by CreateClientVpnRoute).
          type: str
          sample: associate
        type:
          description: The route type, for example C(Nat) or C(local).
          type: str
          sample: Nat
        description:
          description: The description of the route, if any.
          type: str
          sample: Default Route
        status:
          description: C(creating), C(active), C(failed) or C(deleting).
          type: str
          sample: active
    tags:
      description: The endpoint's tags, C(Name) included.
      type: dict
      sample: {"Name": "demo-local-vpn", "Stack": "demo", "Environment": "local"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import INFO_CHILDREN
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import ClientVpnEndpointInfoManager
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import info_filters


def argument_spec():
    return dict(
        client_vpn_endpoint_ids=dict(type="list", elements="str"),
        name=dict(type="str"),
        tags=dict(type="dict"),
        include_associations=dict(type="bool", default=True),
        include_authorization_rules=dict(type="bool", default=True),
        include_routes=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    include = {child: module.params[option] for child, option in INFO_CHILDREN.items()}
    with module_errors(module):
        filters = info_filters(module.params)
        manager = ClientVpnEndpointInfoManager(module)
        module.exit_json(changed=False, client_vpn_endpoints=manager.list_endpoints(filters, include))


if __name__ == "__main__":
    main()
