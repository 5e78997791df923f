#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: client_vpn_endpoint
short_description: Manage an AWS Client VPN endpoint, its target networks, authorization rules and client configuration
version_added: 0.1.0
description:
  - Creates, updates, replaces or deletes one AWS Client VPN endpoint with mutual TLS authentication, associates
    it with subnets (target networks), authorizes clients to reach networks, and can write the OpenVPN client
    configuration to a file.
  - The endpoint is identified by its O(name), which it carries as the tag C(Name), together with those of the
    stack's identity tags C(Stack), C(Environment) and C(ManagedBy) that O(tags) gives. AWS cannot filter Client VPN
    endpoints by tag, so every endpoint of the region is listed and its tags are compared. Endpoints being deleted do
    not count.
  - The create carries a client token derived from the name and the request, so a run that was interrupted after
    AWS created the endpoint and run again finds or is answered with that endpoint instead of making a second one.
  - The server certificate, connection logging, DNS servers, VPN port, description, split tunnel, VPC and security
    groups, session timeout and tags change in place. O(client_cidr_block), O(transport_protocol) and
    O(client_root_certificate_chain_arn) cannot change after the endpoint is created; a change to them fails the task
    and names them, unless O(replace_on_change=true), which deletes the endpoint and creates it again (with a new ID
    and DNS name).
  - Target networks (O(subnet_ids)) and authorization rules (O(authorization_rules)) are made to match the lists
    given; those not listed are disassociated or revoked. A rule whose description changes is revoked and
    authorized again, since AWS cannot change it; the module waits for the revocation in between.
  - Associating a subnet takes AWS several minutes. With O(wait=true) the module waits (at most O(wait_timeout)
    seconds in all) until every target network is associated and every authorization rule is active. With
    O(wait=false) it returns as soon as the changes are started; running it again with the same arguments changes
    nothing and reports the states, so a role can poll it with C(until).
  - AWS refuses, until it can start them, the creation of an endpoint while another endpoint of the region is
    being created, and a change of an endpoint busy with its other changes (C(ConcurrentMutationLimitExceeded), with
    at most 10 under way, and a change of the endpoint's own settings only while none is, so not during a
    disassociation, which takes about 5 minutes, or while a previous run's associations are still being made). The
    module retries these, also with O(wait=false), within O(wait_timeout). Settings change before target networks
    are disassociated, unless O(vpc_id) changes, so that they do not wait for the disassociation.
  - Every input is checked before anything changes, check mode included; the certificates, VPC, security groups,
    subnets and log group are looked up, so a task that names something that does not exist fails naming the
    option and changes nothing.
  - O(state=absent) disassociates every target network, waits until they are gone, deletes the endpoint and waits
    until it is gone. With O(wait=false) it stops after starting the disassociations; a later run deletes the
    endpoint.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the endpoint should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The endpoint's name, the value of its C(Name) tag, at most 256 characters. With the identity tags among
        O(tags), it identifies the endpoint.
    type: str
    required: true
  description:
    description: A description of the endpoint. Left alone when not given.
    type: str
  server_certificate_arn:
    description:
      - The ARN of the server certificate in ACM, in the endpoint's region. Required with O(state=present).
    type: str
  client_root_certificate_chain_arn:
    description:
      - The ARN of the certificate in ACM of the CA that issues the client certificates (mutual authentication).
        Required with O(state=present).
      - Cannot change in place (see O(replace_on_change)).
    type: str
  client_cidr_block:
    description:
      - The IPv4 network, from /12 to /22, from which clients get their addresses. It must not overlap the CIDR of
        the VPC. Required with O(state=present).
      - Cannot change in place (see O(replace_on_change)).
    type: str
  split_tunnel:
    description:
      - Whether only the traffic to the endpoint's routes goes through the VPN (split tunnel); when false, all of
        the client's traffic does. AWS's own default is false.
    type: bool
    default: true
  dns_servers:
    description:
      - At most two IPv4 addresses of DNS servers the clients use, for example the VPC's resolver (the VPC's
        network address plus two). An empty list removes them. Left alone when not given.
    type: list
    elements: str
  transport_protocol:
    description:
      - The transport protocol of the VPN.
      - Cannot change in place (see O(replace_on_change)).
    type: str
    choices: [udp, tcp]
    default: udp
  vpn_port:
    description: The port the endpoint listens on.
    type: int
    choices: [443, 1194]
    default: 443
  vpc_id:
    description:
      - The VPC of the endpoint's security groups and target networks. Without it AWS takes the VPC of the first
        subnet associated. Changing it disassociates the subnets of the old VPC first. Left alone when not given.
    type: str
  security_group_ids:
    description:
      - The security groups applied to the target networks, in O(vpc_id) (required with this option). When not
        given for a new endpoint with a VPC, AWS applies the VPC's default security group. Left alone when not
        given.
    type: list
    elements: str
  subnet_ids:
    description:
      - The subnets to associate with the endpoint (target networks), one per Availability Zone, all in one VPC.
        Subnets associated and not listed are disassociated; an empty list disassociates all. Left alone when not
        given.
    type: list
    elements: str
  authorization_rules:
    description:
      - The networks clients may reach. Rules the endpoint has and the list does not are revoked; an empty list
        revokes all. Left alone when not given.
    type: list
    elements: dict
    suboptions:
      target_network_cidr:
        description: The IPv4 network clients may reach, in CIDR notation.
        type: str
        required: true
      description:
        description:
          - A description of the rule. Left alone when not given; a different one replaces the rule (see above).
        type: str
      access_group_id:
        description:
          - The ID of the group (Active Directory or identity provider) whose members may reach the network.
            Excludes O(authorization_rules[].authorize_all_groups=true).
        type: str
      authorize_all_groups:
        description:
          - Whether every authenticated client may reach the network. Defaults to true without
            O(authorization_rules[].access_group_id).
        type: bool
  connection_log:
    description:
      - Connection logging to CloudWatch Logs. Enabled unless O(connection_log.enabled=false) (Security Hub control
        EC2.51), so when this option is not given at all, the task fails asking for the log group.
    type: dict
    suboptions:
      enabled:
        description: Whether connections are logged.
        type: bool
        default: true
      cloudwatch_log_group:
        description: The CloudWatch Logs group, which must exist. Required while logging is enabled.
        type: str
      cloudwatch_log_stream:
        description:
          - A log stream of the group, which must exist. When not given AWS creates one, which a later run keeps.
        type: str
  session_timeout_hours:
    description:
      - The maximum duration of a VPN session, in hours. AWS's default is 24. Left alone when not given.
    type: int
    choices: [8, 10, 12, 24]
  replace_on_change:
    description:
      - Delete the endpoint and create it again when O(client_cidr_block), O(transport_protocol) or
        O(client_root_certificate_chain_arn) differ from the existing endpoint's. The old endpoint's target networks
        are disassociated first, and the module waits for that even with O(wait=false). The new endpoint has a new
        ID and DNS name, so clients need the new configuration.
      - When false, such a difference fails the task and names the fields.
    type: bool
    default: false
  wait:
    description:
      - Wait until every target network is associated and every authorization rule is active (with
        O(state=present)), or until the endpoint is deleted (with O(state=absent)).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait in all, in seconds, for what O(wait) waits for and for AWS to accept the changes it refuses
        while the endpoint is busy (see above).
      - An association takes AWS about 7 minutes and a disassociation about 5, sometimes far longer; the default is
        the 30 minutes terraform-provider-aws allows each.
    type: int
    default: 1800
  client_config:
    description:
      - Write the endpoint's client configuration (an OpenVPN C(.ovpn) file) as AWS exports it, with the client's
        certificate and key inlined in C(<cert>) and C(<key>), to O(client_config.path), mode C(0600).
      - The file is written only when its content or mode differs (compared by SHA-256 checksum). The diff shows the
        checksums, never the content; the key never appears in the results.
    type: dict
    suboptions:
      path:
        description: Where to write the configuration. Its directory must exist.
        type: path
        required: true
      client_certificate:
        description: The client certificate, PEM-encoded, issued by the CA of O(client_root_certificate_chain_arn).
        type: str
        required: true
      client_key:
        description: The client certificate's private key, PEM-encoded and unencrypted. Never logged or returned.
        type: str
        required: true
  tags:
    description:
      - Tags for the endpoint, besides C(Name), which is O(name). Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags) (other than C(Name)). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - Besides the C(ec2:*ClientVpn*) permissions and C(ec2:CreateTags)/C(ec2:DeleteTags), the module calls
    C(ec2:DescribeVpcs), C(ec2:DescribeSubnets), C(ec2:DescribeSecurityGroups), C(acm:DescribeCertificate) and
    C(logs:DescribeLogGroups) (and C(logs:DescribeLogStreams) with O(connection_log.cloudwatch_log_stream)) to
    check its input.
  - AWS refuses to delete a subnet associated with an endpoint, or a security group an endpoint uses, and an ACM
    certificate an endpoint uses. Delete the endpoint first.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the Client VPN endpoint of the operators, start the associations
  cloudops.fargate.client_vpn_endpoint:
    name: demo-local-vpn
    server_certificate_arn: "{{ vpn_server_certificate.certificate.certificate_arn }}"
    client_root_certificate_chain_arn: "{{ vpn_client_ca_certificate.certificate.certificate_arn }}"
    client_cidr_block: 172.16.0.0/22
    vpc_id: "{{ network_vpc_id }}"
    security_group_ids: ["{{ network_security_group_ids.vpn }}"]
    subnet_ids: "{{ network_private_subnet_ids }}"
    dns_servers: [10.20.0.2]
    authorization_rules:
      - target_network_cidr: 10.20.0.0/16
        description: the VPC
    connection_log:
      cloudwatch_log_group: /demo/local/client-vpn
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
    wait: false
  register: vpn

- name: Wait until the endpoint is available, and write the operators' configuration
  cloudops.fargate.client_vpn_endpoint:
    name: demo-local-vpn
    server_certificate_arn: "{{ vpn_server_certificate.certificate.certificate_arn }}"
    client_root_certificate_chain_arn: "{{ vpn_client_ca_certificate.certificate.certificate_arn }}"
    client_cidr_block: 172.16.0.0/22
    vpc_id: "{{ network_vpc_id }}"
    security_group_ids: ["{{ network_security_group_ids.vpn }}"]
    subnet_ids: "{{ network_private_subnet_ids }}"
    dns_servers: [10.20.0.2]
    authorization_rules:
      - target_network_cidr: 10.20.0.0/16
        description: the VPC
    connection_log:
      cloudwatch_log_group: /demo/local/client-vpn
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
    wait: false
    client_config:
      path: "{{ playbook_dir }}/demo-local-operator.ovpn"
      client_certificate: "{{ lookup('ansible.builtin.file', 'pki/operator.crt') }}"
      client_key: "{{ lookup('ansible.builtin.file', 'pki/operator.key') }}"
  register: vpn
  until: vpn.client_vpn_endpoint.status == "available"
  retries: 60
  delay: 15

- name: Delete the endpoint
  cloudops.fargate.client_vpn_endpoint:
    name: demo-local-vpn
    tags:
      Stack: demo
      Environment: local
    state: absent
"""

RETURN = r"""
client_vpn_endpoint:
  description:
    - The endpoint as it is, or would be in check mode. Empty after O(state=absent) once it is gone; while it is
      being deleted or its target networks are being disassociated (O(wait=false)), the endpoint as it is.
  returned: always
  type: dict
  contains:
    client_vpn_endpoint_id:
      description: The ID of the endpoint. Null in check mode before it is created.
      type: str
      sample: cvpn-endpoint-0123456789abcdef0
    name:
      description: The value of the endpoint's C(Name) tag.
      type: str
      sample: demo-local-vpn
    description:
      description: The description of the endpoint, if any.
      type: str
      sample: Operators of demo/local
    status:
      description: C(pending-associate) (no target network associated yet), C(available) or C(deleting).
      type: str
      sample: available
    dns_name:
      description: The endpoint's DNS name (a wildcard name). Null in check mode before it is created.
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
      description: The ARN of the client CA's certificate.
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
          description: The log stream; null when logging is off (or not known yet in check mode).
          type: str
          sample: cvpn-endpoint-0123456789abcdef0-us-east-1-2024/01/31-AbCdEfGhIjKl
    associations:
      description: The target networks, sorted by subnet.
      type: list
      elements: dict
      contains:
        association_id:
          description: The ID of the association. Null in check mode before it is made.
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
      contains:
        target_network_cidr:
          description: The network clients may reach.
          type: str
          sample: 10.20.0.0/16
        access_group_id:
          description: The group whose members may reach it; null when every client may.
          type: str
          sample: null
        authorize_all_groups:
          description: Whether every client may reach it.
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
    tags:
      description: The endpoint's tags, C(Name) included.
      type: dict
      sample: {"Name": "demo-local-vpn", "Stack": "demo", "Environment": "local"}
client_config_path:
  description: The absolute path of the client configuration file.
  returned: when O(client_config) is given with O(state=present)
  type: str
  sample: /home/operator/demo-local-operator.ovpn
replaced:
  description: Whether the endpoint was (or in check mode would be) deleted and created again.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import DEFAULT_CONNECTION_LOG_ENABLED
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import DEFAULT_SPLIT_TUNNEL
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import DEFAULT_TRANSPORT_PROTOCOL
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import DEFAULT_VPN_PORT
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import DEFAULT_WAIT_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import SESSION_TIMEOUT_HOURS
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import TRANSPORT_PROTOCOLS
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import VPN_PORTS
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import ClientVpnEndpointManager
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import ClientVpnInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import wanted_endpoint


def argument_spec():
    """The module's arguments; the defaults come from module_utils, where the manager reads them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        description=dict(type="str"),
        server_certificate_arn=dict(type="str"),
        client_root_certificate_chain_arn=dict(type="str"),
        client_cidr_block=dict(type="str"),
        split_tunnel=dict(type="bool", default=DEFAULT_SPLIT_TUNNEL),
        dns_servers=dict(type="list", elements="str"),
        transport_protocol=dict(type="str", choices=list(TRANSPORT_PROTOCOLS), default=DEFAULT_TRANSPORT_PROTOCOL),
        vpn_port=dict(type="int", choices=list(VPN_PORTS), default=DEFAULT_VPN_PORT),
        vpc_id=dict(type="str"),
        security_group_ids=dict(type="list", elements="str"),
        subnet_ids=dict(type="list", elements="str"),
        authorization_rules=dict(
            type="list",
            elements="dict",
            options=dict(
                target_network_cidr=dict(type="str", required=True),
                description=dict(type="str"),
                access_group_id=dict(type="str"),
                authorize_all_groups=dict(type="bool"),
            ),
        ),
        connection_log=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", default=DEFAULT_CONNECTION_LOG_ENABLED),
                cloudwatch_log_group=dict(type="str"),
                cloudwatch_log_stream=dict(type="str"),
            ),
        ),
        session_timeout_hours=dict(type="int", choices=list(SESSION_TIMEOUT_HOURS)),
        replace_on_change=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        client_config=dict(
            type="dict",
            options=dict(
                path=dict(type="path", required=True),
                client_certificate=dict(type="str", required=True),
                client_key=dict(type="str", required=True, no_log=True),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        required_if=[
            ("state", "present", ("server_certificate_arn", "client_root_certificate_chain_arn", "client_cidr_block")),
        ],
    )
    params = module.params
    with module_errors(module):
        if params["state"] == "present":
            wanted = wanted_endpoint(params)
            manager = ClientVpnEndpointManager(module, wait_timeout=params["wait_timeout"])
            manager.ensure_present(wanted)
        else:
            lookup = identity_of(params)["lookup_tags"]
            if params["wait_timeout"] < 0:
                raise ClientVpnInputError("wait_timeout must not be negative")
            manager = ClientVpnEndpointManager(module, wait_timeout=params["wait_timeout"])
            manager.ensure_absent(lookup, wait=params["wait"])
        result = dict(
            changed=manager.changed,
            client_vpn_endpoint=manager.endpoint,
            replaced=manager.replaced,
            diff=manager.diff(),
        )
        if manager.client_config_path is not None:
            result["client_config_path"] = manager.client_config_path
        module.exit_json(**result)


if __name__ == "__main__":
    main()
