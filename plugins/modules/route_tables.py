#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: route_tables
short_description: Converge a VPC's route tables, their routes and subnet associations in one run
version_added: 0.4.0
description:
  - Gives every table of O(route_tables) exactly its tags, routes and subnets, and creates the tables the VPC
    O(vpc_id) does not have. A table is the one of the VPC whose C(Name) tag is its O(route_tables[].name), which is
    how tables tagged by M(amazon.aws.ec2_vpc_route_table) with C(lookup=tag) are found too; two tables of the VPC
    with one of these names fail the run before any change, naming them. Tables not listed are left alone, apart
    from the subnets that move away from them.
  - One C(DescribeRouteTables) call (filtered on the VPC; tags, routes and associations come inline) reads every
    table, so a run that changes nothing makes that one call, however many tables it is given. A run that changes
    something makes one call per change, and does not sleep or read back.
  - A new table is created with its tags in the call and a C(ClientToken) derived from O(vpc_id) and its name, so an
    interrupted run that is run again converges the table it created instead of making a second one. Calls on a
    table the run created retry C(InvalidRouteTableID.NotFound), and routes to a gateway no route of the VPC uses yet
    retry C(InvalidNatGatewayID.NotFound) and C(InvalidGatewayID.NotFound), for up to 2 minutes (EC2's eventual
    consistency).
  - Routes are created before subnets are associated, so a subnet never arrives on a table that lacks its routes.
  - Replaces one M(amazon.aws.ec2_vpc_route_table) task per table, each reading the VPC's tables, their tags one
    C(DescribeTags) at a time and the subnets, and sleeping after a change.
  - Only O(state=present). Deleting tables stays with M(amazon.aws.ec2_vpc_route_table).
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  vpc_id:
    description: The VPC of the tables.
    type: str
    required: true
  state:
    description: The tables exist. Only V(present); M(amazon.aws.ec2_vpc_route_table) deletes tables.
    type: str
    choices: [present]
    default: present
  tags:
    description: Tags every table gets; its C(Name) tag, its O(route_tables[].name), is added to them.
    type: dict
    default: {}
  purge_tags:
    description: Remove the tags of the tables that are not given. Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
  route_tables:
    description:
      - The tables, each with all its routes and subnets.
      - Every problem of these entries fails the run at once, before any call. A name is unique; a route has a valid
        IPv4 C(dest), unique in its table, and exactly one target; a subnet is in at most one table.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The table's C(Name) tag, which identifies it in the VPC. Also the table's key in the diff.
        type: str
        required: true
      subnets:
        description:
          - The IDs of the subnets associated with the table (explicitly).
          - A subnet associated with another table of the VPC is moved to this one (C(ReplaceRouteTableAssociation)
            on its association); a subnet on the main table's implicit association is associated
            (C(AssociateRouteTable)).
          - The main table's implicit association is never touched and no table is made the main table.
        type: list
        elements: str
        default: []
      purge_subnets:
        description:
          - Disassociate the subnets associated with the table that O(route_tables[].subnets) does not list; they fall
            back to the main table.
        type: bool
        default: true
      routes:
        description:
          - The table's routes, each an IPv4 destination C(dest) and exactly one target.
          - A route to a C(dest) that exists with another target is replaced (C(ReplaceRoute)). So is one with the
            same target in the state C(blackhole) (the gateway was deleted or detached). AWS then revives it, or fails
            the run naming the route, instead of the run reporting a route that drops traffic as converged.
        type: list
        elements: dict
        default: []
        suboptions:
          dest:
            description: The destination, an IPv4 CIDR block (C(0.0.0.0/0) for the default route).
            type: str
            required: true
          gateway_id:
            description: An internet gateway (C(igw-)) or a virtual private gateway (C(vgw-)) of the VPC.
            type: str
          nat_gateway_id:
            description: A NAT gateway (C(nat-)).
            type: str
      purge_routes:
        description:
          - Delete the routes of the table that O(route_tables[].routes) does not list.
          - As M(amazon.aws.ec2_vpc_route_table) decides, only routes created with C(CreateRoute) to an IPv4 CIDR are
            ever deleted or replaced. The local route, propagated routes (C(EnableVgwRoutePropagation)), IPv6 routes
            and the prefix-list routes a gateway VPC endpoint adds (C(vpce-)) are left alone.
        type: bool
        default: true
notes:
  - AWS answers a ClientToken it has seen with the table it created then, for a while after. A table deleted by hand
    and wanted again in the same VPC soon after may be answered with the deleted table; the run then fails on
    C(InvalidRouteTableID.NotFound) after the retries.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Route the public subnets to the internet gateway and each private subnet through its zone's NAT gateway
  cloudops.fargate.route_tables:
    vpc_id: "{{ network_vpc_id }}"
    tags:
      Stack: demo
    route_tables:
      - name: demo-public
        subnets: "{{ network_public_subnet_ids }}"
        routes:
          - dest: 0.0.0.0/0
            gateway_id: "{{ network_igw_id }}"
      - name: demo-private-a
        subnets: ["{{ network_private_subnet_ids[0] }}"]
        routes:
          - dest: 0.0.0.0/0
            nat_gateway_id: "{{ network_nat_gateway_ids[0] }}"
      - name: demo-private-b
        subnets: ["{{ network_private_subnet_ids[1] }}"]
        routes:
          - dest: 0.0.0.0/0
            nat_gateway_id: "{{ network_nat_gateway_ids[1] }}"
  register: route_tables

- name: Use the private tables' IDs (for a gateway endpoint, for example)
  ansible.builtin.debug:
    msg: "{{ route_tables.route_tables[1:] | map(attribute='id') | list }}"
"""

RETURN = r"""
route_tables:
  description:
    - The tables of O(route_tables), in that order, as the run left them, or as they would be in check mode.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The table's ID; V("") in check mode for a table still to create.
      type: str
      sample: rtb-0123456789abcdef0
    name:
      description: The table's name (its C(Name) tag).
      type: str
      sample: demo-public
    tags:
      description: The table's tags.
      type: dict
      sample: {"Name": "demo-public", "Stack": "demo"}
    subnets:
      description: The IDs of the subnets associated with the table, sorted.
      type: list
      elements: str
      sample: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    routes:
      description:
        - The table's routes but the local one, sorted by destination, each in the form of O(route_tables[].routes)
          (C(dest) and its target, for example C(gateway_id) or C(nat_gateway_id)).
        - Routes the module leaves alone are listed too, with their target under C(vpc_endpoint_id),
          C(transit_gateway_id), C(vpc_peering_connection_id), C(network_interface_id) and so on, and a prefix list ID
          or an IPv6 block as C(dest).
        - A route that is not active has its C(state) (C(blackhole)).
      type: list
      elements: dict
      sample:
        - dest: 0.0.0.0/0
          nat_gateway_id: nat-0123456789abcdef0
        - dest: pl-63a5400a
          vpc_endpoint_id: vpce-0123456789abcdef0
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import RouteTablesManager
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import wanted_tables


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present"], default="present"),
        tags=dict(type="dict", default={}),
        purge_tags=dict(type="bool", default=True),
        route_tables=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str", required=True),
                subnets=dict(type="list", elements="str", default=[]),
                purge_subnets=dict(type="bool", default=True),
                routes=dict(
                    type="list",
                    elements="dict",
                    default=[],
                    options=dict(
                        dest=dict(type="str", required=True),
                        gateway_id=dict(type="str"),
                        nat_gateway_id=dict(type="str"),
                    ),
                ),
                purge_routes=dict(type="bool", default=True),
            ),
        ),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    with module_errors(module):
        specs = wanted_tables(params["route_tables"], params["tags"])
        manager = RouteTablesManager(module, params["vpc_id"])
        manager.converge(specs, params["purge_tags"])
        module.exit_json(changed=manager.changed, route_tables=manager.route_tables, diff=manager.diff())


if __name__ == "__main__":
    main()
