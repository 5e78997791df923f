"""Images in the emulator's ECR, pushed the way docker does it: layer API, then PutImage with the manifest's digest.

``RepositoryWatcher`` plays the application's own pipeline for a stack built from scratch: it pushes the tags the
fargate layer deploys into each repository as soon as the registry layer has created it. In realistic mode the
emulator's Fargate pulls for real, and a first site.yml only serves once its images exist.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def upload_blob(ecr: Any, repository: str, blob: bytes, part_size: int = 64 * 1024) -> str:
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    for first in range(0, len(blob), part_size):
        part = blob[first : first + part_size]
        ecr.upload_layer_part(
            repositoryName=repository,
            uploadId=upload_id,
            partFirstByte=first,
            partLastByte=first + len(part) - 1,
            layerPartBlob=part,
        )
    return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[sha256(blob)])[
        "layerDigest"
    ]


def push_image(ecr: Any, repository: str, tag: str, config: bytes, layers: list[bytes]) -> tuple[str, str]:
    """Blobs through the layer API, then the manifest with its digest; returns (digest, manifest)."""
    document = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": len(config),
            "digest": upload_blob(ecr, repository, config),
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": len(layer),
                "digest": upload_blob(ecr, repository, layer),
            }
            for layer in layers
        ],
    }
    manifest = json.dumps(document, indent=3)  # as docker writes it: the digest is of these exact bytes
    digest = sha256(manifest.encode())
    ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag=tag, imageDigest=digest)
    return digest, manifest


class RepositoryWatcher:
    """Pushes ``tags`` into every repository whose name starts with one of ``prefixes`` once it exists."""

    def __init__(self, make_ecr: Callable[[], Any], prefixes: Iterable[str], tags: Iterable[str], poll: float = 0.5):
        self._make_ecr = make_ecr
        self._prefixes = tuple(prefixes)
        self._tags = tuple(tags)
        self._poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="repository-watcher", daemon=True)
        self.pushed: set[tuple[str, str]] = set()
        self.errors: list[str] = []

    def __enter__(self) -> RepositoryWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        ecr = self._make_ecr()
        while not self._stop.wait(self._poll):
            try:
                names = [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
                for name in names:
                    if not name.startswith(self._prefixes):
                        continue
                    for tag in self._tags:
                        if (name, tag) in self.pushed:
                            continue
                        config = json.dumps({"architecture": "amd64", "os": "linux", "repo": name}).encode()
                        push_image(ecr, name, tag, config, [f"{name}:{tag}".encode()])
                        self.pushed.add((name, tag))
            except Exception as error:  # noqa: BLE001 - throttled or racing a deletion: try again at the next poll
                self.errors.append(str(error))
