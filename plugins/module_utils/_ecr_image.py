# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.ecr_image: promote an image by copying its manifest, byte for byte.

A promotion reads the source manifest with BatchGetImage and puts the very same string with PutImage
(plus imageDigest, so ECR refuses bytes that do not hash to the source digest). ECR keeps layers per
repository, so a manifest put into another repository needs its blobs there first: the ones that target
lacks are streamed from the source (GetDownloadUrlForLayer) into it (InitiateLayerUpload, UploadLayerPart,
CompleteLayerUpload), and the images a manifest list or OCI index refers to are put, untagged, before it.

The scan gate runs before the tag is set. When source and target share a registry, the source image
(same digest, same scanner) is gated before anything is put. Across registries the image is put into the
target untagged, gated there with the target registry's scanner, and tagged only once it passes.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import urllib.error
from typing import Any

from ansible.module_utils.urls import open_url

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import ACCEPTED_MEDIA_TYPES
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import INDEX_MEDIA_TYPES
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import PLATFORM
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import index_platforms
from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import select_platform


DIGEST_PATTERN = re.compile(r"sha256:[a-f0-9]{64}")
TAG_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
REGISTRY_ID_PATTERN = re.compile(r"[0-9]{12}")

# Lowest first. UNTRIAGED is what enhanced scanning (Amazon Inspector) reports where basic scanning says
# UNDEFINED; a severity this table does not know ranks with them, at the bottom.
SEVERITIES = ("UNDEFINED", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
_SEVERITY_RANK = dict({name: rank for rank, name in enumerate(SEVERITIES)}, UNTRIAGED=0)

# COMPLETE ends a basic scan; ACTIVE is an image under enhanced (continuous) scanning with findings ready.
SCAN_DONE = ("COMPLETE", "ACTIVE")
SCAN_FAILED = (
    "FAILED",
    "UNSUPPORTED_IMAGE",
    "SCAN_ELIGIBILITY_EXPIRED",
    "FINDINGS_UNAVAILABLE",
    "LIMIT_EXCEEDED",
    "IMAGE_ARCHIVED",
    "IMAGE_SIZE_EXCEEDED",
)
SCAN_POLL_DELAY = 5

# botocore's ImageScanComplete waiter (COMPLETE succeeds, FAILED fails) with what it lacks for a gate:
# ACTIVE, the status of an image under enhanced scanning, which never becomes COMPLETE; the other end
# states, so they fail at once instead of at the timeout; ScanNotFoundException, which a scan on push
# answers for a moment after the push; and throttling, which would otherwise end the wait.
_RETRIED_ERRORS = ("ScanNotFoundException", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded")
SCAN_WAITER_CONFIG = {
    "version": 2,
    "waiters": {
        "ImageScanComplete": {
            "operation": "DescribeImageScanFindings",
            "delay": SCAN_POLL_DELAY,
            "maxAttempts": 120,
            "acceptors": [
                *(
                    {"state": "success", "matcher": "path", "argument": "imageScanStatus.status", "expected": status}
                    for status in SCAN_DONE
                ),
                *(
                    {"state": "failure", "matcher": "path", "argument": "imageScanStatus.status", "expected": status}
                    for status in SCAN_FAILED
                ),
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        }
    },
}

# ECR's API takes at most 100 digests per BatchCheckLayerAvailability.
_LAYER_CHECK_BATCH = 100
_DEFAULT_PART_SIZE = 10 * 1024 * 1024
BLOB_DOWNLOAD_TIMEOUT = 60
_MAX_INDEX_DEPTH = 4
_FINDINGS_IN_MESSAGE = 20


# --- pure helpers ----------------------------------------------------------------------------------------


def is_valid_digest(value: str | None) -> bool:
    return isinstance(value, str) and DIGEST_PATTERN.fullmatch(value) is not None


def is_valid_tag(value: str | None) -> bool:
    return isinstance(value, str) and TAG_PATTERN.fullmatch(value) is not None


def input_errors(params: dict[str, Any]) -> list[str]:
    """Everything wrong with the arguments that the argument spec cannot say; checked before any call."""
    errors = []
    if params.get("source_repository") and params.get("source_tag") is None and params.get("source_digest") is None:
        errors.append("source_repository needs source_tag or source_digest")
    if params.get("source_digest") is not None and not is_valid_digest(params["source_digest"]):
        errors.append(f"source_digest {params['source_digest']!r} is not a digest of the form sha256:<64 hex digits>")
    if params.get("source_tag") is not None and not params["source_tag"]:
        errors.append("source_tag must not be empty")
    if not is_valid_tag(params.get("target_tag")):
        errors.append(
            f"target_tag {params.get('target_tag')!r} is not a valid tag: up to 128 letters, digits, '_', '.' and '-',"
            " not starting with '.' or '-'"
        )
    for option in ("source_registry_id", "target_registry_id"):
        value = params.get(option)
        if value is not None and not REGISTRY_ID_PATTERN.fullmatch(value):
            errors.append(f"{option} {value!r} is not a 12-digit AWS account ID")
    if params.get("scan_timeout") is not None and params["scan_timeout"] < 0:
        errors.append("scan_timeout must not be negative")
    return errors


def severity_rank(severity: str | None) -> int:
    return _SEVERITY_RANK.get((severity or "").upper(), 0)


def is_at_or_above(severity: str | None, threshold: str) -> bool:
    return severity_rank(severity) >= severity_rank(threshold)


def blocking_counts(counts: dict[str, int] | None, threshold: str) -> dict[str, int]:
    """The severity counts of a scan that are at or above ``threshold`` (and not zero)."""
    return {
        severity: count
        for severity, count in sorted((counts or {}).items(), key=lambda item: -severity_rank(item[0]))
        if count and is_at_or_above(severity, threshold)
    }


def normalize_finding(finding: dict[str, Any]) -> dict[str, Any]:
    """A basic or an enhanced finding as ``{name, severity, uri}`` (``uri`` only when the finding has one)."""
    details = finding.get("packageVulnerabilityDetails") or {}
    name = finding.get("name") or details.get("vulnerabilityId") or finding.get("title") or "unnamed finding"
    result = {"name": name, "severity": (finding.get("severity") or "UNDEFINED").upper()}
    uri = finding.get("uri") or details.get("sourceUrl")
    if uri:
        result["uri"] = uri
    return result


def blocking_findings(findings: list[dict[str, Any]], threshold: str) -> list[dict[str, Any]]:
    """The findings at or above ``threshold``, most severe first, normalised."""
    normalized = [normalize_finding(finding) for finding in findings]
    selected = [finding for finding in normalized if is_at_or_above(finding["severity"], threshold)]
    return sorted(selected, key=lambda finding: (-severity_rank(finding["severity"]), finding["name"]))


def describe_finding(finding: dict[str, Any]) -> str:
    text = f"{finding['name']} ({finding['severity']})"
    return f"{text} {finding['uri']}" if finding.get("uri") else text


def gate_failure_message(image: str, threshold: str, counts: dict[str, int], findings: list[dict[str, Any]]) -> str:
    """Why the gate refuses ``image``, with the counts and the first findings."""
    total = sum(counts.values())
    summary = ", ".join(f"{severity}: {count}" for severity, count in counts.items())
    message = f"The scan of {image} has {total} finding(s) at or above {threshold} ({summary})"
    if findings:
        listed = "; ".join(describe_finding(finding) for finding in findings[:_FINDINGS_IN_MESSAGE])
        more = len(findings) - _FINDINGS_IN_MESSAGE
        message += f": {listed}" + (f"; and {more} more" if more > 0 else "")
    return message


def _wildcard_match(pattern: str, value: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), value) is not None


def is_tag_immutable(mutability: str | None, exclusion_filters: list[dict[str, str]] | None, tag: str) -> bool:
    """Whether ECR refuses to move ``tag`` in a repository with this tag mutability setting.

    The exclusion filters (wildcards) turn the setting around for the tags they match.
    """
    excluded = any(_wildcard_match(f.get("filter", ""), tag) for f in exclusion_filters or [])
    if mutability in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        return not excluded
    if mutability == "MUTABLE_WITH_EXCLUSION":
        return excluded
    return False


def manifest_media_type(manifest: str, reported: str | None) -> str | None:
    """The media type BatchGetImage reported, or else the one the manifest names itself."""
    if reported:
        return reported
    try:
        return json.loads(manifest).get("mediaType")
    except (ValueError, AttributeError):
        return None


def manifest_references(manifest: str, media_type: str | None) -> tuple[list[str], list[str]]:
    """The blobs (config and layers) and the child manifests a manifest refers to, each in order, once.

    Foreign and non-distributable layers are left out: registries do not hold them.
    """
    document = json.loads(manifest)
    media_type = media_type or document.get("mediaType")
    if media_type in INDEX_MEDIA_TYPES or ("manifests" in document and "layers" not in document):
        children = [entry["digest"] for entry in document.get("manifests", []) if entry.get("digest")]
        return [], list(dict.fromkeys(children))
    descriptors = [document.get("config") or {}, *(document.get("layers") or [])]
    blobs = [
        descriptor["digest"]
        for descriptor in descriptors
        if descriptor.get("digest")
        and "foreign" not in descriptor.get("mediaType", "")
        and "nondistributable" not in descriptor.get("mediaType", "")
    ]
    return list(dict.fromkeys(blobs)), []


def image_uri(repository_uri: str, digest: str) -> str:
    """The pullable reference ``<registry host>/<repository>@sha256:...``."""
    return f"{repository_uri}@{digest}"


def scan_findings(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings of one DescribeImageScanFindings page, basic and enhanced, in one list."""
    page = response.get("imageScanFindings") or {}
    return [*(page.get("findings") or []), *(page.get("enhancedFindings") or [])]


def scan_summary(response: dict[str, Any], repository: str, registry_id: str) -> dict[str, Any]:
    """What the result says about a finished scan: which image, its status and the severity counts."""
    findings = response.get("imageScanFindings") or {}
    status = response.get("imageScanStatus") or {}
    summary = {
        "repository_name": repository,
        "registry_id": registry_id,
        "image_digest": (response.get("imageId") or {}).get("imageDigest"),
        "status": status.get("status"),
        "finding_severity_counts": dict(findings.get("findingSeverityCounts") or {}),
    }
    if status.get("description"):
        summary["description"] = status["description"]
    for key, name in (
        ("imageScanCompletedAt", "image_scan_completed_at"),
        ("vulnerabilitySourceUpdatedAt", "vulnerability_source_updated_at"),
    ):
        if findings.get(key) is not None:
            summary[name] = findings[key]
    return summary


def _read_exactly(stream, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def open_blob_url(url: str):
    """A stream of the bytes behind a GetDownloadUrlForLayer URL (pre-signed: no credentials, no netrc)."""
    return open_url(url, method="GET", timeout=BLOB_DOWNLOAD_TIMEOUT, use_netrc=False, decompress=False)


def _refusal(message: str, keep_error: bool = False):
    """An answer to an AWS error code that fails the promotion with ``message`` (and, with ``keep_error``, the
    error's details)."""

    def answer(exception: Exception):
        raise AWSActionError(message, exception=exception if keep_error else None)

    return answer


# --- manager ---------------------------------------------------------------------------------------------


class EcrImageManager(BaseResourceManager):
    """Promotes one image; ``image`` holds the result. ``fail_on_severity`` (None: no threshold) and
    ``scan_timeout`` (seconds) configure the scan gate."""

    def __init__(self, module, *, fail_on_severity: str | None, scan_timeout: int) -> None:
        super().__init__(module)
        self.ecr = self.client("ecr")
        self.fail_on_severity = fail_on_severity
        self.scan_timeout = scan_timeout
        self.image: dict[str, Any] = {}
        self.scan_findings_summary: dict[str, Any] | None = None

    # --- reads ---------------------------------------------------------------------------------------

    @staticmethod
    def _registry(registry_id: str | None) -> dict[str, str]:
        return {"registryId": registry_id} if registry_id else {}

    def _describe_repository(self, name: str, registry_id: str | None) -> dict[str, Any] | None:
        response = call(
            self.ecr.describe_repositories,
            f"describe repository {name}",
            answers={"RepositoryNotFoundException": None},
            repositoryNames=[name],
            **self._registry(registry_id),
        )
        found = response["repositories"] if response else []
        return found[0] if found else None

    def _describe_image(self, repository: dict[str, Any], image_id: dict[str, str]) -> dict[str, Any] | None:
        response = call(
            self.ecr.describe_images,
            f"describe image {image_id} in {repository['repositoryName']}",
            answers={"ImageNotFoundException": None},
            repositoryName=repository["repositoryName"],
            registryId=repository["registryId"],
            imageIds=[image_id],
        )
        found = response["imageDetails"] if response else []
        return found[0] if found else None

    def _get_manifest(self, repository: str, registry_id: str | None, image_id: dict[str, str]) -> dict[str, Any]:
        """The image's manifest as ECR stores it: ``{repository, registry_id, digest, manifest, media_type}``."""
        where = f"{repository}" + (f" in registry {registry_id}" if registry_id else "")
        wanted = image_id.get("imageTag") and f"tag {image_id['imageTag']}" or f"digest {image_id.get('imageDigest')}"
        response = call(
            self.ecr.batch_get_image,
            f"get the image with {wanted} from {where}",
            answers={"RepositoryNotFoundException": _refusal(f"Source repository {where} not found")},
            repositoryName=repository,
            imageIds=[image_id],
            acceptedMediaTypes=ACCEPTED_MEDIA_TYPES,
            **self._registry(registry_id),
        )
        images = response.get("images") or []
        if not images:
            failure = (response.get("failures") or [{}])[0]
            code = failure.get("failureCode") or "ImageNotFound"
            if code == "ImageNotFound":
                raise AWSActionError(f"Source image with {wanted} not found in repository {where}")
            raise AWSActionError(
                f"Cannot read the image with {wanted} from {where}: {code}: {failure.get('failureReason')}"
            )
        image = images[0]
        digest = image["imageId"]["imageDigest"]
        if image_id.get("imageDigest") and digest != image_id["imageDigest"]:
            raise AWSActionError(f"ECR returned image {digest} for {wanted} in {where}")
        manifest = image["imageManifest"]
        return {
            "repository": repository,
            "registry_id": registry_id or image.get("registryId"),
            "requested_registry_id": registry_id,
            "digest": digest,
            "manifest": manifest,
            "media_type": manifest_media_type(manifest, image.get("imageManifestMediaType")),
        }

    # --- the promotion -------------------------------------------------------------------------------

    def promote(
        self,
        *,
        source_repository: str,
        source_registry_id: str | None,
        source_tag: str | None,
        source_digest: str | None,
        target_repository: str,
        target_registry_id: str | None,
        tag: str,
        gate: bool,
    ) -> None:
        """Point ``target_repository:tag`` at the source image (by tag or by digest), behind the scan gate when
        ``gate``."""
        target = self._target_repository(target_repository, target_registry_id)
        source_id = {"imageDigest": source_digest} if source_digest else {"imageTag": source_tag}
        source = self._get_manifest(source_repository, source_registry_id, source_id)
        self._promote(source, target, tag, gate)

    def copy_from_registry(
        self, origin: Any, *, platform: str | None, target_repository: str, target_registry_id: str | None, tag: str, gate: bool
    ) -> None:
        """Point ``target_repository:tag`` at the image ``origin`` (an ``OciSource``) names, or at its manifest for
        ``platform`` when it is an index; the scan gate, when ``gate``, is the target registry's."""
        target = self._target_repository(target_repository, target_registry_id)
        source = origin.manifest(origin.digest or origin.tag)
        if platform:
            source = self._platform_manifest(origin, source, platform)
        self._promote(source, target, tag, gate)

    def _target_repository(self, name: str, registry_id: str | None) -> dict[str, Any]:
        target = self._describe_repository(name, registry_id)
        if target is None:
            where = f" in registry {registry_id}" if registry_id else ""
            raise AWSActionError(f"Target repository {name}{where} not found")
        return target

    @staticmethod
    def _platform_manifest(origin: Any, source: dict[str, Any], platform: str) -> dict[str, Any]:
        """The image of ``source`` for ``platform``: the index's entry for it, or ``source`` itself when its
        configuration says it is built for it."""
        document = json.loads(source["manifest"])
        if source["media_type"] in INDEX_MEDIA_TYPES or ("manifests" in document and "layers" not in document):
            entry = select_platform(document, platform)
            if entry is None:
                raise AWSActionError(
                    f"{origin.reference} has no image for {platform}; it has {', '.join(index_platforms(document)) or 'none'}"
                )
            return origin.manifest(entry["digest"])
        config = json.loads(origin.read_blob((document.get("config") or {}).get("digest", "")) or b"{}")
        built_for = "/".join(p for p in (config.get("os"), config.get("architecture"), config.get("variant")) if p)
        wanted = PLATFORM.fullmatch(platform).groupdict()
        if config.get("os") != wanted["os"] or config.get("architecture") != wanted["architecture"]:
            raise AWSActionError(f"{origin.reference} is built for {built_for or 'an unknown platform'}, not {platform}")
        return source

    def _promote(self, source: dict[str, Any], target: dict[str, Any], tag: str, gate: bool) -> None:
        digest = source["digest"]

        current = self._describe_image(target, {"imageTag": tag})
        current_digest = current["imageDigest"] if current else None
        changing = current_digest != digest
        if changing and current_digest and self._tag_is_immutable(target, tag):
            raise AWSActionError(
                f"Tag {tag} of the repository {target['repositoryName']} is immutable and already points at"
                f" {current_digest}; refusing to point it at {digest}",
                image_digest=digest,
                current_digest=current_digest,
            )

        same_registry = not source.get("origin") and source["registry_id"] in (None, target["registryId"])
        unchanged = f"Tag {tag} of {target['repositoryName']} already points at this image"

        if gate and same_registry:
            outcome = f"Nothing was changed: {target['repositoryName']}:{tag} was not set" if changing else unchanged
            self._gate(self._source_repository(source, target), digest, outcome)
        elif gate and not changing:
            self._gate(target, digest, unchanged)
        if changing:
            self.changed = True
            self.set_diff(before={"tag": tag, "digest": current_digest}, after={"tag": tag, "digest": digest})
            if same_registry or not gate:
                if not self.check_mode:
                    self._put(source, target, tag)
            else:
                self._stage_gate_and_tag(source, target, tag)

        self.image = self._result(target, digest, tag)

    def _tag_is_immutable(self, repository: dict[str, Any], tag: str) -> bool:
        return is_tag_immutable(
            repository.get("imageTagMutability"), repository.get("imageTagMutabilityExclusionFilters"), tag
        )

    def _source_repository(self, source: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
        if source["repository"] == target["repositoryName"]:
            return target
        repository = self._describe_repository(source["repository"], source["requested_registry_id"])
        if repository is None:
            raise AWSActionError(f"Source repository {source['repository']} not found")
        return repository

    def _stage_gate_and_tag(self, source: dict[str, Any], target: dict[str, Any], tag: str) -> None:
        """Across registries: put the image untagged, gate it with the target's scanner, then tag it."""
        digest = source["digest"]
        staged = self._describe_image(target, {"imageDigest": digest}) is not None
        outcome = f"The image is in {target['repositoryName']} untagged, to be scanned there; tag {tag} was not set"
        if self.check_mode:
            if staged:
                self._gate(target, digest, outcome)
            else:
                self._gate_not_evaluated(f"{digest} is not in {target['repositoryName']} yet")
            return
        if not staged:
            self._put(source, target, None)
        self._gate(target, digest, outcome, pushed_now=not staged)
        self._put(source, target, tag, copy_references=False)

    # --- scan gate -----------------------------------------------------------------------------------

    def _gate_not_evaluated(self, why: str) -> None:
        self.module.warn(f"The scan gate was not evaluated in check mode: {why}.")

    def _gate(self, repository: dict[str, Any], digest: str, outcome: str, pushed_now: bool = False) -> None:
        """Wait for the scan of ``digest`` in ``repository`` (starting one if none exists) and apply the gate.

        ``outcome`` says, when the gate refuses the image, what was and was not done; ``pushed_now`` that the
        image was put into ``repository`` by this run, so a scan on push is on its way.
        """
        name, registry_id = repository["repositoryName"], repository["registryId"]
        image = f"{name}@{digest}"
        response = self._describe_findings(name, registry_id, digest)
        status = (response or {}).get("imageScanStatus", {}).get("status")
        if status not in SCAN_DONE + SCAN_FAILED:
            if self.check_mode:
                self._gate_not_evaluated(f"{image} has no finished scan" if response else f"{image} was never scanned")
                return
            scans_on_push = (repository.get("imageScanningConfiguration") or {}).get("scanOnPush")
            if response is None and not (scans_on_push and pushed_now):
                self._start_scan(name, registry_id, digest)
            self._wait_for_scan(name, registry_id, digest)
            response = self._describe_findings(name, registry_id, digest)
            status = (response or {}).get("imageScanStatus", {}).get("status")
        if status not in SCAN_DONE:
            description = (response or {}).get("imageScanStatus", {}).get("description") or "no description"
            raise AWSActionError(f"The scan of {image} ended with status {status}: {description}")

        findings = self._all_findings(name, registry_id, digest, response)
        self.scan_findings_summary = scan_summary(response, name, registry_id)
        threshold = self.fail_on_severity
        if not threshold:
            return
        counts = blocking_counts(self.scan_findings_summary["finding_severity_counts"], threshold)
        blocking = blocking_findings(findings, threshold)
        if not counts and blocking:
            # A scan whose counts are missing still has its findings.
            for finding in blocking:
                counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
        if not counts:
            return
        raise AWSActionError(
            f"{gate_failure_message(image, threshold, counts, blocking)}. {outcome}.",
            changed=pushed_now,
            findings=blocking,
            scan_findings_summary=self.scan_findings_summary,
        )

    @staticmethod
    def _image_id(repository: str, registry_id: str, digest: str) -> dict[str, Any]:
        return {"repositoryName": repository, "registryId": registry_id, "imageId": {"imageDigest": digest}}

    def _describe_findings(self, repository: str, registry_id: str, digest: str) -> dict[str, Any] | None:
        """The first page of the scan's findings, with its status; None when the image has no scan."""
        return call(
            self.ecr.describe_image_scan_findings,
            f"describe the scan findings of {repository}@{digest}",
            answers={"ScanNotFoundException": None},
            **self._image_id(repository, registry_id, digest),
        )

    def _findings_page(self, **request: Any) -> dict[str, Any]:
        """DescribeImageScanFindings with the page's findings in one list, the way ``paginate`` reads pages."""
        response = self.ecr.describe_image_scan_findings(**request)
        return {"findings": scan_findings(response), "nextToken": response.get("nextToken")}

    def _all_findings(
        self, repository: str, registry_id: str, digest: str, first: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Every finding of a finished scan, basic and enhanced, across all pages (``first`` is in hand)."""
        findings = scan_findings(first)
        if first.get("nextToken"):
            findings += paginate(
                self._findings_page,
                f"describe the scan findings of {repository}@{digest}",
                "findings",
                token="nextToken",
                answers={"ScanNotFoundException": []},
                nextToken=first["nextToken"],
                **self._image_id(repository, registry_id, digest),
            )
        return findings

    def _start_scan(self, repository: str, registry_id: str, digest: str) -> None:
        call(
            self.ecr.start_image_scan,
            f"start a scan of {repository}@{digest}",
            answers={
                # One scan per image a day, the scan on push included: one is on its way or done; wait for it.
                "LimitExceededException": None,
                "UnsupportedImageTypeException": _refusal(
                    f"ECR cannot scan {repository}@{digest}: its image type is not supported"
                ),
            },
            **self._image_id(repository, registry_id, digest),
        )

    def _wait_for_scan(self, repository: str, registry_id: str, digest: str) -> None:
        try:
            wait(
                self.ecr,
                "ImageScanComplete",
                f"the scan of {repository}@{digest}",
                self.scan_timeout,
                SCAN_POLL_DELAY,
                model=SCAN_WAITER_CONFIG,
                **self._image_id(repository, registry_id, digest),
            )
        except AWSActionError as e:
            last = getattr(e.exception, "last_response", None) or {}
            if (last.get("imageScanStatus") or {}).get("status") in SCAN_FAILED:
                return  # the caller reports the status and its description
            raise

    # --- copying -------------------------------------------------------------------------------------

    def _put(
        self,
        source: dict[str, Any],
        target: dict[str, Any],
        tag: str | None,
        depth: int = 0,
        copy_references: bool = True,
    ) -> None:
        """Put the source manifest into the target, after what it refers to; untagged when ``tag`` is None."""
        if depth > _MAX_INDEX_DEPTH:
            raise AWSActionError(f"Manifest {source['digest']} nests image indexes deeper than {_MAX_INDEX_DEPTH}")
        same_repository = (
            not source.get("origin")
            and source["repository"] == target["repositoryName"]
            and source["registry_id"] in (None, target["registryId"])
        )
        if copy_references and not same_repository:
            try:
                blobs, children = manifest_references(source["manifest"], source["media_type"])
            except (ValueError, TypeError, KeyError, AttributeError) as e:
                what = f"{source['repository']}@{source['digest']}"
                raise AWSActionError(f"Cannot read the manifest of {what}: {e}") from e
            for child in children:
                if self._describe_image(target, {"imageDigest": child}) is None:
                    child_image = (
                        source["origin"].manifest(child)
                        if source.get("origin")
                        else self._get_manifest(
                            source["repository"], source["requested_registry_id"], {"imageDigest": child}
                        )
                    )
                    self._put(child_image, target, None, depth + 1)
            self._copy_missing_blobs(source, target, blobs)
        request = {
            "registryId": target["registryId"],
            "repositoryName": target["repositoryName"],
            "imageManifest": source["manifest"],
            "imageDigest": source["digest"],
        }
        if source["media_type"]:
            request["imageManifestMediaType"] = source["media_type"]
        if tag:
            request["imageTag"] = tag
        where = f"{target['repositoryName']}:{tag}" if tag else f"{target['repositoryName']} (untagged)"
        call(
            self.ecr.put_image,
            f"put image {source['digest']} into {where}",
            answers={
                "ImageAlreadyExistsException": None,  # put meanwhile by someone else, with the same tag
                "ImageTagAlreadyExistsException": _refusal(
                    f"Tag {tag} of {target['repositoryName']} is immutable and was set meanwhile"
                ),
                "ImageDigestDoesNotMatchException": _refusal(
                    f"ECR computed another digest than {source['digest']} for the manifest put into {where}",
                    keep_error=True,
                ),
            },
            **request,
        )

    def _copy_missing_blobs(self, source: dict[str, Any], target: dict[str, Any], blobs: list[str]) -> None:
        for digest in self._missing_blobs(target, blobs):
            self._copy_blob(source, target, digest)

    def _missing_blobs(self, target: dict[str, Any], blobs: list[str]) -> list[str]:
        missing = []
        for start in range(0, len(blobs), _LAYER_CHECK_BATCH):
            batch = blobs[start : start + _LAYER_CHECK_BATCH]
            response = call(
                self.ecr.batch_check_layer_availability,
                f"check which layers {target['repositoryName']} has",
                registryId=target["registryId"],
                repositoryName=target["repositoryName"],
                layerDigests=batch,
            )
            available = {
                layer["layerDigest"]
                for layer in response.get("layers") or []
                if layer.get("layerAvailability") == "AVAILABLE"
            }
            missing.extend(digest for digest in batch if digest not in available)
        return missing

    def _copy_blob(self, source: dict[str, Any], target: dict[str, Any], digest: str) -> None:
        """Stream one blob from the source repository into the target, checking its digest on the way."""
        target_ref = {"registryId": target["registryId"], "repositoryName": target["repositoryName"]}
        what = f"layer {digest} from {source['repository']} to {target['repositoryName']}"
        if source.get("origin"):
            opened = source["origin"].open_blob(digest)
        else:
            url = call(
                self.ecr.get_download_url_for_layer,
                f"start copying {what}",
                repositoryName=source["repository"],
                layerDigest=digest,
                **self._registry(source["requested_registry_id"]),
            )["downloadUrl"]
            opened = None
        upload = call(self.ecr.initiate_layer_upload, f"start copying {what}", **target_ref)
        upload_id = upload["uploadId"]
        part_size = upload.get("partSize") or _DEFAULT_PART_SIZE
        hasher = hashlib.sha256()
        offset = 0
        try:
            with opened or open_blob_url(url) as stream:
                while True:
                    part = _read_exactly(stream, part_size)
                    if not part:
                        break
                    hasher.update(part)
                    call(
                        self.ecr.upload_layer_part,
                        f"upload {what}",
                        uploadId=upload_id,
                        partFirstByte=offset,
                        partLastByte=offset + len(part) - 1,
                        layerPartBlob=part,
                        **target_ref,
                    )
                    offset += len(part)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
            raise AWSActionError(f"Failed to download {what}: {e}") from e
        received = f"sha256:{hasher.hexdigest()}"
        if received != digest:
            raise AWSActionError(f"The bytes downloaded for {what} hash to {received}; nothing was uploaded")
        call(
            self.ecr.complete_layer_upload,
            f"complete the upload of {what}",
            answers={"LayerAlreadyExistsException": None},
            uploadId=upload_id,
            layerDigests=[digest],
            **target_ref,
        )

    # --- result --------------------------------------------------------------------------------------

    def _result(self, target: dict[str, Any], digest: str, tag: str) -> dict[str, Any]:
        details = self._describe_image(target, {"imageDigest": digest})
        tags = list((details or {}).get("imageTags") or [])
        if tag not in tags:
            tags.append(tag)  # check mode: the tag it would get
        result = {
            "repository_name": target["repositoryName"],
            "registry_id": target["registryId"],
            "image_digest": digest,
            "image_tags": tags,
            "image_uri": image_uri(target["repositoryUri"], digest),
        }
        if self.scan_findings_summary is not None:
            result["scan_findings_summary"] = self.scan_findings_summary
        return result
