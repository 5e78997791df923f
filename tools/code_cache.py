"""Test harness only: what every module run parses again, cached on disk across processes.

An Ansible module runs in a new Python process that imports its module_utils from the AnsiballZ zip, and Python
never caches the bytecode of a zip import: every module run compiles ansible.module_utils and the collections'
module_utils again (a quarter of its CPU). Its botocore client parses the service's JSON model again too (ec2's is
megabytes). The suites run thousands of modules on the same sources, so in a process whose environment names a
directory in ``CLOUDOPS_TEST_CODE_CACHE`` (the integration and molecule harnesses set it; user runs and the README's
runs never do) both are kept there:

* a zip-imported source's code object, by the source's SHA-256, with the file name of the import that uses it;
* a botocore JSON file's data (pickled, with its OrderedDicts), by its path, size and modification time.

Nothing else changes: the same sources compile to the same code, the same files load to the same data. ``make venv``
installs this file and a ``.pth`` line that imports it when the variable is set, so the cost without it is one
environment lookup per interpreter start.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import marshal
import os
import pickle
import sys
import types
import zipimport

ENVIRONMENT_VARIABLE = "CLOUDOPS_TEST_CODE_CACHE"


def _store(path: str, data: bytes) -> None:
    """Write atomically: processes of parallel workers read and write the same directory."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}.partial"
        with open(partial, "wb") as stream:
            stream.write(data)
        os.replace(partial, path)
    except OSError:
        pass


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _with_file_name(code: types.CodeType, file_name: str) -> types.CodeType:
    """The cached code as compiled from ``file_name``, so tracebacks name this run's zip."""
    constants = tuple(_with_file_name(c, file_name) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=file_name, co_consts=constants)


def _caching_compile_source(directory: str, compile_uncached):
    def compile_source(pathname: str, source: bytes) -> types.CodeType:
        digest = hashlib.sha256(source).hexdigest()
        path = os.path.join(directory, "zip", digest[:2], digest)
        try:
            return _with_file_name(marshal.loads(_read(path)), pathname)
        except (OSError, EOFError, ValueError, TypeError):
            code = compile_uncached(pathname, source)
            _store(path, marshal.dumps(code))
            return code

    return compile_source


def _caching_load_file(directory: str, load_uncached):
    def load_file(self, file_path: str):
        # botocore asks for "<path without extension>" and tries .json, then .json.gz.
        for candidate in (f"{file_path}.json", f"{file_path}.json.gz"):
            try:
                status = os.stat(candidate)
            except OSError:
                continue
            key = hashlib.sha256(f"{candidate}:{status.st_size}:{status.st_mtime_ns}".encode()).hexdigest()
            path = os.path.join(directory, "botocore", key[:2], key)
            try:
                return pickle.loads(_read(path))  # pickle keeps botocore's OrderedDicts, which marshal cannot
            except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
                data = load_uncached(self, file_path)
                if data is not None:
                    _store(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
                return data
        return load_uncached(self, file_path)

    return load_file


class _PatchBotocoreLoaders(importlib.abc.MetaPathFinder):
    """Wraps botocore.loaders.JSONFileLoader.load_file once botocore imports it, without importing botocore here."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.loaders":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module, directory = spec.loader.exec_module, self.directory

        def exec_and_patch(module):
            exec_module(module)
            loader = module.JSONFileLoader
            loader.load_file = _caching_load_file(directory, loader.load_file)

        spec.loader.exec_module = exec_and_patch
        return spec


def install(directory: str) -> None:
    zipimport._compile_source = _caching_compile_source(directory, zipimport._compile_source)
    if "botocore.loaders" not in sys.modules:
        sys.meta_path.insert(0, _PatchBotocoreLoaders(directory))


if os.environ.get(ENVIRONMENT_VARIABLE):
    install(os.environ[ENVIRONMENT_VARIABLE])
