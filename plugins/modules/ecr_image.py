#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_image
short_description: Promote an ECR image to another tag or repository by copying its manifest
version_added: 0.1.0
description:
  - Points O(target_tag) of O(target_repository) at the image O(source_tag) or O(source_digest) of
    O(source_repository), for example to promote what was tested in C(dev) to C(prod), without a Docker
    daemon and without pulling the image.
  - The manifest is read with BatchGetImage and put with PutImage exactly as ECR stores it, byte for byte, so
    the image keeps its digest; PutImage is given that digest and refuses bytes that hash to another one.
    Docker v2 schema 2 manifests and manifest lists, OCI manifests and OCI indexes are accepted.
  - ECR keeps image layers per repository. When the target is another repository, the layers and the image
    config it lacks are streamed from the source into it through ECR's layer API (GetDownloadUrlForLayer and
    the pre-signed URL it returns, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload), checking each
    blob's digest on the way; the images a manifest list or index refers to are put first, untagged.
    Within one repository only the manifest is put.
  - Nothing is put when the tag already points at the image. When it points at another image, the tag is
    moved if the repository's tags are mutable and the module fails, changing nothing, if they are immutable.
  - The scan gate (O(wait_for_scan), O(fail_on_severity)) runs B(before) the tag is set, so an image that
    fails it never gets O(target_tag). When source and target are in the same registry, the source image
    (the same digest, scanned by the same registry's scanner) is gated before anything is put. When the
    source is in another registry, the image is put into the target repository untagged, gated there with
    the target registry's scanner, and tagged only after it passes; an image that fails stays in the target
    untagged (lifecycle policies can expire it).
  - When the gated image has no scan, one is started with StartImageScan, unless the image was put into a
    repository that scans on push by this very run, whose own scan is then awaited. Starting a scan does not
    count as a change. Under enhanced scanning (Amazon Inspector) an image whose status is C(ACTIVE) counts
    as scanned.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  source_repository:
    description:
      - The ECR repository that holds the image to promote.
      - Exactly one of O(source_repository) and O(source_image) is required.
    type: str
  source_image:
    description:
      - An image in an OCI registry outside ECR to copy into O(target_repository), as docker names it,
        C(registry/repository[:tag][@sha256:digest]), for example C(public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine).
        A name without a registry is on Docker Hub; without tag or digest it means C(latest); with a digest the
        digest decides and the tag is only informative.
      - The manifest is read through the registry HTTP API (with oras-py) and put into ECR byte for byte, so the
        image keeps its digest; the blobs ECR lacks are streamed from the registry into the target repository
        through ECR's layer API, each checked against its digest. With O(platform), only the image for that
        platform is copied (an index's entry for it); without, an index is copied whole with all its images.
      - The image is put untagged, gated by the target registry's scan when O(wait_for_scan) or
        O(fail_on_severity) asks, then tagged. Nothing is put when O(target_tag) already points at the
        image; the registry is read every time, so a caller that only needs the image present checks ECR first
        (M(cloudops.fargate.ecr_repository_info) with O(cloudops.fargate.ecr_repository_info#module:image)).
      - Requires the Python package C(oras).
    type: str
    version_added: 0.4.0
  platform:
    description:
      - With O(source_image), the platform to copy, C(os/architecture[/variant]) as in an image index, for example
        C(linux/amd64) for Fargate's C(X86_64) and C(linux/arm64) for C(ARM64). An index is narrowed to its image for
        the platform; a single image must be built for it. Omitted, an index is copied whole.
    type: str
    version_added: 0.4.0
  source_registry_username:
    description:
      - With O(source_image), the user name for a private registry; the registry's token service exchanges it and
        O(source_registry_password) for a token. Without it, an anonymous token is asked for, and credentials stored
        by C(docker login) in C(~/.docker/config.json) are used when present.
    type: str
    version_added: 0.4.0
  source_registry_password:
    description: The password or access token that goes with O(source_registry_username).
    type: str
    version_added: 0.4.0
  source_registry_insecure:
    description:
      - With O(source_image), talk to the registry over plain HTTP. Only for a registry on the loopback interface,
        such as a test registry; never across a network.
    type: bool
    default: false
    version_added: 0.4.0
  source_tag:
    description:
      - The tag of the image to promote. With O(source_repository), exactly one of O(source_tag) and O(source_digest)
        is required.
    type: str
  source_digest:
    description:
      - The digest of the image to promote, C(sha256:) and 64 lowercase hexadecimal digits.
      - Prefer it to O(source_tag) in pipelines, so what is promoted is exactly what was tested.
    type: str
  source_registry_id:
    description:
      - The AWS account ID of the registry that holds O(source_repository), for an image in another account.
      - Defaults to the registry of the caller's account. The source repository's policy must allow this
        account C(ecr:BatchGetImage) and C(ecr:GetDownloadUrlForLayer).
    type: str
  target_repository:
    description: The repository the tag is set in. Defaults to O(source_repository); required with O(source_image).
    type: str
  target_tag:
    description:
      - The tag to point at the image, up to 128 letters, digits, C(_), C(.) and C(-), not starting with
        C(.) or C(-).
    type: str
    required: true
  target_registry_id:
    description: The AWS account ID of the registry that holds O(target_repository). Defaults to the caller's.
    type: str
  wait_for_scan:
    description:
      - Wait until the image's vulnerability scan has finished (see the description for which image is
        scanned) and return its severity counts as RV(image.scan_findings_summary).
      - Setting O(fail_on_severity) implies it.
    type: bool
    default: false
  fail_on_severity:
    description:
      - Refuse to set the tag when the scan has findings of this severity or a more severe one, listing them.
      - Severities rank C(CRITICAL), C(HIGH), C(MEDIUM), C(LOW), C(INFORMATIONAL), C(UNDEFINED) (which,
        like the C(UNTRIAGED) of enhanced scanning, ranks lowest); C(UNDEFINED) thus refuses any finding.
      - In check mode the gate is applied when a finished scan exists; otherwise the module warns that it was
        not evaluated, since it neither starts scans nor waits in check mode.
    type: str
    choices: [CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED]
  scan_timeout:
    description: Seconds to wait for the scan before failing.
    type: int
    default: 600
notes:
  - "Permissions: C(ecr:DescribeRepositories), C(ecr:DescribeImages), C(ecr:BatchGetImage), C(ecr:PutImage);
    to copy between repositories also C(ecr:BatchCheckLayerAvailability), C(ecr:GetDownloadUrlForLayer),
    C(ecr:InitiateLayerUpload), C(ecr:UploadLayerPart), C(ecr:CompleteLayerUpload); for the scan gate
    C(ecr:DescribeImageScanFindings) and C(ecr:StartImageScan)."
  - Layers are downloaded from the pre-signed URLs ECR hands out (on Amazon S3), so the host running the
    module needs HTTPS access to them, not only to the ECR API.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Promote the tested build to prod, refusing images with HIGH or CRITICAL findings
  cloudops.fargate.ecr_image:
    source_repository: demo/app
    source_digest: "{{ build_digest }}"
    target_tag: prod
    fail_on_severity: HIGH
    scan_timeout: 900

- name: Copy release 1.4.2 from the dev repository into the prod repository
  cloudops.fargate.ecr_image:
    source_repository: demo-dev/app
    source_tag: "1.4.2"
    target_repository: demo-prod/app
    target_tag: "1.4.2"
  register: promoted

- name: Use the pullable reference in the task definition
  ansible.builtin.set_fact:
    app_image: "{{ promoted.image.image_uri }}"

- name: Copy nginx's unprivileged image for the tasks' architecture from Amazon ECR Public
  cloudops.fargate.ecr_image:
    source_image: public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine
    platform: linux/amd64
    target_repository: demo-dev/nginx
    target_tag: "1.28-alpine"
    fail_on_severity: CRITICAL

- name: Promote from the build account's registry into this account's
  cloudops.fargate.ecr_image:
    source_registry_id: "111122223333"
    source_repository: app
    source_tag: main-4f2c1a9
    target_repository: app
    target_tag: staging
    wait_for_scan: true
"""

RETURN = r"""
image:
  description: The image in the target repository, as it is after the run (or would be, in check mode).
  returned: success
  type: dict
  contains:
    repository_name:
      description: The target repository.
      type: str
      sample: demo-prod/app
    registry_id:
      description: The AWS account ID of the target registry.
      type: str
      sample: "123456789012"
    image_digest:
      description: The digest of the image, the same in source and target.
      type: str
      sample: sha256:2f6b5e1f0b8e3c6a2c1b9d2d7f7a0e5e1c3b6a9d8e7f6a5b4c3d2e1f0a9b8c7d
    image_tags:
      description: The tags of the image in the target repository, O(target_tag) among them.
      type: list
      elements: str
      sample: ["1.4.2", "prod"]
    image_uri:
      description: The pullable reference to the image by digest, the host taken from the repository's URI.
      type: str
      sample: 123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-prod/app@sha256:2f6b5e1f0b8e3c6a2c1b9d2d7f7a0e5e1c3b6a9d8e7f6a5b4c3d2e1f0a9b8c7d
    scan_findings_summary:
      description: The scan that was awaited, and the count of its findings by severity.
      type: dict
      returned: when O(wait_for_scan) or O(fail_on_severity) is set and the scan was evaluated
      contains:
        repository_name:
          description: The repository whose image was scanned (the source's when both are in one registry).
          type: str
        registry_id:
          description: The registry of that repository.
          type: str
        image_digest:
          description: The digest of the scanned image.
          type: str
        status:
          description: The scan's status, C(COMPLETE), or C(ACTIVE) under enhanced scanning.
          type: str
          sample: COMPLETE
        description:
          description: ECR's description of the status.
          type: str
          returned: when ECR gives one
        finding_severity_counts:
          description: How many findings of each severity the scan has.
          type: dict
          sample: {"HIGH": 1, "MEDIUM": 4}
        image_scan_completed_at:
          description: When the scan finished.
          type: str
          returned: when ECR says
        vulnerability_source_updated_at:
          description: When the vulnerability data the scan used was last updated.
          type: str
          returned: when ECR says
findings:
  description: The findings at or above O(fail_on_severity), most severe first, when the gate refused the image.
  returned: when the scan gate fails
  type: list
  elements: dict
  sample: [{"name": "CVE-2024-0001", "severity": "CRITICAL", "uri": "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"}]
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import SEVERITIES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import EcrImageManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import input_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import HAS_ORAS
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import OciSource
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import reference_errors


def main():
    argument_spec = dict(
        source_repository=dict(type="str"),
        source_image=dict(type="str"),
        platform=dict(type="str"),
        source_registry_username=dict(type="str"),
        source_registry_password=dict(type="str", no_log=True),
        source_registry_insecure=dict(type="bool", default=False),
        source_tag=dict(type="str"),
        source_digest=dict(type="str"),
        source_registry_id=dict(type="str"),
        target_repository=dict(type="str"),
        target_tag=dict(type="str", required=True),
        target_registry_id=dict(type="str"),
        wait_for_scan=dict(type="bool", default=False),
        fail_on_severity=dict(type="str", choices=list(reversed(SEVERITIES))),
        scan_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[
            ("source_tag", "source_digest"),
            ("source_image", "source_repository"),
            ("source_image", "source_tag"),
            ("source_image", "source_digest"),
            ("source_image", "source_registry_id"),
        ],
        required_one_of=[("source_repository", "source_image")],
        required_by={
            "source_image": "target_repository",
            "platform": "source_image",
            "source_registry_username": "source_image",
            "source_registry_password": "source_registry_username",
        },
    )
    p = module.params
    with module_errors(module):
        errors = input_errors(p) + reference_errors(p["source_image"], p["platform"])
        if errors:
            raise InputError("; ".join(errors))
        if p["source_image"] and not HAS_ORAS:
            module.fail_json(msg=missing_required_lib("oras"))
        manager = EcrImageManager(
            module, fail_on_severity=p["fail_on_severity"], scan_timeout=p["scan_timeout"]
        )
        gate = bool(p["wait_for_scan"] or p["fail_on_severity"])
        if p["source_image"]:
            origin = OciSource(
                p["source_image"],
                insecure=p["source_registry_insecure"],
                username=p["source_registry_username"],
                password=p["source_registry_password"],
            )
            manager.copy_from_registry(
                origin,
                platform=p["platform"],
                target_repository=p["target_repository"],
                target_registry_id=p["target_registry_id"],
                tag=p["target_tag"],
                gate=gate,
            )
            module.exit_json(changed=manager.changed, image=manager.image, diff=manager.diff())
        manager.promote(
            source_repository=p["source_repository"],
            source_registry_id=p["source_registry_id"],
            source_tag=p["source_tag"],
            source_digest=p["source_digest"],
            target_repository=p["target_repository"] or p["source_repository"],
            target_registry_id=p["target_registry_id"],
            tag=p["target_tag"],
            gate=gate,
        )
    module.exit_json(changed=manager.changed, image=manager.image, diff=manager.diff())


if __name__ == "__main__":
    main()
