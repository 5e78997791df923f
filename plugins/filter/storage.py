# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the storage layer: the VPN's certificate plan and the operators' mount instructions."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def vpn_certificate_specs(operators, prefix, domain):
    """The certificates of the VPN's private CA, CA first, then the server, then one client per operator.

    Each is ``{name, common_name, subject_alt_name?, basic_constraints, key_usage, extended_key_usage?}``,
    ready for community.crypto.openssl_csr_pipe; ``name`` is the file stem in the PKI directory.
    """
    reserved = {"ca", "server"}
    clashing = sorted(reserved.intersection(operators))
    if clashing:
        raise AnsibleFilterError(f"storage_vpn_operators must not use the reserved names {sorted(reserved)}: {clashing}")
    specs = [
        {
            "name": "ca",
            "common_name": f"{prefix} VPN CA",
            "basic_constraints": ["CA:TRUE"],
            "key_usage": ["keyCertSign", "cRLSign"],
        },
        {
            "name": "server",
            "common_name": f"server.{domain}",
            "subject_alt_name": [f"DNS:server.{domain}"],
            "basic_constraints": ["CA:FALSE"],
            "key_usage": ["digitalSignature", "keyEncipherment"],
            "extended_key_usage": ["serverAuth"],
        },
    ]
    for operator in operators:
        specs.append(
            {
                "name": operator,
                "common_name": f"{operator}.{domain}",
                "subject_alt_name": [f"DNS:{operator}.{domain}"],
                "basic_constraints": ["CA:FALSE"],
                "key_usage": ["digitalSignature"],
                "extended_key_usage": ["clientAuth"],
            }
        )
    return specs


def vpn_certificates_current(specs, certificate_infos, key_names):
    """Whether the PKI directory already holds everything ``specs`` asks for, so that nothing needs issuing.

    ``certificate_infos`` are the results of community.crypto.x509_certificate_info looped over the spec names (a
    missing file leaves ``valid_at`` out), with ``valid_at.renewal`` the renewal horizon; ``key_names`` the file stems
    of the keys on disk. Every certificate must exist, stay valid past the horizon, name what its spec names, and (but
    the CA's) come from the CA of this set; every key must exist. Anything else goes the long way, which issues or
    renews what needs it.
    """
    infos = {result.get("item"): result for result in certificate_infos or [] if "valid_at" in result}
    ca = infos.get("ca")
    if ca is None:
        return False
    ca_name = (ca.get("subject") or {}).get("commonName")
    ca_key_id = ca.get("subject_key_identifier")
    for spec in specs:
        info = infos.get(spec["name"])
        if info is None or spec["name"] not in key_names or not info["valid_at"].get("renewal"):
            return False
        if (info.get("subject") or {}).get("commonName") != spec["common_name"]:
            return False
        if sorted(info.get("subject_alt_name") or []) != sorted(spec.get("subject_alt_name") or []):
            return False
        if spec["name"] == "ca":
            continue
        if (info.get("issuer") or {}).get("commonName") != ca_name:
            return False
        if ca_key_id and info.get("authority_key_identifier") != ca_key_id:
            return False
    return True


def vpn_authorization_rules(cidrs):
    """The ``authorization_rules`` option of client_vpn_endpoint: every group may reach each CIDR."""
    return [{"target_network_cidr": cidr, "description": f"operators to {cidr}"} for cidr in cidrs or []]


def efs_mount_target_specs(subnet_ids, security_group_ids):
    """The ``mount_targets`` option of efs_file_system: one per subnet, each with the given security groups."""
    return [{"subnet_id": subnet_id, "security_groups": list(security_group_ids)} for subnet_id in subnet_ids or []]


def efs_mount_instructions(mount_targets, file_system_id, mount_point="/mnt/efs"):
    """One entry per availability zone: the mount target's address and the command that mounts through it.

    EFS DNS names resolve only inside the VPC, so over the Client VPN an operator mounts by the IP of the mount
    target in the zone of their choice; the file system policy refuses clients without TLS, hence efs-utils' ``tls``.
    """
    instructions = []
    for target in sorted(mount_targets or [], key=lambda t: t.get("availability_zone_name", "")):
        address = target.get("ip_address", "")
        instructions.append(
            {
                "availability_zone": target.get("availability_zone_name", ""),
                "mount_target_ip": address,
                "command": f"sudo mount -t efs -o tls,mounttargetip={address} {file_system_id} {mount_point}",
            }
        )
    return instructions


def efs_access_point_index(file_systems):
    """File systems as efs_file_system_info returns them, each with ``access_point_ids`` and ``access_point_arns``:
    dicts by the access points' ``Purpose`` tag (the storage role's access point names, ``config`` and ``ui``), and
    ``nginx_config_digest``, the digest the storage role tags the config access point with."""
    indexed = []
    for file_system in file_systems or []:
        points = [p for p in file_system.get("access_points", []) if p.get("tags", {}).get("Purpose")]
        indexed.append(
            dict(
                file_system,
                access_point_ids={p["tags"]["Purpose"]: p.get("access_point_id", "") for p in points},
                access_point_arns={p["tags"]["Purpose"]: p.get("access_point_arn", "") for p in points},
                nginx_config_digest=next(
                    (p["tags"].get("NginxConfigDigest", "") for p in points if p["tags"]["Purpose"] == "config"), ""
                ),
            )
        )
    return indexed


class FilterModule:
    def filters(self):
        return {
            "vpn_authorization_rules": vpn_authorization_rules,
            "vpn_certificate_specs": vpn_certificate_specs,
            "vpn_certificates_current": vpn_certificates_current,
            "efs_access_point_index": efs_access_point_index,
            "efs_mount_instructions": efs_mount_instructions,
            "efs_mount_target_specs": efs_mount_target_specs,
        }
