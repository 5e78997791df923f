"""OCI images built byte for byte: a gzipped tar layer, an image configuration and a manifest, or an index of one
image per platform. The same files always give the same digests (fixed times, owners and order), so the demo images
the public registry stand-in serves (emulator/public_registry.py) have stable digests, and tests can build their own.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Image:
    """One pushed image: its manifest's exact bytes and digest, and its blobs by digest."""

    manifest: bytes
    media_type: str
    blobs: dict[str, bytes] = field(default_factory=dict)
    children: list[Image] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return sha256(self.manifest)


def layer(files: dict[str, bytes]) -> bytes:
    """A gzipped tar of ``files`` with fixed times and owners, so the same files give the same digest."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), 0, 0o644
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def build_image(files: dict[str, bytes], architecture: str = "amd64", os_name: str = "linux") -> Image:
    tar_layer = layer(files)
    uncompressed = gzip.decompress(tar_layer)
    config = json.dumps(
        {
            "architecture": architecture,
            "os": os_name,
            "config": {"User": "1000:1000", "Cmd": ["/serve"]},
            "rootfs": {"type": "layers", "diff_ids": [sha256(uncompressed)]},
        },
        separators=(",", ":"),
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER, "digest": sha256(tar_layer), "size": len(tar_layer)}],
        },
        indent=2,
    ).encode()
    return Image(manifest, OCI_MANIFEST, {sha256(config): config, sha256(tar_layer): tar_layer})


def build_index(images: dict[str, Image]) -> Image:
    """An OCI index of ``{"linux/amd64": image, ...}``."""
    manifests = []
    for platform, image in images.items():
        os_name, architecture = platform.split("/")[:2]
        manifests.append(
            {
                "mediaType": image.media_type,
                "digest": image.digest,
                "size": len(image.manifest),
                "platform": {"os": os_name, "architecture": architecture},
            }
        )
    document = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}, indent=2).encode()
    return Image(document, OCI_INDEX, children=list(images.values()))
