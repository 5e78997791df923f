#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: http_probe
short_description: One GET of a service's URL, through its load balancer, reporting what answered
version_added: 0.5.0
description:
  - Sends one C(GET) to O(url) from the host that runs the module and returns the status, a few headers and the
    start of the body, or why no answer came (refused, timed out, TLS certificate not trusted, ...).
  - The module never fails because of the answer; RV(as_expected) says whether the status is one of
    O(expected_status). Made to be polled by M(cloudops.fargate.wait_until) (a deploy's last check), or used with
    C(failed_when).
  - With O(connect_to), the connection goes to that address while the TLS server name (SNI) and the C(Host) header
    stay the URL's host, as C(curl --connect-to) does; for example to reach a load balancer by its own DNS name
    before the domain's records have reached the resolvers.
  - Redirects are not followed; a C(301) is reported with its C(location). Proxy variables are not used.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  url:
    description: The C(http://) or C(https://) URL, path and query included.
    type: str
    required: true
  connect_to:
    description:
      - C(host:port) (or C(host), keeping the URL's port) to connect to instead of the address the URL's host
        resolves to.
    type: str
  validate_certs:
    description:
      - Whether the server's certificate must be trusted (by the system's CAs or O(ca_path)) and name the URL's host.
      - Turn it off only for a self-signed certificate; the answer is read over TLS either way.
    type: bool
    default: true
  ca_path:
    description: A PEM file of CA certificates to trust instead of the system's.
    type: path
  expected_status:
    description: The statuses that count as the service answering well.
    type: list
    elements: int
    default: [200]
  timeout:
    description: Seconds to connect and to wait for the answer.
    type: float
    default: 10
attributes:
  check_mode:
    description: Runs in check mode; it changes nothing in any mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: N/A
"""

EXAMPLES = r"""
- name: Wait until the service answers through its load balancer
  cloudops.fargate.wait_until:
    what: the service to answer at https://app.example.com/health
    read:
      module: cloudops.fargate.http_probe
      args:
        url: https://app.example.com/health
    ready: result.as_expected
    pending: "result.error or (result.status ~ ' ' ~ result.reason)"
    timeout: 120
    delay: 5

- name: Ask the load balancer itself, before DNS has the domain
  cloudops.fargate.http_probe:
    url: https://app.example.com/
    connect_to: my-alb-1234567890.eu-west-1.elb.amazonaws.com:443
  register: answer
  failed_when: not answer.as_expected
"""

RETURN = r"""
url:
  description: The URL asked.
  returned: always
  type: str
connected_to:
  description: The C(host:port) connected to.
  returned: always
  type: str
status:
  description: The HTTP status; null when no answer came.
  returned: always
  type: int
reason:
  description: The status's reason phrase.
  returned: always
  type: str
as_expected:
  description: Whether the status is one of O(expected_status).
  returned: always
  type: bool
error:
  description: Why no answer came; null when one did.
  returned: always
  type: str
  sample: "TLS certificate not trusted: certificate has expired"
headers:
  description: The answer's C(server), C(location), C(content-type) and C(content-length) headers that it had.
  returned: always
  type: dict
body:
  description: The first 1000 characters of the body.
  returned: always
  type: str
elapsed:
  description: Seconds from the request to the end of the answer.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudops.fargate.plugins.module_utils._http_probe import ProbeInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._http_probe import probe


def argument_spec():
    return dict(
        url=dict(type="str", required=True),
        connect_to=dict(type="str"),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        expected_status=dict(type="list", elements="int", default=[200]),
        timeout=dict(type="float", default=10),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    if not params["timeout"] > 0:
        module.fail_json(msg=f"timeout must be more than 0 seconds, got {params['timeout']:g}")
    try:
        result = probe(params["url"], params["connect_to"], params["validate_certs"], params["ca_path"],
                       params["timeout"], params["expected_status"])
    except ProbeInputError as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
