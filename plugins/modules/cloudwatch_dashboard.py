#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudwatch_dashboard
short_description: Manage a CloudWatch dashboard and its body
version_added: 0.5.0
description:
  - Creates, replaces or deletes one CloudWatch dashboard, identified by its O(name). Dashboards belong to the
    account, not to a region.
  - The body is compared with the dashboard's as parsed JSON, so key order and whitespace never count; when they
    differ, PutDashboard replaces the whole body.
  - CloudWatch validates a body when it is put. Its warnings (the dashboard is saved, but some widgets may not
    render) become the task's warnings; its errors (nothing is saved) fail the task, naming O(body) and the path
    of each problem in it.
  - Every option is validated before the first call to AWS. The module checks that O(body) is a JSON object with
    a C(widgets) array of objects that each have a C(type); the rest of the body only CloudWatch validates, so
    check mode cannot predict its errors.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the dashboard should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description: The name of the dashboard, unique in the account; 1 to 255 of C(A-Z), C(a-z), C(0-9), C(-) and C(_).
    type: str
    required: true
  body:
    description:
      - The dashboard body, as a dict or as a string holding a JSON object, in the structure described in
        U(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Dashboard-Body-Structure.html).
      - Required with O(state=present); C(widgets) is its one required key.
    type: raw
notes:
  - Deleting a dashboard that is already gone (someone else deleted it since the lookup) counts as done.
  - Dashboard tags are not managed.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Show the web service's CPU and the 5xx count of its load balancer
  cloudops.fargate.cloudwatch_dashboard:
    name: demo-local-web
    body:
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: CPU
            region: us-east-1
            stat: Average
            period: 60
            metrics:
              - [AWS/ECS, CPUUtilization, ClusterName, demo-local, ServiceName, web]
        - type: text
          x: 12
          y: 0
          width: 12
          height: 6
          properties:
            markdown: "Managed by cloudops.fargate: changes made in the console are overwritten."
  register: dashboard

- name: Put a body kept as JSON next to the playbook
  cloudops.fargate.cloudwatch_dashboard:
    name: demo-local-overview
    body: "{{ lookup('ansible.builtin.file', 'dashboards/overview.json') }}"

- name: Delete the dashboard
  cloudops.fargate.cloudwatch_dashboard:
    name: demo-local-web
    state: absent
"""

RETURN = r"""
name:
  description: The name of the dashboard.
  returned: always
  type: str
  sample: demo-local-web
arn:
  description: The ARN of the dashboard; null when there is none, and in check mode before its creation.
  returned: always
  type: str
  sample: arn:aws:cloudwatch::123456789012:dashboard/demo-local-web
url:
  description: The dashboard in the CloudWatch console, in the task's region; null when there is no dashboard.
  returned: always
  type: str
  sample: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=demo-local-web
body:
  description: The dashboard's body as parsed JSON (as it would be in check mode); null when there is no dashboard.
  returned: always
  type: dict
  sample: {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "Hi"}}]}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import DashboardManager
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import wanted_dashboard
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        body=dict(type="raw"),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    with module_errors(module):
        present = params["state"] == "present"
        wanted = wanted_dashboard(params) if present else None
        if not present:
            validate_name(params["name"])
        manager = DashboardManager(module)
        try:
            if wanted is not None:
                manager.ensure_present(wanted)
            else:
                manager.ensure_absent(params["name"])
        except AWSActionError as e:
            e.result.update(changed=manager.changed, **manager.dashboard)
            raise
        module.exit_json(changed=manager.changed, diff=manager.diff(), **manager.dashboard)


if __name__ == "__main__":
    main()
