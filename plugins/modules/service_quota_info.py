#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: service_quota_info
short_description: Read Service Quotas values and warn when a build would exceed them
version_added: 0.3.0
description:
  - Reads each quota's value for the account in the region, from Service Quotas; the applied value when the account
    has one (GetServiceQuota), otherwise AWS's default (GetAWSDefaultServiceQuota).
  - When Service Quotas cannot be read (no C(servicequotas:GetServiceQuota) permission, or a partition without the
    service), the value AWS documents is used for the quotas the collection knows (Elastic IPs, Client VPN endpoints
    per Region, NAT gateways per Availability Zone, interface endpoints per VPC, VPCs per Region), with a warning.
  - Given how many are in use (O(quotas[].in_use)) and how many a run would add (O(quotas[].needed)), warns about
    each quota the two together would exceed, naming the quota, the counts and the command that requests an increase.
    AWS refuses the create beyond a quota (for example C(AddressLimitExceeded) from AllocateAddress) halfway through
    a build; the warning comes before anything is created.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  quotas:
    description: The quotas to read.
    type: list
    elements: dict
    required: true
    suboptions:
      service_code:
        description: The Service Quotas service code, for example C(ec2) or C(vpc).
        type: str
        required: true
      quota_code:
        description: The quota code, for example C(L-0263D0A3) (EC2-VPC Elastic IPs).
        type: str
        required: true
      in_use:
        description: How many the account already uses against the quota (in the region, or where the quota counts).
        type: float
      needed:
        description: How many more a run would create.
        type: float
      purpose:
        description: What the needed ones are for, said in the warning.
        type: str
notes:
  - Needs C(servicequotas:GetServiceQuota) and C(servicequotas:GetAWSDefaultServiceQuota); without them it warns
    and uses the documented values.
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Warn before a build that would run out of Elastic IPs
  cloudops.fargate.service_quota_info:
    quotas:
      - service_code: ec2
        quota_code: L-0263D0A3
        in_use: "{{ addresses.addresses | length }}"
        needed: 2
        purpose: the NAT gateways
  register: quotas
"""

RETURN = r"""
quotas:
  description: Each quota asked for, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    service_code:
      description: The service code.
      type: str
      sample: ec2
    quota_code:
      description: The quota code.
      type: str
      sample: L-0263D0A3
    name:
      description: The quota's name.
      type: str
      sample: EC2-VPC Elastic IPs
    value:
      description: The quota's value for the account; infinite when it is unknown (RV(quotas[].source=unknown)).
      type: float
      sample: 5.0
    source:
      description:
        - Where the value comes from, C(applied) (the account's own), C(default) (AWS's default, never raised),
          C(documented) (Service Quotas could not be read) or C(unknown).
      type: str
      sample: default
    in_use:
      description: O(quotas[].in_use) as given.
      type: float
    needed:
      description: O(quotas[].needed) as given.
      type: float
    purpose:
      description: O(quotas[].purpose) as given.
      type: str
      returned: when given
    exceeded:
      description: Whether RV(quotas[].in_use) plus a positive RV(quotas[].needed) is above RV(quotas[].value).
      type: bool
      sample: false
exceeded:
  description: The entries of RV(quotas) that a run would exceed.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._service_quota import ServiceQuotaInfoManager
from ansible_collections.cloudops.fargate.plugins.module_utils._service_quota import wanted_quotas
from ansible_collections.cloudops.fargate.plugins.module_utils._service_quota import warning


def main():
    argument_spec = dict(
        quotas=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                service_code=dict(type="str", required=True),
                quota_code=dict(type="str", required=True),
                in_use=dict(type="float"),
                needed=dict(type="float"),
                purpose=dict(type="str"),
            ),
        ),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    with module_errors(module):
        quotas = wanted_quotas(module.params["quotas"])
        manager = ServiceQuotaInfoManager(module)
        found = [manager.read(quota) for quota in quotas]
        exceeded = [entry for entry in found if entry["exceeded"]]
        for entry in exceeded:
            module.warn(warning(entry, module.region))
        module.exit_json(changed=False, quotas=found, exceeded=exceeded)


if __name__ == "__main__":
    main()
