"""cloudops.fargate.ecr_image through ansible-playbook: promote an image from dev/app to prod/app on the emulator.

The image is pushed the way docker does it (layer API, then PutImage with the manifest's digest), and the module
copies what the target lacks through GetDownloadUrlForLayer and the URL it returns, which the emulator serves
(emulator/extensions/ecr_layers.py). Outcomes are read back with boto3. Repository names are unique and nothing is
reset: other test files share the emulator.
"""

from __future__ import annotations

import json
import random
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from tests.integration.conftest import run_playbook
from tests.integration.images import DOCKER_MANIFEST, push_image, sha256

# Calls that change ECR; none may happen when there is nothing to do or in check mode.
CHANGING_CALLS = ("ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload")
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the emulator is local: no proxy

PLAYBOOK = """\
- name: Promote an ECR image
  hosts: demo
  gather_facts: false
  module_defaults:
    group/cloudops.fargate.aws:
      region: us-east-1
      endpoint_url: "{{ promotion_endpoint }}"
      access_key: testing
      secret_key: testing
  tasks:
    - name: Promote the image
      cloudops.fargate.ecr_image:
        source_repository: "{{ promotion_source }}"
        source_tag: "{{ promotion_source_tag }}"
        target_repository: "{{ promotion_target }}"
        target_tag: "{{ promotion_target_tag }}"
"""


def image_by_tag(ecr: Any, repository: str, tag: str) -> dict[str, Any] | None:
    images = ecr.batch_get_image(
        repositoryName=repository, imageIds=[{"imageTag": tag}], acceptedMediaTypes=[DOCKER_MANIFEST]
    )["images"]
    return images[0] if images else None


def download_layer(ecr: Any, repository: str, digest: str) -> bytes:
    url = ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=digest)["downloadUrl"]
    with OPENER.open(url, timeout=30) as response:
        return response.read()


def api_counts(endpoint: str) -> dict[str, int]:
    with OPENER.open(f"{endpoint}/_emulator/requests", timeout=10) as response:
        return json.load(response)["by_action"]


def calls_between(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: count - before.get(key, 0) for key, count in after.items() if count != before.get(key, 0)}


def test_promotion_from_dev_to_prod(emulator_endpoint: str, aws: Any, tmp_path: Path) -> None:
    ecr = aws("ecr")
    prefix = f"promo-{uuid.uuid4().hex[:8]}"
    source, target = f"{prefix}/dev/app", f"{prefix}/prod/app"
    ecr.create_repository(repositoryName=source)
    ecr.create_repository(repositoryName=target)

    rng = random.Random(prefix)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/app"]}}).encode()
    layers = [rng.randbytes(200 * 1024), rng.randbytes(3 * 1024)]  # the first one pushed in several parts
    digest, manifest = push_image(ecr, source, "1.0.0", config, layers)

    playbook = tmp_path / "promote.yml"
    playbook.write_text(PLAYBOOK)

    def promote(target_tag: str, check: bool = False):
        extra_vars = {
            "promotion_endpoint": emulator_endpoint,
            "promotion_source": source,
            "promotion_source_tag": "1.0.0",
            "promotion_target": target,
            "promotion_target_tag": target_tag,
        }
        before = api_counts(emulator_endpoint)
        run = run_playbook(emulator_endpoint, str(playbook), extra_vars=extra_vars, check=check)
        assert run.returncode == 0, run.failure_messages() or run.stderr
        return run, calls_between(before, api_counts(emulator_endpoint))

    # 1. the first run copies config and layers, then puts the manifest under the source digest
    run, calls = promote("prod")
    assert run.changed() == 1, run.changed_tasks()
    (result,) = run.task_results("Promote the image")
    assert result["image"]["image_digest"] == digest
    assert result["image"]["image_tags"] == ["prod"]
    assert result["image"]["image_uri"].endswith(f"/{target}@{digest}")
    assert calls.get("ecr:GetDownloadUrlForLayer") == 3
    assert calls.get("ecr:CompleteLayerUpload") == 3
    assert calls.get("ecr:PutImage") == 1

    promoted = image_by_tag(ecr, target, "prod")
    assert promoted is not None
    assert promoted["imageId"]["imageDigest"] == digest
    assert promoted["imageManifest"] == manifest
    for blob in (config, *layers):
        assert download_layer(ecr, target, sha256(blob)) == blob
    availability = ecr.batch_check_layer_availability(
        repositoryName=target, layerDigests=[sha256(blob) for blob in (config, *layers)]
    )
    assert availability["failures"] == []
    assert image_by_tag(ecr, source, "1.0.0")["imageId"]["imageDigest"] == digest  # the source is untouched

    # 2. again: the tag already points at the image, nothing is copied or put
    run, calls = promote("prod")
    assert run.changed() == 0, run.changed_tasks()
    assert not [call for call in calls if call in CHANGING_CALLS], calls
    assert "ecr:GetDownloadUrlForLayer" not in calls

    # 3. check mode on a fresh tag: reported as a change, nothing changes
    images_before = ecr.describe_images(repositoryName=target)["imageDetails"]
    run, calls = promote("release", check=True)
    assert run.changed() == 1, run.changed_tasks()
    (result,) = run.task_results("Promote the image")
    assert sorted(result["image"]["image_tags"]) == ["prod", "release"]  # what it would be
    assert not [call for call in calls if call in CHANGING_CALLS], calls
    assert image_by_tag(ecr, target, "release") is None
    assert ecr.describe_images(repositoryName=target)["imageDetails"] == images_before
