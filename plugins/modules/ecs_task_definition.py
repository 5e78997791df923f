#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_task_definition
short_description: Register an ECS task definition revision when it changes, and clean up old revisions
version_added: 0.1.0
description:
  - Manages one task definition family. With O(state=present) it registers a new revision only when the
    definition asked for differs from the latest C(ACTIVE) revision of the family; otherwise it changes nothing
    (but the tags and the clean-up below).
  - The comparison is made after normalising both sides to what AWS stores. What AWS fills in on registration
    counts as given (a container's C(essential=true) and C(cpu=0), C(versionConsistency=enabled), a port
    mapping's C(protocol=tcp) and, with O(network_mode=awsvpc) or C(host), C(hostPort) equal to
    C(containerPort), a health check's interval, timeout and retries, an EFS volume's root directory C(/) and
    C(DISABLED) switches, the C(X86_64)/C(LINUX) runtime platform); empty lists and maps count as absent; what
    AWS computes (C(revision), C(status), C(taskDefinitionArn), C(compatibilities), C(requiresAttributes),
    C(registeredAt), C(registeredBy)) is never compared; key order and the order of port mappings, mount
    points and containers do not count; a container's C(environment) and C(secrets) are compared as sets by
    name; O(cpu) and O(memory) are compared in units (C(1 vCPU) is C(1024)).
  - The diff names what changed, as C(containers.<name>.<field>) (for example C(containers.nginx.image) or
    C(containers.app.environment)), C(containers.<name>) for a container added or removed, and C(task.<option>)
    (for example C(task.cpu)) for the task's own settings.
  - RegisterTaskDefinition takes no idempotency token. A re-run is safe because of the comparison with the
    latest revision; a run interrupted after registering finds its revision as the latest and registers nothing.
  - Tags belong to each revision. A new revision gets O(tags) (merged with the previous revision's tags when
    O(purge_tags=false), or the previous revision's tags when O(tags) is not given); when no revision is
    registered, the tags of the latest revision are updated in place.
  - With O(keep_revisions), the C(ACTIVE) revisions of the family older than the last O(keep_revisions) (counting
    one registered by this run) are deregistered. The latest revision and the one just registered never are.
  - With O(state=absent), every C(ACTIVE) revision of the family is deregistered. Deregistered (C(INACTIVE))
    revisions stay describable, as AWS keeps them; running tasks and services using them are not disrupted.
  - Every option is validated before anything is registered or deregistered, in check mode too, so a bad input
    fails without changing anything; every error message names the container and the field.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description:
      - C(present) registers a revision when needed; C(absent) deregisters every C(ACTIVE) revision of the family.
    type: str
    choices: [present, absent]
    default: present
  family:
    description:
      - The task definition family, up to 255 letters, digits, underscores and hyphens.
    type: str
    required: true
  container_definitions:
    description:
      - The containers, as a list of container definitions in the ECS API's own camelCase shape (the
        C(containerDefinitions) of RegisterTaskDefinition, as in a task definition JSON file). They are passed
        through to AWS unchanged, so every field of the API can be used; they are checked against the API's
        schema before anything is registered.
      - Required with O(state=present).
      - "Validated: container names are unique; each C(image) is C(repository:tag) or
        C(repository@sha256:<64 hex digits>) (no implicit C(latest)); C(containerPort) and C(hostPort) are from 1
        to 65535, and with O(network_mode=awsvpc) a C(hostPort) equals its C(containerPort); at least one
        container is essential; C(mountPoints) name volumes of O(volumes), and C(volumesFrom) and C(dependsOn)
        other containers."
      - C(secrets) (and C(logConfiguration.secretOptions)) entries have exactly the keys C(name) and
        C(valueFrom), where C(valueFrom) is an SSM parameter ARN or name, or a Secrets Manager secret ARN.
        O(execution_role_arn) is then required.
      - An C(environment) entry whose name looks like a secret is refused, with a message to use C(secrets),
        that is a name one of whose words (split at C(_), C(-), C(.) and camelCase) is or ends with C(PASSWORD),
        C(PASSWD), C(SECRET), C(TOKEN) or C(KEY), unless its last word is C(FILE) or C(PATH). C(environment)
        values must be strings.
    type: list
    elements: dict
  network_mode:
    description:
      - The Docker network mode of the task. Must be C(awsvpc) with C(FARGATE) in O(requires_compatibilities).
    type: str
    choices: [awsvpc, bridge, host, none]
    default: awsvpc
  requires_compatibilities:
    description:
      - The launch types the task definition is validated for.
      - With C(FARGATE), O(cpu) and O(memory) are required and must be one of Fargate's task sizes.
    type: list
    elements: str
    choices: [FARGATE, EC2, EXTERNAL]
    default: [FARGATE]
  cpu:
    description:
      - The task's CPU units, as an integer (C(1024)) or a string (C('1024'), C('1 vCPU'), C('0.25 vCPU')); it is
        registered (and compared) in units.
      - "With C(FARGATE), one of Fargate's task sizes, which also bound O(memory) (MiB): C(256) with 512, 1024 or
        2048; C(512) with 1024 to 4096; C(1024) with 2048 to 8192; C(2048) with 4096 to 16384; C(4096) with 8192
        to 30720 (all in steps of 1024); C(8192) with 16384 to 61440 in steps of 4096; C(16384) with 32768 to
        122880 in steps of 8192."
    type: raw
  memory:
    description:
      - The task's memory in MiB, as an integer (C(2048)) or a string (C('2048'), C('2 GB'), C('0.5GB')); it is
        registered (and compared) in MiB. See O(cpu) for the sizes Fargate allows.
    type: raw
  execution_role_arn:
    description:
      - The ARN of the IAM role ECS uses to start the task (pull images from ECR, read O(container_definitions)
        secrets, write to CloudWatch Logs). Required with secrets, and on Fargate with the C(awslogs) log driver.
    type: str
  task_role_arn:
    description:
      - The ARN of the IAM role the containers use (and, with C(authorizationConfig.iam=ENABLED), mount EFS with).
    type: str
  volumes:
    description:
      - The task's volumes, as a list of volumes in the ECS API's camelCase shape (the C(volumes) of
        RegisterTaskDefinition), passed through unchanged; names are unique.
      - "An EFS volume: C({name: ui, efsVolumeConfiguration: {fileSystemId: fs-..., transitEncryption: ENABLED,
        authorizationConfig: {accessPointId: fsap-..., iam: ENABLED}}}). An access point or C(iam=ENABLED) needs
        C(transitEncryption=ENABLED), and with an access point C(rootDirectory) must be left out (or C(/))."
      - On Fargate, C(dockerVolumeConfiguration) and C(host.sourcePath) are refused.
    type: list
    elements: dict
  runtime_platform:
    description:
      - The platform the task runs on. When not given, ECS uses C(X86_64) and C(LINUX), and that is what a
        revision without one is compared as.
    type: dict
    suboptions:
      cpu_architecture:
        description: The CPU architecture.
        type: str
        choices: [X86_64, ARM64]
        default: X86_64
      operating_system_family:
        description: The operating system.
        type: str
        choices: [LINUX]
        default: LINUX
  ephemeral_storage:
    description:
      - The task's ephemeral storage in GiB, 21 to 200. Only with C(FARGATE). When not given, Fargate gives 20 GiB.
    type: int
  keep_revisions:
    description:
      - Keep this many C(ACTIVE) revisions of the family, newest first, counting the one registered by this run,
        and deregister the older ones. At least 1; the latest revision is never deregistered.
      - When not given, no revision is deregistered by O(state=present).
    type: int
  tags:
    description:
      - Tags for the revision (on its task definition ARN). Left alone when not given; a new revision then gets the
        previous revision's tags.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - Registering takes effect at once; there is nothing to wait for. Rolling a service out to the new revision is
    the job of M(cloudops.fargate.ecs_service).
  - DeleteTaskDefinitions is not called; deregistering is the contract of O(state=absent) and O(keep_revisions).
  - Bad input fails before the first AWS call that changes anything; the checks also run in check mode.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Register the web task definition (nginx in front of the app, UI files from EFS)
  cloudops.fargate.ecs_task_definition:
    family: demo-local-web
    cpu: 512
    memory: 1024
    execution_role_arn: "{{ fargate_execution_role_arn }}"
    task_role_arn: "{{ fargate_task_role_arn }}"
    runtime_platform:
      cpu_architecture: ARM64
    container_definitions:
      - name: nginx
        image: "{{ registry_repository_uris['nginx'] }}:1.27.3"
        portMappings:
          - containerPort: 8080
        mountPoints:
          - sourceVolume: ui
            containerPath: /usr/share/nginx/html
            readOnly: true
        dependsOn:
          - containerName: app
            condition: START
        logConfiguration:
          logDriver: awslogs
          options:
            awslogs-group: /demo/local/web
            awslogs-region: us-east-1
            awslogs-stream-prefix: nginx
      - name: app
        image: "{{ registry_repository_uris['app'] }}@sha256:{{ app_digest }}"
        environment:
          - name: LISTEN_PORT
            value: "9000"
        secrets:
          - name: DB_PASSWORD
            valueFrom: arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/db-AbCdEf
    volumes:
      - name: ui
        efsVolumeConfiguration:
          fileSystemId: "{{ storage_file_system_id }}"
          transitEncryption: ENABLED
          authorizationConfig:
            accessPointId: "{{ storage_access_point_ids['ui'] }}"
            iam: ENABLED
    keep_revisions: 5
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: web_task_definition

- name: Use the revision in the service
  ansible.builtin.debug:
    msg: "{{ web_task_definition.arn }}"

- name: Deregister every revision of the family
  cloudops.fargate.ecs_task_definition:
    family: demo-local-web
    state: absent
"""

RETURN = r"""
task_definition:
  description:
    - The latest revision as AWS describes it (in check mode, as it would be), empty after O(state=absent).
    - The description in snake_case, with the tags as a dict. Below C(environment), C(secrets),
      C(secret_options), C(options) (of C(log_configuration) and C(firelens_configuration)), C(docker_labels),
      C(driver_opts) and C(labels) the values are returned as AWS has them (for example C(valueFrom), and log
      option names such as C(awslogs-group)), because their keys are the user's own.
  returned: always
  type: dict
  contains:
    task_definition_arn:
      description: The ARN of the revision. Absent in check mode when a revision would be registered.
      type: str
      returned: when present
      sample: arn:aws:ecs:us-east-1:123456789012:task-definition/demo-local-web:3
    family:
      description: The family.
      type: str
      returned: when present
      sample: demo-local-web
    revision:
      description: The revision number. Absent in check mode when a revision would be registered.
      type: int
      returned: when present
      sample: 3
    status:
      description: C(ACTIVE).
      type: str
      returned: when present
      sample: ACTIVE
    container_definitions:
      description: The containers, snake_case keys, AWS's defaults filled in.
      type: list
      elements: dict
      returned: when present
      sample:
        - name: nginx
          image: nginx:1.27.3
          cpu: 0
          essential: true
          port_mappings: [{container_port: 8080, host_port: 8080, protocol: tcp}]
          environment: []
          mount_points: []
          volumes_from: []
    network_mode:
      description: The network mode.
      type: str
      returned: when present
      sample: awsvpc
    requires_compatibilities:
      description: The launch types the revision was validated for.
      type: list
      elements: str
      returned: when present
      sample: [FARGATE]
    cpu:
      description: The task's CPU units.
      type: str
      returned: when present
      sample: "512"
    memory:
      description: The task's memory in MiB.
      type: str
      returned: when present
      sample: "1024"
    execution_role_arn:
      description: The task execution role.
      type: str
      returned: when set
      sample: arn:aws:iam::123456789012:role/demo-local-execution
    task_role_arn:
      description: The task role.
      type: str
      returned: when set
      sample: arn:aws:iam::123456789012:role/demo-local-task
    volumes:
      description: The volumes.
      type: list
      elements: dict
      returned: when present
      sample: [{name: ui, efs_volume_configuration: {file_system_id: fs-0123456789abcdef0, root_directory: /}}]
    runtime_platform:
      description: The runtime platform, when set.
      type: dict
      returned: when set
      sample: {cpu_architecture: ARM64, operating_system_family: LINUX}
    ephemeral_storage:
      description: The ephemeral storage, when set.
      type: dict
      returned: when set
      sample: {size_in_gib: 30}
    tags:
      description: The revision's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo", "Environment": "local"}
revision:
  description: The latest revision's number; null after O(state=absent), or in check mode when one would be registered.
  returned: always
  type: int
  sample: 3
arn:
  description: The latest revision's ARN; null after O(state=absent), or in check mode when one would be registered.
  returned: always
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/demo-local-web:3
registered:
  description: Whether a new revision was (or in check mode would be) registered.
  returned: always
  type: bool
  sample: true
deregistered:
  description: The ARNs of the revisions deregistered (or in check mode that would be).
  returned: always
  type: list
  elements: str
  sample: ["arn:aws:ecs:us-east-1:123456789012:task-definition/demo-local-web:1"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import COMPATIBILITIES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import CPU_ARCHITECTURES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import DEFAULT_NETWORK_MODE
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import (
    DEFAULT_REQUIRES_COMPATIBILITIES,
)
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import NETWORK_MODES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import OPERATING_SYSTEM_FAMILIES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import RUNTIME_PLATFORM_DEFAULTS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import TaskDefinitionManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import validate_family
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import wanted_task_definition


def argument_spec():
    """The module's arguments; the defaults come from module_utils, where the validators read them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        family=dict(type="str", required=True),
        container_definitions=dict(type="list", elements="dict"),
        network_mode=dict(type="str", choices=list(NETWORK_MODES), default=DEFAULT_NETWORK_MODE),
        requires_compatibilities=dict(
            type="list", elements="str", choices=list(COMPATIBILITIES), default=list(DEFAULT_REQUIRES_COMPATIBILITIES)
        ),
        cpu=dict(type="raw"),
        memory=dict(type="raw"),
        execution_role_arn=dict(type="str"),
        task_role_arn=dict(type="str"),
        volumes=dict(type="list", elements="dict"),
        runtime_platform=dict(
            type="dict",
            options=dict(
                cpu_architecture=dict(
                    type="str", choices=list(CPU_ARCHITECTURES), default=RUNTIME_PLATFORM_DEFAULTS["cpu_architecture"]
                ),
                operating_system_family=dict(
                    type="str",
                    choices=list(OPERATING_SYSTEM_FAMILIES),
                    default=RUNTIME_PLATFORM_DEFAULTS["operating_system_family"],
                ),
            ),
        ),
        ephemeral_storage=dict(type="int"),
        keep_revisions=dict(type="int"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=argument_spec(),
        required_if=[("state", "present", ["container_definitions"])],
        supports_check_mode=True,
    )
    params = module.params

    with module_errors(module):
        # validated before anything is read: the whole definition (its family too), or the family absent needs
        wanted = wanted_task_definition(params) if params["state"] == "present" else None
        family = validate_family(params["family"])

        manager = TaskDefinitionManager(module)
        if wanted is None:
            manager.ensure_absent(family)
        else:
            manager.ensure_present(wanted)
        module.exit_json(
            changed=manager.changed,
            task_definition=manager.task_definition,
            revision=manager.revision,
            arn=manager.arn,
            registered=manager.registered,
            deregistered=manager.deregistered,
            diff=manager.diff(),
        )


if __name__ == "__main__":
    main()
