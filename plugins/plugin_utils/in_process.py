# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module inside the task's worker when that is the same as a run in a new process, and as Ansible always does
otherwise.

The collection's modules run on the controller (``connection: local``) with the controller's interpreter (every
inventory of the project sets ``ansible_python_interpreter`` to ``ansible_playbook_python``). For each task Ansible
still builds an AnsiballZ zip, scanning the imports of every module_utils file it carries, and starts a new Python
process, which compiles the zipped module_utils again (Python keeps no bytecode of a zip import) and imports boto3
and botocore again: about half a CPU-second per module run before its first AWS call. The worker Ansible forks for a
task is a new process too, used for that task and discarded, and it already holds ansible, boto3 and botocore (the
controller imports them before it forks: see the timeline callback), so running the module there keeps what a new
process gives (nothing shared with other tasks, except between the polls of one wait_until task) without paying
for it again.

The module runs as the AnsiballZ wrapper runs it (``run_module``, the same JSON arguments and serialization profile)
with the task's environment in ``os.environ``, its own temporary directory, and its standard output captured and
parsed by the same code that parses a module process's output. Everything else takes Ansible's own path: a
connection other than ``local``, an interpreter other than the controller's, become, async, module metadata turned
on, a module of another collection than this one, amazon.aws (whose modules wait_until reads with) and
community.crypto (the roles' keys and certificates), or one of ansible.builtin's other than its local file reads and
writes (``file``, ``slurp``, ``stat``). ``CLOUDOPS_MODULES_IN_PROCESS=0`` turns it off.

The controller imports the module_utils of this collection and amazon.aws's most used ones before it forks (``preload``),
so a worker runs a module without compiling or importing them again; a module's own file runs anew each time, as in
its own process, and nothing a run changes outlives its worker.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import json
import os
import shutil
import sys
import tempfile

import ansible.plugins.action
from ansible import constants as C
from ansible.module_utils import _internal
from ansible.module_utils._internal._ansiballz import _loader
from ansible.module_utils.common.json import Direction
from ansible.module_utils.common.json import get_module_encoder
from ansible.utils.display import Display
from ansible.vars.clean import remove_internal_keys

try:  # imported by the controller before it forks (see the timeline callback), so no worker imports them again
    import boto3  # pylint: disable=unused-import # noqa: F401
    import botocore.session  # pylint: disable=unused-import # noqa: F401
except ImportError:  # a module that needs them reports it the way it does in a process of its own
    pass

display = Display()

# The collections whose modules run in process: this one, amazon.aws (wait_until reads with its modules), and
# community.crypto (the VPN's and the load balancer's keys and certificates, local files only).
COLLECTIONS = ("cloudops.fargate", "amazon.aws", "community.crypto")
# ansible.builtin's modules that only read and write local files: as safe in the worker as in a process of their own.
BUILTIN_MODULES = frozenset(("file", "slurp", "stat"))
# amazon.aws's module_utils that nearly every run of its modules and ours imports.
AMAZON_AWS_MODULE_UTILS = (
    "botocore", "core", "ec2", "elb_utils", "elbv2", "iam", "modules", "retries", "s3", "tagging", "transformation",
)
SWITCH = "CLOUDOPS_MODULES_IN_PROCESS"
_PRELOADED: list[bool] = []
# Unless module metadata is turned on (a preview setting), Ansible encodes every module's arguments and results
# with this profile.
PROFILE = "legacy"
LOCAL_CONNECTIONS = frozenset(("local", "ansible.builtin.local", "ansible.legacy.local"))


@functools.cache
def builtin_normal_action() -> type:
    """ansible-core's own normal action class. Not imported by its module name: a playbook's action_plugins/normal.py
    (this repository has one) is loaded under that name and replaces it."""
    path = os.path.join(os.path.dirname(ansible.plugins.action.__file__), "normal.py")
    spec = importlib.util.spec_from_file_location("_cloudops_fargate_builtin_normal_action", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ActionModule


class InProcessModules:
    """Mixin for an action plugin: its _execute_module runs the module in the worker when it can."""

    def _in_process_name(self, module_name: str, wrap_async: bool, task_vars: dict) -> str | None:
        """The module's import name when it can run in this worker, None when it must run as Ansible runs it."""
        if os.environ.get(SWITCH, "1") == "0" or wrap_async or self._task.async_val or self._task.become:
            return None
        if C.config.get_config_value("_MODULE_METADATA"):
            return None
        if self._connection.transport not in LOCAL_CONNECTIONS:
            return None
        interpreter = self._templar.template(task_vars.get("ansible_python_interpreter") or "")
        if not isinstance(interpreter, str) or not interpreter:
            return None
        if os.path.realpath(interpreter) != os.path.realpath(sys.executable):
            return None
        context = self._shared_loader_obj.module_loader.find_plugin_with_context(
            module_name, collection_list=self._task.collections
        )
        if not context.resolved:
            return None
        collection, name = context.resolved_fqcn.rsplit(".", 1)
        if collection == "ansible.builtin" and name in BUILTIN_MODULES:
            return f"ansible.modules.{name}"
        if collection not in COLLECTIONS:
            return None
        return f"ansible_collections.{collection}.plugins.modules.{name}"

    def _execute_module(self, module_name=None, module_args=None, tmp=None, task_vars=None, persist_files=False,
                        delete_remote_tmp=None, wrap_async=False, ignore_unknown_opts: bool = False):
        task_vars = task_vars if task_vars is not None else {}
        module_name = module_name or self._task.action
        import_name = self._in_process_name(module_name, wrap_async, task_vars)
        if import_name is None:
            return super()._execute_module(module_name=module_name, module_args=module_args, task_vars=task_vars,
                                           wrap_async=wrap_async, ignore_unknown_opts=ignore_unknown_opts)
        module_args = self._task.args if module_args is None else module_args
        self._update_module_args(module_name, module_args, task_vars, ignore_unknown_opts=ignore_unknown_opts)
        environment: dict = {}
        self._compute_environment_string(environment)
        display.vvv(f"Running {module_name} in the task's worker", host=self._play_context.remote_addr)
        # The module's own temporary directory, removed once it returns, as AnsiballZ's would be.
        module_args["_ansible_tmpdir"] = tempfile.mkdtemp(prefix="ansible-moduletmp-")
        try:
            output = run_in_process(import_name, module_args, environment)
        finally:
            if not C.DEFAULT_KEEP_REMOTE_FILES:
                shutil.rmtree(module_args["_ansible_tmpdir"], ignore_errors=True)
        result = self._parse_returned_data(output, PROFILE)
        result.pop("_ansible_suppress_tmpdir_delete", None)
        remove_internal_keys(result)
        return result


def run_in_process(import_name: str, module_args: dict, environment: dict) -> dict:
    """Run a module as the AnsiballZ wrapper runs it; its exit status and standard output, as a process's would be."""
    encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
    params = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode()
    output = io.StringIO()
    rc = 0
    os.environ.update({key: str(value) for key, value in environment.items()})
    # A module's warnings and deprecations go into its result, as in its own process, not to the controller's display.
    _internal.is_controller = False
    try:
        with contextlib.redirect_stdout(output):
            _loader.run_module(json_params=params, profile=PROFILE, module_fqn=import_name, modlib_path="",
                               extensions={})
    except SystemExit as exit_:
        rc = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        _internal.is_controller = True
    return {"rc": rc, "stdout": output.getvalue(), "stderr": ""}


def preload() -> None:
    """Import, in the controller, the module_utils a module run needs: every one of this collection and amazon.aws's
    most used. The workers Ansible forks inherit them. Anything that cannot be imported is left to the run that needs
    it, to fail there as in a process of its own. Once per process."""
    if _PRELOADED:
        return
    _PRELOADED.append(True)
    package = "ansible_collections.cloudops.fargate.plugins.module_utils"
    names = [f"ansible_collections.amazon.aws.plugins.module_utils.{name}" for name in AMAZON_AWS_MODULE_UTILS]
    try:
        spec = importlib.util.find_spec(package)
    except ImportError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        names.extend(f"{package}.{entry[:-3]}" for entry in sorted(os.listdir(location)) if entry.endswith(".py"))
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # pylint: disable=broad-exception-caught  # the run that needs it reports it
            continue
