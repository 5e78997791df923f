"""The critical path of what a run built (or tore down), from the timers the emulator recorded (``GET
/_emulator/timers``, ``realism.recorded()``), and the fully sequential sum of them.

``BUILD`` and ``TEARDOWN`` map each behaviour (a ``realism.TYPICAL`` key) to the behaviours that must have finished on
AWS before it can start there: AWS's own dependencies (what AWS refuses, or what cannot work, before the other is
done), not the order a playbook happens to take. A behaviour that nothing constrains is absent or maps to nothing.

``critical_path(timers, graph)`` gives the longest chain through the behaviours recorded in the run: each behaviour
counts for its longest recorded duration (several NAT gateways pending side by side take as long as the slowest),
an edge to a behaviour the run did not record is ignored, and a recorded behaviour the graph does not name is a node
of its own. That is the least time the run could have taken on AWS with every independent thing done side by side;
``sequential_sum(timers)`` is the most: every recorded timer one after another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Sources: {TF} is terraform-provider-aws internal/service; the emulator's extensions cite theirs in their docstrings.

# behaviour -> the behaviours that must be over before it starts, when a stack is built.
BUILD: dict[str, tuple[str, ...]] = {
    # CreateMountTarget: "the file system's lifecycle state must be available" (EFS API reference; the emulator
    # answers IncorrectFileSystemLifeCycleState, efs_lifecycle_states).
    "mount_target.creating": ("file_system.creating",),
    "datasync.execution": (
        # CreateLocationEfs needs an available mount target in the subnet's Availability Zone (DataSync user guide,
        # create-efs-location.html; datasync_efs refuses otherwise), and the run writes through it.
        "mount_target.creating",
        # CreateLocationS3 assumes the bucket access role: "Unable to assume role" until it has propagated
        # ({TF}/datasync location_s3.go retries it as IAM eventual consistency; datasync_efs).
        "iam.propagation",
    ),
    "ecs.rollout": (
        # Fargate tasks in private subnets pull their images and ship their logs through the NAT gateway or the
        # interface endpoints: none starts before they are available (ECS developer guide, Fargate task networking).
        "nat_gateway.pending",
        "vpc_endpoint.pending",
        # The service reaches a steady state once its targets are healthy, which needs the ALB active ({TF}/ecs
        # service.go waitServiceStable; {TF}/elbv2 load_balancer.go waitLoadBalancerActive).
        "load_balancer.provisioning",
        # CreateService refuses a target group no listener attaches yet ("does not have an associated load
        # balancer", retried by {TF}/ecs service.go); the HTTPS listener needs the imported certificate visible to
        # ELBv2 ({TF}/elbv2 listener.go retries CertificateNotFound).
        "certificate.import_visibility",
        # The tasks mount EFS (a mount target in their Availability Zone) and serve the files DataSync copied:
        # without them the containers fail their health checks (ecs_service_deployments, _nginx_config).
        "mount_target.creating",
        "datasync.execution",
        # The images are deployed once their scan is COMPLETE (the registry's gate on findings; AWS itself would
        # pull an image still being scanned).
        "ecr.scan",
        # The task execution role must be assumable: a launch before fails (ecs_service_deployments).
        "iam.propagation",
        # CreateCluster/CreateService retry "Unable to assume the service linked role" ({TF}/ecs cluster.go
        # retryClusterCreate, service.go retryServiceCreate).
        "service_linked_role.creation",
    ),
    # A deployment watched by alarms bakes once its new tasks run, and is not over before (a rolling update's bake is
    # its alarms' evaluation time; ECS developer guide, "How CloudWatch alarms detect Amazon ECS deployment failures";
    # ecs_deployment_strategies).
    "ecs.bake_minute": ("ecs.rollout",),
    # Auto Scaling's view of the service starts with CreateService, which waits for ECS's service-linked role (as
    # above); RegisterScalableTarget then retries "ECS service doesn't exist" ({TF}/appautoscaling target.go).
    "scalable_target.service_visibility": ("service_linked_role.creation",),
    # Client VPN: associations and authorization rules go side by side (the emulator does not make an association
    # wait for client_vpn.endpoint_pending, which only holds back another endpoint's creation). A route needs its
    # subnet associated (InvalidClientVpnActiveAssociationNotFound), and a route change starts only when no other
    # change of the endpoint is under way (ConcurrentMutationLimitExceeded, retried by {TF}/ec2 client_vpn_route.go).
    "client_vpn.route": ("client_vpn.associating", "client_vpn.authorizing"),
}

# behaviour -> the behaviours that must be over before it starts, when a stack is torn down.
TEARDOWN: dict[str, tuple[str, ...]] = {
    # A deleted service's tasks stop once its draining is over: STOPPING, DEPROVISIONING, then STOPPED (DeleteCluster
    # answers ClusterContainsTasksException meanwhile, {TF}/ecs cluster.go).
    "ecs.tasks_stopping": ("ecs.draining",),
    # The network interfaces of an owner linger once its deletion is over, holding their subnets, security groups
    # and public addresses ({TF}/ec2 vpc_network_interface.go deleteLingeringENIs; vpc_subnet.go and
    # vpc_security_group.go retry DependencyViolation): the tasks' after the draining, the NAT gateway's and the
    # interface endpoints' after their deleting, the mount targets' after theirs, a Client VPN association's after
    # its disassociation. A load balancer's linger from DeleteLoadBalancer on.
    "network_interface.lingering": (
        "ecs.draining",
        "nat_gateway.deleting",
        "vpc_endpoint.deleting",
        "mount_target.deleting",
        "client_vpn.disassociating",
    ),
    # DeleteClientVpnEndpoint answers ClientVpnEndpointAssociationExists until every association is gone, those
    # disassociating included ({TF}/ec2 wait.go waitClientVPNNetworkAssociationDeleted before the endpoint goes).
    "client_vpn.endpoint_deleting": ("client_vpn.disassociating",),
    # While a route change is under way no association changes (ConcurrentMutationLimitExceeded; ec2_client_vpn's
    # stricter reading of the Client VPN quotas): a route deleted first holds its subnet's disassociation back.
    "client_vpn.disassociating": ("client_vpn.route",),
}


def _durations(timers: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Each recorded behaviour's longest duration."""
    longest: dict[str, float] = {}
    for timer in timers:
        behaviour = str(timer["behaviour"])
        longest[behaviour] = max(longest.get(behaviour, 0.0), float(timer.get("duration") or 0.0))
    return longest


def critical_path(
    timers: Iterable[Mapping[str, Any]], graph: Mapping[str, Iterable[str]]
) -> tuple[float, list[str]]:
    """(seconds, [behaviour, ...]): the longest chain of recorded behaviours through ``graph``, first to last, by
    earliest finish times (a behaviour starts when the last of its recorded prerequisites ends). ``(0.0, [])`` for
    no timers. ``ValueError`` when the recorded part of ``graph`` has a cycle."""
    durations = _durations(timers)
    finish: dict[str, float] = {}
    previous: dict[str, str | None] = {}
    visiting: set[str] = set()

    def earliest_finish(behaviour: str) -> float:
        if behaviour in finish:
            return finish[behaviour]
        if behaviour in visiting:
            raise ValueError(f"the dependency graph has a cycle through {behaviour}")
        visiting.add(behaviour)
        start, before = 0.0, None
        for prerequisite in sorted(set(graph.get(behaviour, ())) & durations.keys()):
            end = earliest_finish(prerequisite)
            if before is None or end > start:
                start, before = end, prerequisite
        visiting.discard(behaviour)
        finish[behaviour] = start + durations[behaviour]
        previous[behaviour] = before
        return finish[behaviour]

    for behaviour in sorted(durations):
        earliest_finish(behaviour)
    if not finish:
        return 0.0, []
    last = max(sorted(finish), key=lambda behaviour: finish[behaviour])
    path: list[str] = []
    node: str | None = last
    while node is not None:
        path.append(node)
        node = previous[node]
    return finish[last], path[::-1]


def sequential_sum(timers: Iterable[Mapping[str, Any]]) -> float:
    """Every recorded timer's duration added up: the run's slow things one after another."""
    return sum(float(timer.get("duration") or 0.0) for timer in timers)


def acyclic(graph: Mapping[str, Iterable[str]]) -> bool:
    """Whether ``graph`` has no cycle (every behaviour taken as recorded)."""
    everything = set(graph) | {prerequisite for prerequisites in graph.values() for prerequisite in prerequisites}
    try:
        critical_path([{"behaviour": behaviour, "duration": 0.0} for behaviour in everything], graph)
    except ValueError:
        return False
    return True
