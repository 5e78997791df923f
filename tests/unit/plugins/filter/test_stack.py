"""Unit tests of plugins/filter/stack.py: published facts over stack_info's outputs."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.filter.stack import layer_outputs
from ansible_collections.cloudops.fargate.plugins.filter.stack import missing_layers

FOUND = {"network_vpc_id": "vpc-found", "network_private_subnet_ids": ["subnet-a", "subnet-b"], "registry_repository_uris": {}}


@pytest.mark.parametrize(
    ("names", "values", "expected"),
    [
        ([], [], FOUND),
        (["network_vpc_id"], ["vpc-published"], dict(FOUND, network_vpc_id="vpc-published")),
        (["network_vpc_id"], [""], FOUND),
        (["network_private_subnet_ids"], [[]], FOUND),
        (["registry_repository_uris"], [{"app": "uri"}], dict(FOUND, registry_repository_uris={"app": "uri"})),
        (["storage_file_system_id"], [""], dict(FOUND, storage_file_system_id="")),
        (["storage_file_system_id"], [None], dict(FOUND, storage_file_system_id="")),
    ],
)
def test_published_outputs_win_unless_empty(names, values, expected):
    assert layer_outputs(FOUND, names, values) == expected


def test_nothing_found_keeps_what_was_published():
    assert layer_outputs(None, ["network_vpc_id"], ["vpc-1"]) == {"network_vpc_id": "vpc-1"}


@pytest.mark.parametrize(
    ("names", "values", "expected"),
    [
        (["network_vpc_id", "network_private_subnet_ids"], ["vpc-1", ["s"]], []),
        (["network_vpc_id", "network_private_subnet_ids"], ["vpc-1", []], ["network"]),
        (["network_vpc_id", "registry_repository_uris", "storage_file_system_id"], ["", {}, ""], ["network", "registry", "storage"]),
        (["loadbalancer_target_group_arns", "loadbalancer_dns_name"], [{}, ""], ["loadbalancer"]),
    ],
)
def test_missing_layers(names, values, expected):
    assert missing_layers(names, values) == expected
