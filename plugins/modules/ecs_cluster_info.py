#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_cluster_info
short_description: Read ECS clusters, with the tasks that keep them from being deleted
version_added: 0.4.0
description:
  - Describes the clusters named in O(names), in the shape M(cloudops.fargate.ecs_cluster) returns, each with
    RV(clusters[].active_tasks), its tasks that have not stopped.
  - AWS refuses to delete a cluster that has active tasks (C(ClusterContainsTasksException)), and the tasks of a service
    just deleted keep stopping for a while after the service is C(INACTIVE); a role polls this module (with
    M(cloudops.fargate.wait_until)) until RV(clusters[].active_tasks) is empty, printing progress, before it deletes the
    cluster.
  - A cluster AWS does not know (C(MISSING)) is left out of the result; it is not an error. A deleted cluster stays
    visible as C(INACTIVE) for a while and is returned with that status and no tasks.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  names:
    description:
      - The names (or ARNs) of the clusters. Each is returned once, in this order; an empty list returns none.
    type: list
    elements: str
    required: true
notes:
  - The active tasks are found with C(ListTasks) of both desired statuses (C(RUNNING), then C(STOPPED)), every page,
    and C(DescribeTasks); a task whose desired status is C(STOPPED) and whose last status is not yet C(STOPPED) is one
    still stopping.
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait for the tasks of the deleted services to stop, then delete the cluster
  cloudops.fargate.wait_until:
    what: the tasks of demo-local to stop
    read:
      module: cloudops.fargate.ecs_cluster_info
      args:
        names: [demo-local]
    ready: result.clusters | map(attribute='active_tasks') | flatten | length == 0
    pending: result.clusters | map(attribute='active_tasks') | flatten | map(attribute='task_arn') | list
    timeout: 600

- name: Read the cluster
  cloudops.fargate.ecs_cluster_info:
    names: [demo-local]
  register: found

- name: Show how many tasks run in it
  ansible.builtin.debug:
    msg: "{{ (found.clusters | first).running_tasks_count }}"
  when: found.clusters | length > 0
"""

RETURN = r"""
clusters:
  description:
    - The clusters found, in the order of O(names), in the shape of the C(cluster) that M(cloudops.fargate.ecs_cluster)
      returns, plus RV(clusters[].active_tasks).
  returned: always
  type: list
  elements: dict
  contains:
    cluster_arn:
      description: The ARN of the cluster.
      type: str
      returned: always
      sample: arn:aws:ecs:us-east-1:123456789012:cluster/demo-local
    cluster_name:
      description: The name of the cluster.
      type: str
      returned: always
      sample: demo-local
    status:
      description: C(ACTIVE), or C(INACTIVE) for a cluster deleted not long ago.
      type: str
      returned: always
      sample: ACTIVE
    settings:
      description: The cluster's settings, sorted by name; C(containerInsights) among them.
      type: list
      elements: dict
      returned: always
      sample: [{"name": "containerInsights", "value": "enabled"}]
    capacity_providers:
      description: The cluster's capacity providers, sorted.
      type: list
      elements: str
      returned: always
      sample: ["FARGATE", "FARGATE_SPOT"]
    default_capacity_provider_strategy:
      description:
        - The default capacity provider strategy, sorted by capacity provider, with AWS's defaults filled in; each with
          C(capacity_provider), C(weight) and C(base).
      type: list
      elements: dict
      returned: always
      sample: [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}]
    configuration:
      description:
        - The cluster's configuration; its C(execute_command_configuration) has C(kms_key_id), C(logging) and
          C(log_configuration), with AWS's defaults filled in.
      type: dict
      returned: always
      sample: {"execute_command_configuration": {"kms_key_id": null, "logging": "DEFAULT", "log_configuration": null}}
    registered_container_instances_count:
      description: Container instances registered with the cluster (always 0 with Fargate only).
      type: int
      returned: always
      sample: 0
    running_tasks_count:
      description: Tasks in the C(RUNNING) state.
      type: int
      returned: always
      sample: 2
    pending_tasks_count:
      description: Tasks in the C(PENDING) state.
      type: int
      returned: always
      sample: 0
    active_services_count:
      description: Services in the C(ACTIVE) state.
      type: int
      returned: always
      sample: 1
    tags:
      description: The cluster's tags.
      type: dict
      returned: always
      sample: {"Stack": "demo", "Environment": "local"}
    active_tasks:
      description:
        - The cluster's tasks whose last status is not C(STOPPED), those meant to run first; empty for an C(INACTIVE)
          cluster.
        - AWS refuses to delete the cluster while this is not empty.
      type: list
      elements: dict
      returned: always
      sample:
        - task_arn: arn:aws:ecs:us-east-1:123456789012:task/demo-local/0123456789abcdef0123456789abcdef
          last_status: DEPROVISIONING
          desired_status: STOPPED
          group: service:demo-local-web
          stopped_reason: Scaling activity initiated by (deployment ecs-svc/1234567890123456789)
      contains:
        task_arn:
          description: The ARN of the task; its ID is the last part.
          type: str
          sample: arn:aws:ecs:us-east-1:123456789012:task/demo-local/0123456789abcdef0123456789abcdef
        last_status:
          description:
            - The task's last known status, for example C(RUNNING), or C(DEACTIVATING), C(STOPPING) and
              C(DEPROVISIONING) for one on its way to C(STOPPED).
          type: str
          sample: DEPROVISIONING
        desired_status:
          description: C(RUNNING) for a task nothing is stopping, C(STOPPED) for one being stopped.
          type: str
          sample: STOPPED
        group:
          description: The task's group, C(service:<name>) for a service's task.
          type: str
          sample: service:demo-local-web
        stopped_reason:
          description: Why the task is being stopped; null for a task nothing is stopping.
          type: str
          sample: Scaling activity initiated by (deployment ecs-svc/1234567890123456789)
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import ClusterManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import validate_names


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str", required=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    with module_errors(module):
        names = validate_names(module.params["names"])
        clusters = ClusterManager(module).find(names) if names else []
        module.exit_json(changed=False, clusters=clusters)


if __name__ == "__main__":
    main()
