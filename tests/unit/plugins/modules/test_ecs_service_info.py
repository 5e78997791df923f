"""cloudops.fargate.ecs_service_info against moto in this process."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import ecs_service_info


@pytest.fixture
def cluster_with_service(aws):
    ec2, ecs = aws("ec2"), aws("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="svc", Description="svc", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="unit")
    definition = ecs.register_task_definition(
        family="unit-web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "nginx", "image": "nginx:1.27", "portMappings": [{"containerPort": 8080}]}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster="unit",
        serviceName="web",
        taskDefinition=definition,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
        tags=[{"key": "Stack", "value": "unit"}],
    )
    return definition


def test_returns_the_named_services_in_the_ecs_service_shape(run_module, cluster_with_service):
    result = run_module(ecs_service_info, {"cluster": "unit", "names": ["web"]})
    assert result["changed"] is False
    (service,) = result["services"]
    assert service["service_name"] == "web"
    assert service["task_definition"] == cluster_with_service
    assert service["desired_count"] == 2
    assert service["tags"] == {"Stack": "unit"}


def test_missing_services_and_clusters_are_left_out(run_module, cluster_with_service):
    assert run_module(ecs_service_info, {"cluster": "unit", "names": ["nope"]})["services"] == []
    assert run_module(ecs_service_info, {"cluster": "no-such-cluster", "names": ["web"]})["services"] == []


def test_deleted_service_is_left_out(run_module, aws, cluster_with_service):
    aws("ecs").delete_service(cluster="unit", service="web", force=True)
    services = run_module(ecs_service_info, {"cluster": "unit", "names": ["web"]})["services"]
    assert all(s["status"] in ("ACTIVE", "DRAINING") for s in services)


def test_more_than_ten_names_is_refused(run_module, aws):
    result = run_module(ecs_service_info, {"cluster": "unit", "names": [f"s{i}" for i in range(11)]})
    assert result["failed"] and "at most 10" in result["msg"]


def test_check_mode_reads_the_same(run_module, cluster_with_service):
    result = run_module(ecs_service_info, {"cluster": "unit", "names": ["web"]}, check_mode=True)
    assert [s["service_name"] for s in result["services"]] == ["web"]
