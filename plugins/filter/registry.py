# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the registry role: its default lifecycle policy, and checking every repository's
settings with the module's own validators before the first one is created."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# The module_utils these filters share with the modules import botocore, oras and requests. They are imported
# where a filter is called, not here: Ansible loads every filter file of the collection to resolve any one of its
# filters, in each worker process it forks, so an import here would cost every task that uses any of them.


def ecr_lifecycle_policy(untagged_expiry_days, keep_image_count):
    """Expire untagged images after N days; beyond that, keep only the newest M images."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images {untagged_expiry_days} days after push",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": int(untagged_expiry_days),
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the newest {keep_image_count} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": int(keep_image_count),
                },
                "action": {"type": "expire"},
            },
        ]
    }


_OVERRIDABLE = (
    "image_tag_mutability",
    "scan_on_push",
    "encryption_type",
    "kms_key",
    "untagged_expiry_days",
    "keep_image_count",
    "repository_policy",
    "lifecycle_policy",
)
# Where a repository's deployed image comes from when the repository lacks it (not repository settings).
_SOURCE_KEYS = ("source_image", "source_registry_username", "source_registry_password", "source_registry_insecure")


def ecr_repository_settings(repositories, defaults, prefix, tags):
    """The ecr_repository arguments of each entry of ``registry_repositories``.

    Each entry names a repository (``<prefix>/<name>`` in ECR) and may override any of the role's
    defaults; without a ``lifecycle_policy`` of its own it gets the one built from the expiry settings, and an
    entry's ``lifecycle_policy: {}`` leaves the repository without one.
    """
    result = []
    for entry in repositories or []:
        unknown = sorted(set(entry) - set(_OVERRIDABLE) - set(_SOURCE_KEYS) - {"name"})
        if unknown:
            raise AnsibleFilterError(
                f"registry_repositories entry {entry.get('name')!r}: unknown key(s) {', '.join(unknown)};"
                f" allowed: name, {', '.join(_OVERRIDABLE + _SOURCE_KEYS)}"
            )
        merged = dict(defaults)
        merged.update({key: entry[key] for key in _OVERRIDABLE if entry.get(key) is not None})
        if entry.get("lifecycle_policy") is not None:  # the entry's own, {} included: no lifecycle policy
            lifecycle = entry["lifecycle_policy"]
        else:
            lifecycle = merged.get("lifecycle_policy") or ecr_lifecycle_policy(
                merged["untagged_expiry_days"], merged["keep_image_count"]
            )
        result.append(
            {
                "short_name": entry.get("name"),
                "name": f"{prefix}/{entry.get('name')}",
                "image_tag_mutability": merged["image_tag_mutability"],
                "scan_on_push": merged["scan_on_push"],
                "encryption_type": merged["encryption_type"],
                "kms_key": merged.get("kms_key") or None,
                "lifecycle_policy": lifecycle,
                "repository_policy": merged.get("repository_policy") or {},
                "tags": dict(tags),
                "source": {
                    "image": entry.get("source_image") or "",
                    "username": entry.get("source_registry_username") or "",
                    "password": entry.get("source_registry_password") or "",
                    "insecure": bool(entry.get("source_registry_insecure")),
                },
            }
        )
    return result


def ecr_repository_errors(settings, variable="registry_repositories"):
    """Why ``settings`` (the ecr_repository arguments of one repository) would be refused; [] when fine."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import EcrInputError
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import wanted_settings
    from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import reference_errors

    arguments = {key: value for key, value in dict(settings).items() if key not in ("short_name", "source")}
    errors = []
    try:
        wanted_settings(arguments)
    except EcrInputError as e:
        errors = [f"{variable}: {message}" for message in str(e).split("; ")]
    source = dict(settings).get("source") or {}
    if source.get("image"):
        errors += [f"{variable} {settings.get('short_name')}: {m}" for m in reference_errors(source["image"], None)]
    if source.get("password") and not source.get("username"):
        errors.append(f"{variable} {settings.get('short_name')}: source_registry_password needs source_registry_username")
    return errors


def deploy_images_errors(deploy_images, settings, platform, threshold):
    """Why registry_deploy_images, registry_image_platform or registry_fail_on_severity would be refused."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_digest
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_tag
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import severity_rank
    from ansible_collections.cloudops.fargate.plugins.module_utils._oci_source import reference_errors

    errors = []
    names = [entry.get("short_name") for entry in settings or []]
    for name, reference in dict(deploy_images or {}).items():
        if name not in names:
            errors.append(f"registry_deploy_images: {name!r} is not one of the repositories {names}")
        if not (is_valid_tag(str(reference)) or is_valid_digest(str(reference))):
            errors.append(
                f"registry_deploy_images {name}: {reference!r} is neither a tag (letters, digits, '_', '.', '-', at"
                " most 128 characters) nor a digest 'sha256:<64 hex digits>'"
            )
    errors += [f"registry_image_{m}" for m in reference_errors(None, platform)]  # "platform '...' is not ..."
    if threshold and severity_rank(threshold) == 0 and str(threshold).upper() != "UNDEFINED":
        errors.append(f"registry_fail_on_severity {threshold!r} is not one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED or ''")
    return errors


def deploy_image_lookups(deploy_images, prefix):
    """The ecr_repository_info lookups for ``deploy_images`` (short name -> tag or digest): one per reference, with
    the repositories that must hold it."""
    lookups = {}
    for name, reference in dict(deploy_images or {}).items():
        lookups.setdefault(str(reference), []).append(f"{prefix}/{name}")
    return [{"image": reference, "names": names} for reference, names in lookups.items()]


def deploy_image_states(lookup_results, deploy_images, settings, threshold=""):
    """Each deployed image as the registry holds it: ``{short_name, repository, repository_uri, reference, exists,
    image, source_image, ..., copy, missing, blocked, unscanned}``.

    ``copy``: missing with a source to copy from (under a tag); ``missing``: missing with none, or deployed by a
    digest that no copy can produce; ``blocked``: the finished scan of the image there has findings at or above
    ``threshold``, listed in ``blocking``; ``unscanned``: there, but no finished scan yet to judge (the gate must wait).
    """
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_tag
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import severity_rank

    found = {}
    for result in lookup_results or []:
        for repository in result.get("repositories") or []:
            found[repository["repository_name"]] = repository
    by_name = {entry["short_name"]: entry for entry in settings or []}
    states = []
    for name, reference in dict(deploy_images or {}).items():
        entry = by_name.get(name) or {"name": name, "source": {}}
        repository = found.get(entry["name"])
        image = (repository or {}).get("image")
        source = entry.get("source") or {}
        reference = str(reference)
        counts = (image or {}).get("finding_severity_counts") or {}
        blocking = {
            severity: count
            for severity, count in counts.items()
            if threshold and count and severity_rank(severity) >= severity_rank(threshold)
        }
        scanned = (image or {}).get("scan_status") in ("COMPLETE", "ACTIVE")
        states.append(
            {
                "short_name": name,
                "repository": entry["name"],
                "repository_uri": (repository or {}).get("repository_uri", ""),
                "reference": reference,
                "exists": repository is not None,
                "image": image,
                "source_image": source.get("image") or "",
                "source_registry_insecure": bool(source.get("insecure")),
                "copy": image is None and bool(source.get("image")) and is_valid_tag(reference),
                "missing": image is None and not (source.get("image") and is_valid_tag(reference)),
                "blocked": bool(image and scanned and blocking),
                "blocking": blocking,
                "gate_message": (
                    f"{entry['name']}:{reference} ({(image or {}).get('image_digest')}) has findings at or above"
                    f" {threshold} (registry_fail_on_severity): "
                    + ", ".join(f"{count} {severity}" for severity, count in sorted(blocking.items()))
                ),
                "unscanned": bool(image and threshold and not scanned),
            }
        )
    return states


def push_instructions(state, region):
    """What to do about a deployed image that is not in its repository and cannot be copied there."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_digest

    uri = state.get("repository_uri") or state["repository"]
    host = uri.split("/", 1)[0]
    reference = state["reference"]
    if is_valid_digest(reference):
        target = f"{uri}:<tag>"
        why = f"{uri}@{reference} is not in ECR (a digest cannot be copied from a source under a tag)"
    else:
        target = f"{uri}:{reference}"
        why = f"{target} is not in ECR, and registry_repositories gives {state['short_name']} no source_image to copy it from"
    return (
        f"{why}. Push it, then run again: aws ecr get-login-password --region {region}"
        f" | docker login --username AWS --password-stdin {host} && docker tag <your image> {target}"
        f" && docker push {target}"
    )


class FilterModule:
    def filters(self):
        return {
            "deploy_image_lookups": deploy_image_lookups,
            "deploy_image_states": deploy_image_states,
            "deploy_images_errors": deploy_images_errors,
            "ecr_lifecycle_policy": ecr_lifecycle_policy,
            "ecr_repository_errors": ecr_repository_errors,
            "ecr_repository_settings": ecr_repository_settings,
            "push_instructions": push_instructions,
        }
