"""The storage layer's filters: the VPN certificate plan, authorization rules, mount targets and instructions."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter import storage


def test_certificate_plan_has_the_ca_first_then_the_server_then_one_client_per_operator():
    specs = storage.vpn_certificate_specs(["alice", "bob"], "demo-local", "demo-local.vpn.internal")
    assert [s["name"] for s in specs] == ["ca", "server", "alice", "bob"]
    ca, server, alice, _bob = specs
    assert ca["basic_constraints"] == ["CA:TRUE"] and "keyCertSign" in ca["key_usage"]
    assert server["extended_key_usage"] == ["serverAuth"]
    assert server["subject_alt_name"] == ["DNS:server.demo-local.vpn.internal"]
    assert alice["extended_key_usage"] == ["clientAuth"]
    assert alice["basic_constraints"] == ["CA:FALSE"]
    assert alice["common_name"] == "alice.demo-local.vpn.internal"


@pytest.mark.parametrize("operator", ["ca", "server"])
def test_operator_names_cannot_overwrite_the_ca_or_server_files(operator):
    with pytest.raises(AnsibleFilterError, match="storage_vpn_operators"):
        storage.vpn_certificate_specs(["alice", operator], "demo-local", "d")


def test_authorization_rules_cover_each_cidr():
    assert storage.vpn_authorization_rules(["10.20.0.0/16", "10.30.0.0/16"]) == [
        {"target_network_cidr": "10.20.0.0/16", "description": "operators to 10.20.0.0/16"},
        {"target_network_cidr": "10.30.0.0/16", "description": "operators to 10.30.0.0/16"},
    ]
    assert storage.vpn_authorization_rules([]) == []


def test_mount_target_specs_give_every_subnet_the_groups():
    assert storage.efs_mount_target_specs(["subnet-1", "subnet-2"], ["sg-1"]) == [
        {"subnet_id": "subnet-1", "security_groups": ["sg-1"]},
        {"subnet_id": "subnet-2", "security_groups": ["sg-1"]},
    ]
    assert storage.efs_mount_target_specs(None, ["sg-1"]) == []


def test_mount_instructions_are_per_zone_by_address_with_tls():
    targets = [
        {"availability_zone_name": "us-east-1b", "ip_address": "10.20.9.10"},
        {"availability_zone_name": "us-east-1a", "ip_address": "10.20.8.10"},
    ]
    instructions = storage.efs_mount_instructions(targets, "fs-123")
    assert [i["availability_zone"] for i in instructions] == ["us-east-1a", "us-east-1b"]
    assert instructions[0]["mount_target_ip"] == "10.20.8.10"
    assert instructions[0]["command"] == "sudo mount -t efs -o tls,mounttargetip=10.20.8.10 fs-123 /mnt/efs"
    assert storage.efs_mount_instructions([], "fs-123") == []


def test_access_point_index_keys_ids_and_arns_by_purpose():
    file_systems = [
        {
            "file_system_id": "fs-1",
            "access_points": [
                {"access_point_id": "fsap-1", "access_point_arn": "arn:1", "tags": {"Purpose": "config", "NginxConfigDigest": "abc"}},
                {"access_point_id": "fsap-2", "access_point_arn": "arn:2", "tags": {"Purpose": "ui"}},
                {"access_point_id": "fsap-3", "access_point_arn": "arn:3", "tags": {}},
            ],
        }
    ]
    (indexed,) = storage.efs_access_point_index(file_systems)
    assert indexed["access_point_ids"] == {"config": "fsap-1", "ui": "fsap-2"}
    assert indexed["access_point_arns"] == {"config": "arn:1", "ui": "arn:2"}
    assert indexed["file_system_id"] == "fs-1"
    assert indexed["nginx_config_digest"] == "abc"
    assert storage.efs_access_point_index([]) == []


# --- vpn_certificates_current: whether a re-run may skip issuing ----------------------------------------------------

DOMAIN = "demo-local.vpn.internal"
SPECS = storage.vpn_certificate_specs(["alice"], "demo-local", DOMAIN)
CA_KEY_ID = "aa:bb:cc"


def certificate_info(name, renewal=True, **changes):
    """One result of community.crypto.x509_certificate_info looped over the names, as the role registers it."""
    spec = next(s for s in SPECS if s["name"] == name)
    info = {
        "item": name,
        "valid_at": {"renewal": renewal},
        "subject": {"commonName": spec["common_name"]},
        "subject_alt_name": spec.get("subject_alt_name"),
        "issuer": {"commonName": "demo-local VPN CA"},
        "subject_key_identifier": CA_KEY_ID if name == "ca" else "11:22",
        "authority_key_identifier": None if name == "ca" else CA_KEY_ID,
    }
    info.update(changes)
    return info


def current_set():
    return [certificate_info(name) for name in ("ca", "server", "alice")]


KEYS = ["ca", "server", "alice"]


def test_a_complete_valid_set_from_its_own_ca_needs_nothing_issued():
    assert storage.vpn_certificates_current(SPECS, current_set(), KEYS) is True


def test_a_missing_certificate_or_key_needs_issuing():
    missing_file = {"item": "alice", "failed": False, "msg": "The file /pki/alice.crt does not exist"}  # no valid_at
    assert storage.vpn_certificates_current(SPECS, current_set()[:2] + [missing_file], KEYS) is False
    assert storage.vpn_certificates_current(SPECS, current_set(), ["ca", "server"]) is False
    assert storage.vpn_certificates_current(SPECS, [], KEYS) is False


def test_a_new_operator_needs_issuing():
    with_bob = storage.vpn_certificate_specs(["alice", "bob"], "demo-local", DOMAIN)
    assert storage.vpn_certificates_current(with_bob, current_set(), KEYS + ["bob"]) is False


@pytest.mark.parametrize("name", ["ca", "server", "alice"])
def test_a_certificate_within_the_renewal_horizon_needs_issuing(name):
    infos = [certificate_info(n, renewal=(n != name)) for n in ("ca", "server", "alice")]
    assert storage.vpn_certificates_current(SPECS, infos, KEYS) is False


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": {"commonName": "server.old-domain.internal"}},
        {"subject_alt_name": ["DNS:server.old-domain.internal"]},
        {"issuer": {"commonName": "another CA"}},
        {"authority_key_identifier": "dd:ee:ff"},
    ],
    ids=["common name", "alternative names", "issuer", "issuing key"],
)
def test_a_certificate_that_names_something_else_or_comes_from_another_ca_needs_issuing(changes):
    infos = [certificate_info("ca"), certificate_info("server", **changes), certificate_info("alice")]
    assert storage.vpn_certificates_current(SPECS, infos, KEYS) is False


def test_without_a_subject_key_identifier_on_the_ca_the_issuer_name_decides():
    infos = [certificate_info("ca", subject_key_identifier=None), certificate_info("server"), certificate_info("alice")]
    assert storage.vpn_certificates_current(SPECS, infos, KEYS) is True
