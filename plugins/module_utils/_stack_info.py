# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reader behind cloudops.fargate.stack_info, and its pure helpers.

One stack (``<stack>-<environment>``) is found by the identity tags every role gives its resources (``Stack``,
``Environment``, ``ManagedBy=cloudops.fargate``) and by the names the roles give them; its layers' outputs come back
under the names and in the shapes the roles publish as facts at their end (``network_vpc_id``,
``registry_repository_uris``, ...), so a play that did not run a layer reads the same values the layer would have
set. A resource whose tags are not the stack's is never the stack's, whatever its name. A layer that is missing
has empty outputs (``""``, ``[]``, ``{}``) and ``found: false``; it is not an error. Only the calls of the layers
asked for are made, and none of them changes anything.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import batches
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import EcrReader
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import repository_name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import default_creation_token
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import name_errors as target_group_name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._identity import is_environment_name
from ansible_collections.cloudops.fargate.plugins.module_utils._identity import is_stack_name

LAYERS = ("network", "registry", "storage", "loadbalancer", "fargate")
MANAGED_BY = "cloudops.fargate"
DEFAULT_REPOSITORY_NAMES = ["app", "nginx"]
DEFAULT_TARGET_GROUP_NAMES = ["web"]

# The names the roles give (roles/<role>/vars/main.yml), after the prefix "<stack>-<environment>".
FILE_SYSTEM_SUFFIX = "-static"
VPN_SUFFIX = "-vpn"
LOAD_BALANCER_SUFFIX = "-alb"
# The alternate of a target group ECS shifts traffic to (the loadbalancer role's filter alb_alternate_target_groups).
ALTERNATE_SUFFIX = "-alt"
HTTPS_PORT = 443
PUBLIC_ROUTE_TABLE_SUFFIX = "-public"
PRIVATE_ROUTE_TABLE_SUFFIX = "-private-"
# efs_mount_instructions' default mount point (plugins/filter/storage.py), which the storage role uses.
MOUNT_POINT = "/mnt/efs"

NAME_TAG = "Name"
TIER_TAG = "Tier"
PURPOSE_TAG = "Purpose"
# The file system's tag naming the release the service should run, and each release access point's tag naming its
# release: only that release's access points are the layer's.
RELEASE_TAG = "Release"

GONE_EFS_STATES = ("deleting", "deleted")
GONE_VPN_STATES = ("deleting", "deleted")
LIVE_NAT_STATES = ["pending", "available"]
ECS_ACTIVE = "ACTIVE"

ELB_TAGS_BATCH = 20  # DescribeTags takes at most 20 ARNs
ECS_SERVICES_BATCH = 10  # DescribeServices takes at most 10 services

# Every output each layer publishes, empty: what a missing layer returns (roles/<role>/tasks/absent.yml sets the
# same values when it tears the layer down).
EMPTY_OUTPUTS: dict[str, dict[str, Any]] = {
    "network": {
        "network_vpc_id": "",
        "network_vpc_cidr_block": "",
        "network_availability_zones": [],
        "network_public_subnet_ids": [],
        "network_private_subnet_ids": [],
        "network_nat_gateway_ids": [],
        "network_nat_public_ips": [],
        "network_route_table_ids": {},
        "network_security_group_ids": {},
    },
    "registry": {
        "registry_repository_uris": {},
        "registry_repository_arns": {},
    },
    "storage": {
        "storage_file_system_id": "",
        "storage_file_system_arn": "",
        "storage_access_point_ids": {},
        "storage_access_point_arns": {},
        "storage_access_point_paths": {},
        "storage_mountable_access_point_arns": [],
        "storage_release_digest": "",
        "storage_nginx_config_digest": "",
        "storage_mount_instructions": [],
        "storage_vpn_endpoint_id": "",
    },
    "loadbalancer": {
        "loadbalancer_arn": "",
        "loadbalancer_dns_name": "",
        "loadbalancer_target_group_arns": {},
        "loadbalancer_listener_arns": {},
        "loadbalancer_production_rule_arns": {},
    },
    "fargate": {
        "fargate_cluster_arn": "",
        "fargate_service_arns": {},
        "fargate_task_definition_arns": {},
    },
}


def empty_outputs(layer: str) -> dict[str, Any]:
    """The outputs of ``layer`` when nothing of it exists."""
    return deepcopy(EMPTY_OUTPUTS[layer])


# --- the lookup the options describe -----------------------------------------------------------------------


def _unique(values: list[Any] | None) -> list[Any]:
    return list(dict.fromkeys(values or []))


def wanted_lookup(params: dict[str, Any]) -> dict[str, Any]:
    """The stack, the layers (in dependency order, each once) and the short names to look up, validated:
    ``InputError`` names every option that could not name anything of a stack (before any call)."""
    stack, environment = params.get("stack"), params.get("environment")
    errors = []
    if not is_stack_name(stack):
        errors.append(
            f"stack ({stack}) must be 1-12 lower-case letters, digits or single hyphens, starting with a letter and"
            " not ending with a hyphen"
        )
    if not is_environment_name(environment):
        errors.append(f"environment ({environment}) must be 1-8 lower-case letters or digits, starting with a letter")
    layers = params.get("layers")
    if layers is None:
        layers = list(LAYERS)
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        errors.append(f"layers: unknown layer(s) {', '.join(map(str, unknown))}; choose from {', '.join(LAYERS)}")
    if errors:
        raise InputError.of(errors)

    prefix = f"{stack}-{environment}"
    repository_names = _unique(params.get("repository_names", DEFAULT_REPOSITORY_NAMES))
    target_group_names = _unique(params.get("target_group_names", DEFAULT_TARGET_GROUP_NAMES))
    for name in repository_names:
        errors += repository_name_errors(f"{prefix}/{name}", f"repository_names: {name!r} gives the repository name")
    for name in target_group_names:
        errors += target_group_name_errors(f"{prefix}-{name}", f"target_group_names: {name!r} gives the target group name")
    if errors:
        raise InputError.of(errors)
    return {
        "stack": stack,
        "environment": environment,
        "prefix": prefix,
        "identity": identity_tags(stack, environment),
        "layers": [layer for layer in LAYERS if layer in layers],
        "repository_names": repository_names,
        "target_group_names": target_group_names,
    }


# --- tags ------------------------------------------------------------------------------------------------------


def identity_tags(stack: str, environment: str) -> dict[str, str]:
    """The tags every resource of the stack carries (roles/<role>/vars/main.yml ``__<role>_identity_tags``)."""
    return {"Stack": stack, "Environment": environment, "ManagedBy": MANAGED_BY}


def ec2_filters(identity: dict[str, str], **extra: Any) -> list[dict[str, Any]]:
    """EC2 ``Filters``: one ``tag:<Key>`` filter per identity tag (the roles' ``__<role>_tag_filters``), plus
    ``extra`` (filter name with ``_`` for ``-`` -> value or list of values)."""
    filters = [{"Name": f"tag:{key}", "Values": [value]} for key, value in identity.items()]
    for name, value in extra.items():
        filters.append({"Name": name.replace("_", "-"), "Values": list(value) if isinstance(value, (list, tuple)) else [value]})
    return filters


def tag_dict(tags: list[dict[str, Any]] | dict[str, Any] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """Tags as a dict, from AWS's ``[{Key, Value}]`` (ECS: ``[{key, value}]``) or a dict already."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(tag.get(key)): str(tag.get(value, "")) for tag in tags or [] if tag.get(key) is not None}


def carries(tags: dict[str, str], wanted: dict[str, str]) -> bool:
    """Whether ``tags`` holds every tag of ``wanted`` with the same value."""
    return all(tags.get(key) == value for key, value in wanted.items())


def short_name(name: str, prefix: str, separator: str = "-") -> str:
    """``name`` without the stack's ``<prefix><separator>`` (``demo-local-web`` -> ``web``); as it is without it."""
    lead = f"{prefix}{separator}"
    return name[len(lead):] if name.startswith(lead) and len(name) > len(lead) else name


# --- the outputs of each layer (pure: AWS's descriptions in, the roles' facts out) ---------------------------


def network_outputs(
    vpc: dict[str, Any],
    subnets: list[dict[str, Any]],
    security_groups: list[dict[str, Any]],
    nat_gateways: list[dict[str, Any]],
    route_tables: list[dict[str, Any]],
    prefix: str,
) -> dict[str, Any]:
    """The network role's facts from the stack's VPC and what is in it (each list already the stack's own).

    Subnets by Availability Zone (the role's layout order), split by their ``Tier`` tag; security groups by their
    ``Purpose`` tag; NAT gateways in the order of their subnets' zones; route tables by the names the role gives
    them (``<prefix>-public``, ``<prefix>-private-<zone suffix>``)."""

    def by_zone(subnet: dict[str, Any]) -> tuple[str, str]:
        return (subnet.get("AvailabilityZone") or "", subnet.get("SubnetId") or "")

    def tier(name: str) -> list[dict[str, Any]]:
        return sorted((s for s in subnets if tag_dict(s.get("Tags")).get(TIER_TAG) == name), key=by_zone)

    public, private = tier("public"), tier("private")
    zone_of = {s.get("SubnetId"): s.get("AvailabilityZone") or "" for s in subnets}

    groups: dict[str, str] = {}
    for group in sorted(security_groups, key=lambda g: g.get("GroupId") or ""):
        purpose = tag_dict(group.get("Tags")).get(PURPOSE_TAG)
        if purpose and purpose not in groups:
            groups[purpose] = group.get("GroupId") or ""

    nats = sorted(
        nat_gateways,
        key=lambda n: (zone_of.get(n.get("SubnetId"), ""), tag_dict(n.get("Tags")).get(NAME_TAG, ""), n.get("NatGatewayId") or ""),
    )
    public_ips = [
        address.get("PublicIp") for nat in nats for address in nat.get("NatGatewayAddresses") or [] if address.get("PublicIp")
    ]

    named = {}
    for table in sorted(route_tables, key=lambda t: t.get("RouteTableId") or ""):
        named.setdefault(tag_dict(table.get("Tags")).get(NAME_TAG, ""), table.get("RouteTableId") or "")
    private_prefix = f"{prefix}{PRIVATE_ROUTE_TABLE_SUFFIX}"
    return {
        "network_vpc_id": vpc.get("VpcId") or "",
        "network_vpc_cidr_block": vpc.get("CidrBlock") or "",
        "network_availability_zones": sorted({s.get("AvailabilityZone") for s in public + private if s.get("AvailabilityZone")}),
        "network_public_subnet_ids": [s["SubnetId"] for s in public],
        "network_private_subnet_ids": [s["SubnetId"] for s in private],
        "network_nat_gateway_ids": [n["NatGatewayId"] for n in nats],
        "network_nat_public_ips": public_ips,
        "network_route_table_ids": {
            "public": named.get(f"{prefix}{PUBLIC_ROUTE_TABLE_SUFFIX}", ""),
            "private": [named[name] for name in sorted(named) if name.startswith(private_prefix)],
        },
        "network_security_group_ids": groups,
    }


def registry_outputs(repositories: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    """The registry role's facts: URIs and ARNs by short name (``<prefix>/app`` -> ``app``)."""
    outputs = empty_outputs("registry")
    for repository in repositories:
        name = short_name(repository["repositoryName"], prefix, "/")
        outputs["registry_repository_uris"][name] = repository.get("repositoryUri") or ""
        outputs["registry_repository_arns"][name] = repository.get("repositoryArn") or ""
    return outputs


def access_point_key(access_point: dict[str, Any], prefix: str) -> str:
    """The storage role's name of an access point (``config``, ``ui``): its ``Purpose`` tag, else its ``Name`` tag
    without the stack's prefix; "" when it has neither."""
    tags = tag_dict(access_point.get("Tags"))
    if tags.get(PURPOSE_TAG):
        return tags[PURPOSE_TAG]
    return short_name(tags[NAME_TAG], prefix) if tags.get(NAME_TAG) else ""


def mount_instructions(mount_targets: list[dict[str, Any]], file_system_id: str) -> list[dict[str, str]]:
    """What plugins/filter/storage.py ``efs_mount_instructions`` makes of the mount targets (one per zone)."""
    instructions = []
    for target in sorted(mount_targets, key=lambda t: (t.get("AvailabilityZoneName") or "", t.get("MountTargetId") or "")):
        address = target.get("IpAddress") or ""
        instructions.append(
            {
                "availability_zone": target.get("AvailabilityZoneName") or "",
                "mount_target_ip": address,
                "command": f"sudo mount -t efs -o tls,mounttargetip={address} {file_system_id} {MOUNT_POINT}",
            }
        )
    return instructions


def storage_outputs(
    file_system: dict[str, Any] | None,
    access_points: list[dict[str, Any]],
    mount_targets: list[dict[str, Any]],
    vpn_endpoint: dict[str, Any] | None,
    prefix: str,
) -> dict[str, Any]:
    """The storage role's facts from its file system (DescribeFileSystems entry), the access points of the release
    the file system is tagged with, its mount targets, and its Client VPN endpoint. A release whose access points
    are missing (its copy never finished) leaves the access points empty, so nothing deploys half a release."""
    outputs = empty_outputs("storage")
    if vpn_endpoint:
        outputs["storage_vpn_endpoint_id"] = vpn_endpoint.get("ClientVpnEndpointId") or ""
    if not file_system:
        return outputs
    file_system_id = file_system.get("FileSystemId") or ""
    outputs["storage_file_system_id"] = file_system_id
    outputs["storage_file_system_arn"] = file_system.get("FileSystemArn") or ""
    release = tag_dict(file_system.get("Tags")).get(RELEASE_TAG, "")
    outputs["storage_release_digest"] = release
    outputs["storage_nginx_config_digest"] = release
    for access_point in sorted(access_points, key=lambda a: a.get("AccessPointId") or ""):
        key = access_point_key(access_point, prefix)
        if not release or tag_dict(access_point.get("Tags")).get(RELEASE_TAG) != release:
            continue
        if not key or key in outputs["storage_access_point_ids"]:
            continue
        outputs["storage_access_point_ids"][key] = access_point.get("AccessPointId") or ""
        outputs["storage_access_point_arns"][key] = access_point.get("AccessPointArn") or ""
        outputs["storage_access_point_paths"][key] = (access_point.get("RootDirectory") or {}).get("Path") or "/"
    # Every kept release's: a rollback goes back to a revision that mounts the previous release's.
    outputs["storage_mountable_access_point_arns"] = sorted(
        access_point.get("AccessPointArn") or ""
        for access_point in access_points
        if tag_dict(access_point.get("Tags")).get(RELEASE_TAG) and access_point_key(access_point, prefix)
    )
    outputs["storage_mount_instructions"] = mount_instructions(mount_targets, file_system_id)
    return outputs


def choose_file_system(descriptions: list[dict[str, Any]], name: str, identity: dict[str, str]) -> dict[str, Any] | None:
    """The stack's file system among DescribeFileSystems entries: one carrying the identity tags, not being deleted,
    named ``name`` the way efs_file_system_info finds a name (the creation token efs_file_system derives from it, or
    the ``Name`` tag). The derived token wins over the tag, then the oldest; None when there is none."""
    token = default_creation_token(name)
    candidates = []
    for description in descriptions:
        tags = tag_dict(description.get("Tags"))
        if description.get("LifeCycleState") in GONE_EFS_STATES or not carries(tags, identity):
            continue
        if description.get("CreationToken") == token or tags.get(NAME_TAG) == name:
            candidates.append(description)
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda d: (d.get("CreationToken") != token, str(d.get("CreationTime") or ""), d.get("FileSystemId") or ""),
    )


def loadbalancer_outputs(
    load_balancer: dict[str, Any] | None,
    listeners: list[dict[str, Any]],
    target_groups: list[dict[str, Any]],
    prefix: str,
    rules: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The loadbalancer role's facts: the ALB, its listeners by port (as a string, like the role's), the
    target groups by short name (``<prefix>-web`` -> ``web``) and, among ``rules`` (the HTTPS listener's), the
    production rules by the short name of the group whose alternate they forward to as well."""
    outputs = empty_outputs("loadbalancer")
    if load_balancer:
        outputs["loadbalancer_arn"] = load_balancer.get("LoadBalancerArn") or ""
        outputs["loadbalancer_dns_name"] = load_balancer.get("DNSName") or ""
        outputs["loadbalancer_listener_arns"] = {
            str(listener.get("Port")): listener.get("ListenerArn") or "" for listener in sorted(listeners, key=lambda item: item.get("Port") or 0)
        }
    for target_group in target_groups:
        outputs["loadbalancer_target_group_arns"][short_name(target_group["TargetGroupName"], prefix)] = target_group.get("TargetGroupArn") or ""
    outputs["loadbalancer_production_rule_arns"] = production_rule_arns(rules or [], outputs["loadbalancer_target_group_arns"])
    return outputs


def production_rule_arns(rules: list[dict[str, Any]], target_group_arns: dict[str, str]) -> dict[str, str]:
    """``{name: rule ARN}`` for each group ``name`` whose alternate (``<name>-alt``) is known and a rule of ``rules``
    forwards to exactly the two of them (what the loadbalancer role makes for ECS's traffic shifts)."""
    found = {}
    for name, arn in target_group_arns.items():
        alternate = target_group_arns.get(f"{name}{ALTERNATE_SUFFIX}")
        if not alternate or name.endswith(ALTERNATE_SUFFIX):
            continue
        for rule in rules:
            forwarded = {
                group.get("TargetGroupArn")
                for action in rule.get("Actions") or []
                if action.get("Type") == "forward"
                for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            }
            if forwarded == {arn, alternate}:
                found[name] = rule["RuleArn"]
                break
    return found


def fargate_outputs(cluster: dict[str, Any] | None, services: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    """The fargate role's facts: the cluster, and its services and their task definitions by short name
    (``<prefix>-web`` -> ``web``)."""
    outputs = empty_outputs("fargate")
    if not cluster:
        return outputs
    outputs["fargate_cluster_arn"] = cluster.get("clusterArn") or ""
    for service in sorted(services, key=lambda s: s.get("serviceName") or ""):
        name = short_name(service.get("serviceName") or "", prefix)
        outputs["fargate_service_arns"][name] = service.get("serviceArn") or ""
        if service.get("taskDefinition"):
            outputs["fargate_task_definition_arns"][name] = service["taskDefinition"]
    return outputs


# --- the reader ----------------------------------------------------------------------------------------------


class StackInfoManager(BaseResourceManager):
    """Reads the layers of one stack; changes nothing, in any mode. Clients are made for the layers asked for
    only, so a layer left out costs no call."""

    def __init__(self, module, lookup: dict[str, Any]) -> None:
        super().__init__(module)
        self.lookup = lookup
        self.prefix = lookup["prefix"]
        self.identity = lookup["identity"]
        self._clients: dict[str, Any] = {}

    def _client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.client(service)
        return self._clients[service]

    def read(self) -> tuple[dict[str, Any], dict[str, bool]]:
        """``(outputs, found)`` of the layers asked for: every output of each of them, and whether anything of
        the layer exists."""
        outputs: dict[str, Any] = {}
        found: dict[str, bool] = {}
        for layer in self.lookup["layers"]:
            layer_outputs, found[layer] = getattr(self, f"_{layer}")()
            outputs.update(layer_outputs)
        return outputs, found

    # --- network ---

    def _ec2_list(self, operation: str, items: str, what: str, filter_key: str = "Filters", **extra: Any) -> list[dict[str, Any]]:
        ec2 = self._client("ec2")
        return paginate(getattr(ec2, operation), what, items, **{filter_key: ec2_filters(self.identity, **extra)})

    def _network(self) -> tuple[dict[str, Any], bool]:
        vpcs = [v for v in self._ec2_list("describe_vpcs", "Vpcs", "describe the stack's VPC") if self._own(v)]
        if not vpcs:
            return empty_outputs("network"), False
        if len(vpcs) > 1:
            ids = ", ".join(sorted(v["VpcId"] for v in vpcs))
            raise AWSActionError(
                f"Stack {self.prefix} has {len(vpcs)} VPCs tagged as its own ({ids}); the network role refuses to go on"
                " with more than one: remove the extra ones first"
            )
        vpc = vpcs[0]
        vpc_id = vpc["VpcId"]
        subnets = self._ec2_list("describe_subnets", "Subnets", f"describe the subnets of {vpc_id}", vpc_id=vpc_id)
        groups = self._ec2_list(
            "describe_security_groups", "SecurityGroups", f"describe the security groups of {vpc_id}", vpc_id=vpc_id
        )
        # NAT gateways are narrowed by VPC and state only: not every emulator honours their tag filters, so their
        # tags are compared here (as every other list's are, by _own).
        ec2 = self._client("ec2")
        nats = paginate(
            ec2.describe_nat_gateways,
            f"describe the NAT gateways of {vpc_id}",
            "NatGateways",
            Filter=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "state", "Values": LIVE_NAT_STATES}],
        )
        tables = self._ec2_list(
            "describe_route_tables", "RouteTables", f"describe the route tables of {vpc_id}", vpc_id=vpc_id
        )
        own = self._own
        outputs = network_outputs(
            vpc,
            [s for s in subnets if own(s)],
            [g for g in groups if own(g)],
            [n for n in nats if own(n)],
            [t for t in tables if own(t)],
            self.prefix,
        )
        return outputs, True

    def _own(self, resource: dict[str, Any]) -> bool:
        return carries(tag_dict(resource.get("Tags")), self.identity)

    # --- registry ---

    def _registry(self) -> tuple[dict[str, Any], bool]:
        names = [f"{self.prefix}/{name}" for name in self.lookup["repository_names"]]
        if not names:
            return empty_outputs("registry"), False
        reader = EcrReader(self.module)
        repositories = [r for r in reader.describe_names(names) if carries(reader.tags(r["repositoryArn"]), self.identity)]
        return registry_outputs(repositories, self.prefix), bool(repositories)

    # --- storage ---

    def _storage(self) -> tuple[dict[str, Any], bool]:
        efs = self._client("efs")
        descriptions = paginate(efs.describe_file_systems, "describe the file systems", "FileSystems", token="Marker")
        file_system = choose_file_system(descriptions, f"{self.prefix}{FILE_SYSTEM_SUFFIX}", self.identity)
        access_points: list[dict[str, Any]] = []
        mount_targets: list[dict[str, Any]] = []
        if file_system is not None:
            file_system_id = file_system["FileSystemId"]
            gone = {"FileSystemNotFound": []}
            access_points = [
                a
                for a in paginate(
                    efs.describe_access_points,
                    f"describe the access points of file system {file_system_id}",
                    "AccessPoints",
                    answers=gone,
                    FileSystemId=file_system_id,
                )
                if a.get("LifeCycleState") not in GONE_EFS_STATES
            ]
            mount_targets = [
                m
                for m in paginate(
                    efs.describe_mount_targets,
                    f"describe the mount targets of file system {file_system_id}",
                    "MountTargets",
                    token="Marker",
                    answers=gone,
                    FileSystemId=file_system_id,
                )
                if m.get("LifeCycleState") not in GONE_EFS_STATES
            ]
        vpn_endpoint = self._vpn_endpoint()
        outputs = storage_outputs(file_system, access_points, mount_targets, vpn_endpoint, self.prefix)
        return outputs, file_system is not None or vpn_endpoint is not None

    def _vpn_endpoint(self) -> dict[str, Any] | None:
        """The stack's Client VPN endpoint: DescribeClientVpnEndpoints has no tag filter, so every endpoint is
        listed and matched by its Name tag and the identity tags; one being deleted does not count."""
        wanted = dict(self.identity, **{NAME_TAG: f"{self.prefix}{VPN_SUFFIX}"})
        endpoints = [
            e
            for e in paginate(self._client("ec2").describe_client_vpn_endpoints, "describe the Client VPN endpoints", "ClientVpnEndpoints")
            if carries(tag_dict(e.get("Tags")), wanted) and (e.get("Status") or {}).get("Code") not in GONE_VPN_STATES
        ]
        if len(endpoints) > 1:
            ids = ", ".join(sorted(e["ClientVpnEndpointId"] for e in endpoints))
            raise AWSActionError(
                f"{len(endpoints)} Client VPN endpoints are named {wanted[NAME_TAG]} with the stack's tags ({ids});"
                " delete the extra ones"
            )
        return endpoints[0] if endpoints else None

    # --- loadbalancer ---

    def _elb_tags(self, arns: list[str]) -> dict[str, dict[str, str]]:
        elbv2 = self._client("elbv2")
        tags: dict[str, dict[str, str]] = {}
        for batch in batches(arns, ELB_TAGS_BATCH):
            response = call(
                elbv2.describe_tags,
                "describe the tags of the stack's load balancer and target groups",
                answers={("LoadBalancerNotFound", "TargetGroupNotFound"): {}},
                ResourceArns=batch,
            )
            for description in response.get("TagDescriptions") or []:
                tags[description.get("ResourceArn")] = tag_dict(description.get("Tags"))
        return tags

    def _loadbalancer(self) -> tuple[dict[str, Any], bool]:
        elbv2 = self._client("elbv2")
        name = f"{self.prefix}{LOAD_BALANCER_SUFFIX}"
        load_balancers = paginate(
            elbv2.describe_load_balancers,
            f"describe load balancer {name}",
            "LoadBalancers",
            token="Marker",
            answers={"LoadBalancerNotFound": []},
            Names=[name],
        )
        target_groups = []
        for short in self.lookup["target_group_names"]:
            target_groups += paginate(
                elbv2.describe_target_groups,
                f"describe target group {self.prefix}-{short}",
                "TargetGroups",
                token="Marker",
                answers={"TargetGroupNotFound": []},
                Names=[f"{self.prefix}-{short}"],
            )
        arns = [lb["LoadBalancerArn"] for lb in load_balancers] + [tg["TargetGroupArn"] for tg in target_groups]
        tags = self._elb_tags(arns) if arns else {}
        load_balancer = next((lb for lb in load_balancers if carries(tags.get(lb["LoadBalancerArn"], {}), self.identity)), None)
        target_groups = [tg for tg in target_groups if carries(tags.get(tg["TargetGroupArn"], {}), self.identity)]
        listeners: list[dict[str, Any]] = []
        if load_balancer is not None:
            listeners = paginate(
                elbv2.describe_listeners,
                f"describe the listeners of load balancer {name}",
                "Listeners",
                token="Marker",
                answers={"LoadBalancerNotFound": []},
                LoadBalancerArn=load_balancer["LoadBalancerArn"],
            )
        shorts = self.lookup["target_group_names"]
        shifting = any(f"{short}{ALTERNATE_SUFFIX}" in shorts for short in shorts)
        https = next((listener for listener in listeners if listener.get("Port") == HTTPS_PORT), None)
        rules: list[dict[str, Any]] = []
        if shifting and https is not None:  # only a stack that shifts traffic between two groups has production rules
            rules = paginate(
                elbv2.describe_rules,
                f"describe the rules of the HTTPS listener of load balancer {name}",
                "Rules",
                token="Marker",
                answers={"ListenerNotFound": []},
                ListenerArn=https["ListenerArn"],
            )
        outputs = loadbalancer_outputs(load_balancer, listeners, target_groups, self.prefix, rules)
        return outputs, load_balancer is not None or bool(target_groups)

    # --- fargate ---

    def _fargate(self) -> tuple[dict[str, Any], bool]:
        ecs = self._client("ecs")
        name = self.prefix  # the fargate role's cluster is named after the stack
        response = call(ecs.describe_clusters, f"describe ECS cluster {name}", clusters=[name], include=["TAGS"])
        cluster = next(
            (
                c
                for c in response.get("clusters") or []
                if c.get("status") == ECS_ACTIVE and carries(tag_dict(c.get("tags"), "key", "value"), self.identity)
            ),
            None,
        )
        if cluster is None:
            return empty_outputs("fargate"), False
        cluster_arn = cluster["clusterArn"]
        gone = {"ClusterNotFoundException": []}
        arns = paginate(
            ecs.list_services,
            f"list the services of ECS cluster {name}",
            "serviceArns",
            token="nextToken",
            answers=gone,
            cluster=cluster_arn,
        )
        services = []
        for batch in batches(arns, ECS_SERVICES_BATCH):
            described = call(
                ecs.describe_services,
                f"describe the services of ECS cluster {name}",
                answers={"ClusterNotFoundException": {}},
                cluster=cluster_arn,
                services=batch,
                include=["TAGS"],
            )
            services += [
                s
                for s in described.get("services") or []
                if s.get("status") == ECS_ACTIVE and carries(tag_dict(s.get("tags"), "key", "value"), self.identity)
            ]
        return fargate_outputs(cluster, services, self.prefix), True
