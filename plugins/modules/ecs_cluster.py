#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_cluster
short_description: Manage an Amazon ECS cluster for Fargate, its Container Insights, capacity providers and ECS Exec
version_added: 0.1.0
description:
  - Creates, updates or deletes one Amazon ECS cluster, identified by its O(name).
  - Container Insights (O(container_insights)), the execute command (ECS Exec) configuration
    (O(execute_command_configuration)), the capacity providers and the default capacity provider strategy, and the
    tags change in place.
  - Capacity providers and the default capacity provider strategy are compared as sets, after filling in what AWS
    leaves out with AWS's defaults (a weight and a base of C(0)); an execute command configuration AWS does not report
    equals one with O(execute_command_configuration.logging=DEFAULT). A run that asks for what the cluster already
    has reports no change.
  - A cluster is identified by its name, and CreateCluster takes no client token. The module looks the cluster up
    before it creates one, so a run after an interrupted create finds the cluster and completes it.
  - On an account without the ECS service-linked role (C(AWSServiceRoleForECS)), the first CreateCluster makes ECS
    create it and is refused until the role is usable (C(Unable to assume the service linked role)), usually for a few
    seconds. The module retries that refusal, and only that one, up to O(wait_timeout). With O(wait=false) it does
    not retry; the task returns at once (changed, as ECS is now making its role) with an empty RV(cluster) and
    RV(service_linked_role_pending=true), and the same task run again a little later creates the cluster at once. A
    playbook can so start a new account's first cluster early and create it where it is needed.
  - After a deletion AWS keeps the cluster for a while with the status C(INACTIVE); the module treats an C(INACTIVE)
    cluster as absent, and O(state=present) creates a new cluster under the same name.
  - AWS refuses to delete a cluster that still contains services, and then, once they are deleted, while their tasks
    are still stopping. With O(state=absent) the module looks up the cluster's services first; when some are
    C(ACTIVE) it fails and names them. It waits for deleted ones that are still C(DRAINING) and for the tasks of
    deleted services that are still stopping (see O(wait)); tasks that nothing stops (started outside a service, or
    by one that is not deleted) fail the task at once, named.
  - Every option is validated before anything changes, so a bad input fails without touching the cluster.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the cluster should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the cluster, up to 255 letters, digits, underscores and hyphens. A cluster ARN is accepted too;
        its name is used.
    type: str
    required: true
  container_insights:
    description:
      - The C(containerInsights) setting of the cluster. C(enabled) collects CloudWatch Container Insights metrics,
        C(enhanced) adds the task- and container-level metrics of enhanced observability, C(disabled) collects none.
      - Defaults to C(enabled), as AWS Security Hub control ECS.12 asks.
    type: str
    choices: [enabled, enhanced, disabled]
    default: enabled
  capacity_providers:
    description:
      - The capacity providers the cluster can use; the order does not matter. Left alone when not given.
      - AWS refuses to remove a capacity provider that tasks still use.
    type: list
    elements: str
    choices: [FARGATE, FARGATE_SPOT]
  default_capacity_provider_strategy:
    description:
      - The capacity provider strategy of services and tasks that name neither a launch type nor a strategy of their
        own; the order does not matter. Left alone when not given; V([]) removes it.
      - Every capacity provider named must be among the cluster's capacity providers (O(capacity_providers), or the
        cluster's current ones when O(capacity_providers) is not given).
      - At least one entry needs a weight above C(0), and only one entry may have a base.
    type: list
    elements: dict
    suboptions:
      capacity_provider:
        description: The capacity provider.
        type: str
        required: true
        choices: [FARGATE, FARGATE_SPOT]
      weight:
        description: The relative share of tasks placed with this capacity provider once every base is met, 0 to 1000.
        type: int
        default: 0
      base:
        description: How many tasks at least run on this capacity provider, 0 to 100000.
        type: int
        default: 0
  execute_command_configuration:
    description:
      - How C(aws ecs execute-command) sessions into the cluster's tasks are encrypted and logged. Left alone when not
        given.
    type: dict
    suboptions:
      kms_key_id:
        description:
          - The ID or ARN of the KMS key that encrypts the data between the client and the container. An identifier,
            not key material.
          - When not given, the session is encrypted with the TLS of the SSM channel only.
        type: str
      logging:
        description:
          - C(DEFAULT) sends the session output to the C(awslogs) configuration of the task definition, C(NONE) logs
            nothing, C(OVERRIDE) sends it where O(execute_command_configuration.log_configuration) says.
        type: str
        choices: [DEFAULT, NONE, OVERRIDE]
        default: DEFAULT
      log_configuration:
        description:
          - Where the session output goes. Required with O(execute_command_configuration.logging=OVERRIDE), with a
            log group, a bucket or both; not allowed otherwise.
        type: dict
        suboptions:
          cloud_watch_log_group_name:
            description: The CloudWatch Logs log group (it must exist).
            type: str
          cloud_watch_encryption_enabled:
            description:
              - Whether the log group must be encrypted (the session then fails when it is not). Needs
                O(execute_command_configuration.log_configuration.cloud_watch_log_group_name).
            type: bool
            default: false
          s3_bucket_name:
            description: The S3 bucket (it must exist).
            type: str
          s3_encryption_enabled:
            description:
              - Whether the bucket must be encrypted. Needs
                O(execute_command_configuration.log_configuration.s3_bucket_name).
            type: bool
            default: false
          s3_key_prefix:
            description:
              - The key prefix of the log objects in the bucket. Needs
                O(execute_command_configuration.log_configuration.s3_bucket_name).
            type: str
  wait:
    description:
      - With O(state=absent), wait for services of the cluster that are deleted but still C(DRAINING) to become
        C(INACTIVE), and then for their tasks to stop, before deleting the cluster, as AWS refuses to delete it before.
      - With V(false), such services and tasks fail the task like C(ACTIVE) ones; run it again once they are gone.
      - C(ACTIVE) services and tasks that nothing stops always fail the task at once. Check mode never waits.
      - Creating and updating a cluster take effect at once. With O(state=present), V(false) only stops a create from
        retrying while ECS makes its service-linked role on a new account (see the notes).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds O(wait) waits for draining services and stopping tasks at most.
      - Also how long a create keeps retrying (with O(wait=true)) while ECS creates its service-linked role on a fresh
        account (AWS takes seconds; terraform-provider-aws retries for 2 minutes).
    type: int
    default: 600
  tags:
    description: Tags for the cluster. Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - Creating, updating and deleting a Fargate cluster take effect at once; only draining services and stopping tasks
    are waited for, and a fresh account's service-linked role.
  - Service Connect defaults are not managed.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the cluster of the stack
  cloudops.fargate.ecs_cluster:
    name: demo-local
    capacity_providers: [FARGATE, FARGATE_SPOT]
    default_capacity_provider_strategy:
      - capacity_provider: FARGATE
        weight: 1
        base: 1
      - capacity_provider: FARGATE_SPOT
        weight: 3
    execute_command_configuration:
      logging: OVERRIDE
      log_configuration:
        cloud_watch_log_group_name: /ecs/demo-local/exec
        cloud_watch_encryption_enabled: true
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: cluster

- name: Use enhanced Container Insights
  cloudops.fargate.ecs_cluster:
    name: demo-local
    container_insights: enhanced

- name: Delete the cluster (after deleting its services; waits while they drain)
  cloudops.fargate.ecs_cluster:
    name: demo-local
    state: absent
    wait_timeout: 300
"""

RETURN = r"""
cluster:
  description: The cluster as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    cluster_arn:
      description: The ARN of the cluster. Absent in check mode before creation.
      type: str
      returned: when it exists
      sample: arn:aws:ecs:us-east-1:123456789012:cluster/demo-local
    cluster_name:
      description: The name of the cluster.
      type: str
      returned: when present
      sample: demo-local
    status:
      description: The status of the cluster, C(ACTIVE) once created.
      type: str
      returned: when present
      sample: ACTIVE
    settings:
      description: The cluster's settings, sorted by name; C(containerInsights) among them.
      type: list
      elements: dict
      returned: when present
      sample: [{"name": "containerInsights", "value": "enabled"}]
      contains:
        name:
          description: The name of the setting.
          type: str
          sample: containerInsights
        value:
          description: The value of the setting.
          type: str
          sample: enabled
    capacity_providers:
      description: The cluster's capacity providers, sorted.
      type: list
      elements: str
      returned: when present
      sample: ["FARGATE", "FARGATE_SPOT"]
    default_capacity_provider_strategy:
      description: The default capacity provider strategy, sorted by capacity provider, with AWS's defaults filled in.
      type: list
      elements: dict
      returned: when present
      sample: [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}]
      contains:
        capacity_provider:
          description: The capacity provider.
          type: str
          sample: FARGATE
        weight:
          description: Its relative share of tasks.
          type: int
          sample: 1
        base:
          description: The tasks that at least run on it.
          type: int
          sample: 0
    configuration:
      description: The cluster's configuration.
      type: dict
      returned: when present
      contains:
        execute_command_configuration:
          description: The execute command configuration, with AWS's defaults filled in.
          type: dict
          contains:
            kms_key_id:
              description: The KMS key that encrypts sessions; null when none.
              type: str
              sample: null
            logging:
              description: C(DEFAULT), C(NONE) or C(OVERRIDE).
              type: str
              sample: DEFAULT
            log_configuration:
              description: Where session output goes with C(OVERRIDE); null otherwise.
              type: dict
              sample: {"cloud_watch_log_group_name": "/ecs/demo-local/exec", "cloud_watch_encryption_enabled": true,
                       "s3_bucket_name": null, "s3_encryption_enabled": false, "s3_key_prefix": null}
    registered_container_instances_count:
      description: Container instances registered with the cluster (always 0 with Fargate only).
      type: int
      returned: when present
      sample: 0
    running_tasks_count:
      description: Tasks in the C(RUNNING) state.
      type: int
      returned: when present
      sample: 2
    pending_tasks_count:
      description: Tasks in the C(PENDING) state.
      type: int
      returned: when present
      sample: 0
    active_services_count:
      description: Services in the C(ACTIVE) state.
      type: int
      returned: when present
      sample: 1
    tags:
      description: The cluster's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo", "Environment": "local"}
services:
  description: The services that keep the cluster from being deleted, when O(state=absent) fails for that reason.
  returned: on failure to delete a cluster that contains services
  type: list
  elements: dict
  sample: [{"service_name": "web", "status": "ACTIVE"}]
tasks:
  description:
    - The tasks that have not stopped, when O(state=absent) fails because AWS reports that the cluster contains
      tasks (at most 100 of each desired status). Empty when AWS lists none.
  returned: on failure to delete a cluster that contains tasks
  type: list
  elements: dict
  sample: [{"task_id": "0123456789abcdef0123456789abcdef", "group": "service:web", "last_status": "DEACTIVATING",
            "desired_status": "STOPPED"}]
  contains:
    task_id:
      description: The ID of the task (the last part of its ARN).
      type: str
    group:
      description: The task's group, C(service:<name>) for a service's task.
      type: str
    last_status:
      description: The task's last known status.
      type: str
    desired_status:
      description: C(RUNNING) for a task nothing is stopping, C(STOPPED) for one being stopped.
      type: str
service_linked_role_pending:
  description:
    - Whether a create with O(wait=false) found ECS still making its service-linked role; the cluster is then not
      created yet (RV(cluster) is empty). Run the task again to create it.
  returned: always
  type: bool
  sample: false
  version_added: 0.4.0
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import CAPACITY_PROVIDERS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import CONTAINER_INSIGHTS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import DEFAULT_CONTAINER_INSIGHTS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import DEFAULT_LOGGING
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import DEFAULT_WAIT_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import LOG_CONFIGURATION_DEFAULTS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import LOGGING
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import STRATEGY_DEFAULTS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import ClusterInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import ClusterManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import wanted_settings


def argument_spec():
    """The module's arguments; the defaults come from module_utils, where the manager reads them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        container_insights=dict(type="str", choices=list(CONTAINER_INSIGHTS), default=DEFAULT_CONTAINER_INSIGHTS),
        capacity_providers=dict(type="list", elements="str", choices=list(CAPACITY_PROVIDERS)),
        default_capacity_provider_strategy=dict(
            type="list",
            elements="dict",
            options=dict(
                capacity_provider=dict(type="str", required=True, choices=list(CAPACITY_PROVIDERS)),
                weight=dict(type="int", default=STRATEGY_DEFAULTS["weight"]),
                base=dict(type="int", default=STRATEGY_DEFAULTS["base"]),
            ),
        ),
        execute_command_configuration=dict(
            type="dict",
            options=dict(
                # an identifier of the key, not key material
                kms_key_id=dict(type="str", no_log=False),
                logging=dict(type="str", choices=list(LOGGING), default=DEFAULT_LOGGING),
                log_configuration=dict(
                    type="dict",
                    options=dict(
                        cloud_watch_log_group_name=dict(type="str"),
                        cloud_watch_encryption_enabled=dict(
                            type="bool", default=LOG_CONFIGURATION_DEFAULTS["cloud_watch_encryption_enabled"]
                        ),
                        s3_bucket_name=dict(type="str"),
                        s3_encryption_enabled=dict(
                            type="bool", default=LOG_CONFIGURATION_DEFAULTS["s3_encryption_enabled"]
                        ),
                        s3_key_prefix=dict(type="str", no_log=False),
                    ),
                ),
            ),
        ),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params

    with module_errors(module):
        # validated before anything is read: the whole cluster (its name too), or the name absent needs
        wanted = wanted_settings(params) if params["state"] == "present" else None
        name = validate_name(params["name"])
        if params["wait_timeout"] < 0:
            raise ClusterInputError(f"wait_timeout must be 0 or more seconds, not {params['wait_timeout']}")

        manager = ClusterManager(module)
        if wanted is None:
            manager.ensure_absent(name, params["wait"], params["wait_timeout"])
        else:
            manager.ensure_present(wanted, params["wait_timeout"], params["wait"])
        module.exit_json(
            changed=manager.changed,
            cluster=manager.cluster,
            service_linked_role_pending=manager.service_linked_role_pending,
            diff=manager.diff(),
        )


if __name__ == "__main__":
    main()
