"""Run ``ansible-test sanity`` on this collection, offline apart from the package index.

Usage (from anywhere; the venv's python finds ansible-test next to itself)::

    .venv/bin/python tools/sanity.py                     # every sanity test
    .venv/bin/python tools/sanity.py --test pep8 --test validate-modules
    .venv/bin/python tools/sanity.py --keep -- -v        # keep the tree, pass -v to ansible-test

What it does:

1. ansible-test needs the collection at ``.../ansible_collections/<namespace>/<name>``, and the checkout's
   root is the collection root under any name. So the collection is copied to a temporary
   ``<tmp>/ansible_collections/cloudops/fargate`` tree, leaving out what is no part of the collection:
   the venv, the emulator's state, ``collections/`` (a link back to the root), ``.git``, caches, and
   whatever galaxy.yml ``build_ignore`` lists (the same files ``ansible-galaxy collection build`` leaves
   out). A copy rather than links: ansible-test's ``symlinks`` test and its file walk see plain files.
   The collections named in galaxy.yml ``dependencies`` (amazon.aws) are linked beside it, from where
   ansible finds them (the venv's ``ansible_collections``), so module docs fragments and
   ``module_utils`` imports resolve the way they do for a user.
2. ``ansible-test sanity --venv`` builds one virtual environment per test (pinned pylint,
   pycodestyle, yamllint, voluptuous, ...) and bootstraps pip into each with a get-pip script it
   downloads from a host this machine cannot reach. It looks for that script first in
   ``~/.ansible/test/cache/get_pip_<version>.py`` (see ``bootstrap()`` in
   ``ansible_test/_util/target/setup/requirements.py``), so this writes an offline stand-in there
   when none is present: run with pip's install arguments (``pip==24.2 --no-setuptools
   --no-wheel``), it installs pip from the interpreter's own ``ensurepip`` wheels, then
   ``pip install``s the requested pinned versions from the configured package index, with
   ``--cert`` set to the system CA bundle because ansible-test runs pip with an environment stripped
   of ``PIP_*``/``SSL_CERT_FILE`` settings. A real get-pip script already in the cache is left alone.
3. It runs ``ansible-test sanity --python 3.11 --venv`` from the copy, streams its output and exits
   with its status.

Why ``--venv`` and not ``--local``: ``--local`` runs each test with whatever .venv holds. .venv has
no pylint, pycodestyle or voluptuous at all, and a different yamllint (1.38) from the one ansible-test
pins (1.37.1), so pylint, pep8 and validate-modules would fail to start and yamllint would judge by
other rules; ``--local --requirements`` would pip-install ansible-test's pins into .venv, a change to
the project's environment behind requirements.txt's back. ``--venv`` gives each test its own venv
with exactly ansible-test's pins. The package index is reachable here, on developers' machines and
in CI, so ``--venv`` runs offline in the sense that matters (no host but the package index) once the
get-pip stand-in exists; the test venvs are cached under ``~/.ansible/test/venv`` (keyed by the
pins), so later runs install nothing but pip into ansible-test's own delegation venv. ``--docker``
is not an option: there is no container runtime.

Timing (2 cores): every test, about 1.5 minutes on a fresh machine (empty cache: venvs built from the
index) and about 1 minute after that. No test is skipped or subset for speed; pylint is the slowest
(about 30 s).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from fnmatch import fnmatch
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON_VERSION = "3.11"
CACHE_DIR = Path("~/.ansible/test/cache").expanduser()
STANDIN_MARKER = "# cloudops.fargate offline get-pip stand-in"

# Never part of the collection, whatever galaxy.yml says: local state and the link back to the root
# (paths from the root) ...
ROOT_EXCLUDED = (".git", ".venv", ".emulator", ".ansible", ".cache", "collections", "tests/output")
# ... and caches, wherever they are (names).
NAMES_EXCLUDED = ("__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".tox")

GET_PIP_STANDIN = (
    STANDIN_MARKER
    + r'''
"""Offline stand-in for get-pip.py, used by ansible-test to bootstrap pip into its test venvs.

ansible-test runs this as ``python get_pip_<version>.py [pip install arguments]``, e.g.
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``. Like get-pip.py it installs pip
(and setuptools and wheel unless --no-setuptools / --no-wheel say otherwise), then the requested
packages with ``pip install --upgrade --force-reinstall``. Unlike get-pip.py, which embeds a pip
wheel, it takes pip from this interpreter's ensurepip, then installs the pinned version from the
package index configured for pip (pip.conf), so it needs no download from anywhere else.
"""

import importlib.util
import os
import ssl
import subprocess
import sys

OWN_FLAGS = ("--no-setuptools", "--no-wheel")


def ca_bundle():
    """The system CA bundle: ansible-test hands pip an environment without PIP_CERT/SSL_CERT_FILE."""
    candidates = [
        os.environ.get("PIP_CERT"),
        os.environ.get("SSL_CERT_FILE"),
        "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
        "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
        "/etc/ssl/cert.pem",  # macOS, BSDs
        ssl.get_default_verify_paths().cafile,
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


def requirement_names(args):
    names = set()
    for arg in args:
        if arg.startswith("-"):
            continue
        name = arg
        for separator in "=<>!~[;@ ":
            name = name.split(separator, 1)[0]
        names.add(name.strip().lower().replace("_", "-"))
    return names


def run(command):
    print("get-pip stand-in: " + " ".join(command), file=sys.stderr)
    sys.stderr.flush()
    status = subprocess.call(command)
    if status:
        sys.exit(status)


def main(argv):
    no_setuptools = "--no-setuptools" in argv
    no_wheel = "--no-wheel" in argv
    args = [arg for arg in argv if arg not in OWN_FLAGS]
    wanted = requirement_names(args)
    if "pip" not in wanted:
        args.append("pip")
    if not no_setuptools and "setuptools" not in wanted:
        args.append("setuptools")
    if not no_wheel and "wheel" not in wanted:
        args.append("wheel")

    had_setuptools = importlib.util.find_spec("setuptools") is not None
    run([sys.executable, "-m", "ensurepip", "--default-pip"])

    install = [sys.executable, "-m", "pip", "install", "--upgrade", "--force-reinstall"]
    cert = ca_bundle()
    if cert:
        install += ["--cert", cert]
    run(install + args)

    # ensurepip of Python < 3.12 also installs setuptools; get-pip.py --no-setuptools would not have.
    if no_setuptools and not had_setuptools and "setuptools" not in wanted:
        run([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])


if __name__ == "__main__":
    main(sys.argv[1:])
'''
)


def ansible_test_pip_version() -> str:
    """The pip version ansible-test bootstraps into its venvs (names the cached script)."""
    from ansible_test._internal.python_requirements import get_venv_packages

    class _Python:  # get_venv_packages only reads .version
        version = PYTHON_VERSION

    return get_venv_packages(_Python())["pip"]


def ensure_get_pip(pip_version: str) -> Path:
    """Write the stand-in get-pip script where ansible-test looks for a cached download."""
    path = CACHE_DIR / f"get_pip_{pip_version.replace('.', '_')}.py"
    if path.exists():
        current = path.read_text(errors="replace")
        if not current.startswith(STANDIN_MARKER) or current == GET_PIP_STANDIN:
            return path  # a real get-pip.py someone cached, or our current stand-in
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + f".{os.getpid()}.tmp")
    partial.write_text(GET_PIP_STANDIN)
    partial.replace(path)
    print(f"sanity: wrote offline get-pip stand-in {path}", flush=True)
    return path


def galaxy() -> dict:
    return yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())


def excluded(relative: str, patterns: list[str]) -> bool:
    """Like ``ansible-galaxy collection build``: build_ignore patterns match the path from the root."""
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch(relative, pattern) for pattern in patterns) or any(
        fnmatch(name, pattern) for pattern in NAMES_EXCLUDED
    )


def copy_collection(destination: Path, patterns: list[str]) -> None:
    """Copy the collection's files (not links to directories, not excluded paths) to destination."""
    for directory, subdirs, files in os.walk(REPO_ROOT):
        base = Path(directory).relative_to(REPO_ROOT)
        keep = []
        for subdir in sorted(subdirs):
            relative = (base / subdir).as_posix()
            if excluded(relative, patterns):
                continue
            if (Path(directory) / subdir).is_symlink():
                # Links to directories are not collection content (ansible-galaxy build refuses many).
                continue
            keep.append(subdir)
        subdirs[:] = keep
        (destination / base).mkdir(parents=True, exist_ok=True)
        for name in files:
            relative = (base / name).as_posix()
            if not excluded(relative, patterns):
                shutil.copy2(Path(directory) / name, destination / relative, follow_symlinks=False)


def find_collection(fqcn: str) -> Path | None:
    """Where ansible would load a dependency collection from (the venv bundles amazon.aws)."""
    namespace, name = fqcn.split(".", 1)
    search = [
        Path(p) / "ansible_collections" for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p
    ]
    search += [Path("~/.ansible/collections/ansible_collections").expanduser()]
    search += [Path("/usr/share/ansible/collections/ansible_collections")]
    spec = importlib.util.find_spec("ansible_collections")
    if spec and spec.submodule_search_locations:
        search += [Path(p) for p in spec.submodule_search_locations]
    for root in search:
        candidate = (root / namespace / name).resolve()
        if candidate != REPO_ROOT and (candidate / "plugins").is_dir():
            return candidate
    return None


def link_dependencies(collections_root: Path) -> None:
    for fqcn in galaxy().get("dependencies") or {}:
        source = find_collection(fqcn)
        if source is None:
            print(f"sanity: dependency {fqcn} not found; tests that load it will fail", file=sys.stderr)
            continue
        namespace, name = fqcn.split(".", 1)
        (collections_root / namespace).mkdir(parents=True, exist_ok=True)
        (collections_root / namespace / name).symlink_to(source, target_is_directory=True)


def ansible_test_command() -> list[str]:
    beside = Path(sys.executable).parent / "ansible-test"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ansible-test")
    if not found:
        sys.exit("sanity: ansible-test not found (install ansible-core in this venv)")
    return [found]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", action="append", default=[], help="run only this sanity test (repeatable)")
    parser.add_argument("--skip-test", action="append", default=[], help="skip this sanity test (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary collection tree and print it")
    parser.add_argument("extra", nargs="*", help="further ansible-test arguments, after --")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ensure_get_pip(ansible_test_pip_version())

    meta = galaxy()
    patterns = list(ROOT_EXCLUDED) + [str(p).rstrip("/") for p in meta.get("build_ignore") or []]
    workdir = Path(tempfile.mkdtemp(prefix="cloudops-sanity-"))
    try:
        collections_root = workdir / "ansible_collections"
        content = collections_root / meta["namespace"] / meta["name"]
        copy_collection(content, patterns)
        link_dependencies(collections_root)

        command = ansible_test_command() + ["sanity", "--python", PYTHON_VERSION, "--venv"]
        for test in args.test:
            command += ["--test", test]
        for test in args.skip_test:
            command += ["--skip-test", test]
        command += args.extra
        print(f"sanity: {' '.join(command)}  (in {content})", flush=True)
        env = {k: v for k, v in os.environ.items() if k not in ("ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH")}
        process = subprocess.Popen(command, cwd=content, env=env)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            return process.wait()
    finally:
        if args.keep:
            print(f"sanity: kept {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
