#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wait_until
short_description: Wait for a slow resource by polling a read-only module, printing what is still pending
version_added: 0.4.0
description:
  - Runs the module O(read.module) with O(read.args) every O(delay) seconds until every expression in O(ready) holds
    on its result, the O(timeout) passes, or an expression in O(fail) holds.
  - >-
    While it waits it prints progress lines such as "Waiting for the interface endpoints: 2 pending (vpce-1, vpce-2),
    45 s elapsed of 600 s": one when the wait starts, one when what is pending changes and otherwise at most one every
    O(quiet_seconds), and a last one, "the interface endpoints: ready after 95 s". A resource ready at the first poll
    prints nothing. When the play runs on several hosts at once each line starts with the host, "[demo] Waiting for".
    Under C(no_log) the lines leave out what is pending.
  - O(ready), O(pending) and O(fail) are bare Jinja expressions, like the C(that) of M(ansible.builtin.assert),
    evaluated after each poll with the variable C(result) set to the result of O(read.module), beside the task's
    variables (C(result) hides a variable of that name). They are not templated with the task's other options.
  - The play's C(module_defaults) apply to O(read.module) as to a task of that module, its groups included, so
    C(group/cloudops.fargate.aws) gives it the region, endpoint and credentials. This action is in no action group.
  - O(read.module) runs as a module, on the task's host, in check mode too; so it must be read-only and support check
    mode, as C(_info) modules do. An action plugin of that name is not used.
  - The task's result is the last result of O(read.module), every key of it, plus RV(attempts), RV(elapsed),
    RV(what), RV(started) and RV(ready_after); so C(register) gives what a C(register) of the read module would, for
    example C(__endpoints.vpc_endpoints). The callback P(cloudops.fargate.timeline#callback) draws the waits and what
    they awaited from the last three.
  - Needs ansible-core 2.19 or later.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  what:
    description:
      - What is awaited, in words that fit C(Waiting for <what>), for example C(the interface endpoints). Used in the
        progress lines and in the messages of failures.
    type: str
    required: true
  read:
    description: The read-only module to poll.
    type: dict
    required: true
    suboptions:
      module:
        description: The module's name, best fully qualified, for example C(amazon.aws.ec2_vpc_endpoint_info).
        type: str
        required: true
      args:
        description: The module's arguments, templated once before the first poll.
        type: dict
        default: {}
  ready:
    description:
      - One expression, or a list of expressions that must all hold, on C(result); the wait ends when they do.
      - Each must give a boolean, as a C(when) condition must.
    type: list
    elements: str
    required: true
  pending:
    description:
      - An expression giving what is still pending, a list (shown as its length and first items) or a string.
      - Shown in the progress lines and in the message of a timeout; evaluated only while O(ready) does not hold.
    type: str
  fail:
    description:
      - One expression, or a list of expressions, on C(result); when one holds the wait stops at once and the task
        fails with O(fail_msg). Checked before O(ready) at each poll.
    type: list
    elements: str
  fail_msg:
    description:
      - The message of a failure because an expression in O(fail) held; a template rendered with C(result) set.
      - Without it the message names O(what) and the expression.
    type: str
  timeout:
    description:
      - Seconds to wait in all before failing; the last poll is at this deadline, never after it.
      - V(0) polls once.
    type: int
    required: true
  delay:
    description: Seconds between two polls. Must be more than V(0).
    type: float
    default: 15
  quiet_seconds:
    description:
      - While what is pending does not change, print a progress line at most this often, in seconds.
      - A change of what is pending is printed at once.
    type: float
    default: 30
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.conn
  - action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  become:
    support: full
    details: O(read.module) runs with the task's C(become) settings.
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: O(read.module) runs in check mode as well, so the wait happens in check mode too.
  connection:
    support: full
  delegation:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
seealso:
  - module: ansible.builtin.assert
notes:
  - The result of a failed read fails the task at once with the module's message; a transient failure is the read
    module's to retry.
"""

EXAMPLES = r"""
- name: Wait for the interface endpoints to become available
  cloudops.fargate.wait_until:
    what: the interface endpoints
    read:
      module: amazon.aws.ec2_vpc_endpoint_info
      args:
        vpc_endpoint_ids: "{{ __network_interface_endpoint_ids }}"
    ready: result.vpc_endpoints | rejectattr('state', 'in', ['available', 'failed']) | list | length == 0
    pending: >-
      result.vpc_endpoints | rejectattr('state', 'in', ['available', 'failed'])
      | map(attribute='vpc_endpoint_id') | list
    fail: result.vpc_endpoints | selectattr('state', 'equalto', 'failed') | list | length > 0
    fail_msg: >-
      VPC endpoint(s) failed: {{ result.vpc_endpoints | selectattr('state', 'equalto', 'failed')
      | map(attribute='vpc_endpoint_id') | join(', ') }}
    timeout: 600
    delay: 15
  register: __network_endpoints_state

- name: Wait for a file, checking every second for up to a minute
  cloudops.fargate.wait_until:
    what: the certificate
    read:
      module: ansible.builtin.stat
      args:
        path: /etc/pki/app.pem
    ready:
      - result.stat.exists
      - result.stat.size > 0
    timeout: 60
    delay: 1
"""

RETURN = r"""
attempts:
  description: How many times O(read.module) ran.
  returned: always
  type: int
  sample: 7
elapsed:
  description: Seconds from the start of the first poll to the end of the last, rounded.
  returned: always
  type: int
  sample: 95
what:
  description: O(what), as templated.
  returned: always
  type: str
  sample: the NAT gateways
started:
  description: When the wait began, in seconds since the epoch (C(time.time())), to place it on a timeline.
  returned: always
  type: float
  sample: 1718000000.25
ready_after:
  description:
    - For each item that a list given by O(pending) named at some poll, the seconds (one decimal) from the start of
      the wait to the first poll that no longer named it; at the poll that found the wait ready, every item still
      pending before. Keys are the items as text, as the progress lines show them.
    - Items never pending are absent; empty without O(pending), or when O(pending) gives a string. After a failure,
      only the items that became ready before it.
  returned: always
  type: dict
  sample: {"nat-0a1b2c3d4e5f60718": 62.4, "nat-0f1e2d3c4b5a69788": 95.1}
msg:
  description: Why the wait failed; or the read module's own message when the wait succeeded and it gave one.
  returned: on failure, or when the read module gave one
  type: str
  sample: "Timed out after 600 s waiting for the interface endpoints; still pending: vpce-1, vpce-2"
changed:
  description: Always V(false); the wait changes nothing.
  returned: always
  type: bool
  sample: false
"""
