"""A public OCI registry stand-in on the emulator's own port: the demo images a fresh stack deploys.

On AWS a first ``site.yml`` copies its images from public registries (Amazon ECR Public, Docker Hub) into the stack's
private ECR repositories (roles/registry/tasks/images.yml, ``cloudops.fargate.ecr_image`` with ``source_image``).
This machine reaches no public registry, so the emulator serves the pull half of the OCI distribution API for a few
demo images, and the local inventory names them as its sources: ``<emulator host:port>/demo/<name>:<tag>``, read over
plain HTTP on the loopback interface. What it serves follows the distribution spec (``GET /v2/``; ``GET`` and
``HEAD`` of ``/v2/<name>/manifests/<tag or digest>`` with ``Content-Type`` and ``Docker-Content-Digest``; ``GET`` of
``/v2/<name>/blobs/<digest>``; 404 with the spec's error codes ``MANIFEST_UNKNOWN``, ``BLOB_UNKNOWN`` and
``NAME_UNKNOWN``). Nothing can be pushed. It answers anonymously, as a public registry does after its anonymous
token exchange; the token flow itself is what the real registry test (tests/oci_registry.py, Debian's
docker-registry) and oras-py cover.

The images are indexes with one image per platform (linux/amd64, linux/arm64), each a small layer with the files
that name it; their digests are stable (emulator/oci_images.py builds them deterministically). Requests here are not
counted as AWS API calls.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from emulator.oci_images import Image, build_image, build_index

DEMO_TAG = "1.0.0"
DEMO_REPOSITORIES = ("demo/app", "demo/nginx")
_PATH = re.compile(r"/v2/(?P<name>[a-z0-9]+(?:[._/-][a-z0-9]+)*)/(?P<kind>manifests|blobs)/(?P<reference>[^/]+)")


@functools.cache
def demo_images() -> dict[str, dict[str, Image]]:
    """Repository -> tag -> image index, built once per process."""
    images = {}
    for repository in DEMO_REPOSITORIES:
        per_platform = {
            f"linux/{architecture}": build_image(
                {"etc/cloudops-demo": f"{repository}:{DEMO_TAG} for linux/{architecture}\n".encode()},
                architecture=architecture,
            )
            for architecture in ("amd64", "arm64")
        }
        images[repository] = {DEMO_TAG: build_index(per_platform)}
    return images


def _contents(repository: str) -> tuple[dict[str, Image], dict[str, bytes]]:
    """The repository's manifests by tag and digest, and its blobs by digest."""
    manifests: dict[str, Image] = {}
    blobs: dict[str, bytes] = {}
    for tag, index in demo_images().get(repository, {}).items():
        manifests[tag] = index
        for image in (index, *index.children):
            manifests[image.digest] = image
            blobs.update(image.blobs)
    return manifests, blobs


def handles(path: str) -> bool:
    return path == "/v2/" or _PATH.fullmatch(path) is not None


def _error(start_response: Callable[..., Any], code: str, message: str) -> list[bytes]:
    body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
    start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
    if method not in ("GET", "HEAD"):
        body = json.dumps({"errors": [{"code": "UNSUPPORTED", "message": "this registry is read-only"}]}).encode()
        start_response("405 Method Not Allowed", [("Content-Type", "application/json")])
        return [body]
    if path == "/v2/":
        start_response("200 OK", [("Content-Type", "application/json"), ("Docker-Distribution-API-Version", "registry/2.0")])
        return [b"{}"]
    match = _PATH.fullmatch(path)
    name, kind, reference = match["name"], match["kind"], match["reference"]
    if name not in demo_images():
        return _error(start_response, "NAME_UNKNOWN", f"repository {name} not known to this registry")
    manifests, blobs = _contents(name)
    if kind == "manifests":
        image = manifests.get(reference)
        if image is None:
            return _error(start_response, "MANIFEST_UNKNOWN", f"manifest {name}:{reference} unknown")
        body, headers = image.manifest, [("Content-Type", image.media_type), ("Docker-Content-Digest", image.digest)]
    else:
        body = blobs.get(reference)
        if body is None:
            return _error(start_response, "BLOB_UNKNOWN", f"blob {reference} unknown to {name}")
        headers = [("Content-Type", "application/octet-stream"), ("Docker-Content-Digest", reference)]
    start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
    return [] if method == "HEAD" else [body]
