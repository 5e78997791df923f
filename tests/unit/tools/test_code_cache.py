"""tools/code_cache.py: a cached zip import compiles to the same code under the importing zip's name, and a cached
botocore model is the same data; a process without CLOUDOPS_TEST_CODE_CACHE is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tools import code_cache

REPO_ROOT = Path(__file__).resolve().parents[3]

# Run in a fresh interpreter: the cache patches zipimport and botocore process-wide.
_IMPORT_FROM_ZIPS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tools import code_cache
code_cache.install(sys.argv[2])
results = {}
for archive in sys.argv[3:]:
    sys.path.insert(0, archive)
    import payload
    try:
        payload.fail()
    except RuntimeError as e:
        results[archive] = {"answer": payload.ANSWER, "file": payload.__file__, "traceback_file": e.__traceback__.tb_next.tb_frame.f_code.co_filename}
    del sys.modules["payload"]
    sys.path.remove(archive)
import botocore.session
model = botocore.session.get_session().get_service_model("sts")
results["sts_operations"] = sorted(model.operation_names)
print(json.dumps(results))
"""

SOURCE = "ANSWER = 42\n\ndef fail():\n    raise RuntimeError('where')\n"


def _zip(path: Path) -> str:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("payload.py", SOURCE)
    return str(path)


def _run(tmp_path: Path, cache: Path, archives: list[str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", _IMPORT_FROM_ZIPS, str(REPO_ROOT), str(cache), *archives],
        capture_output=True, text=True, check=True, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != code_cache.ENVIRONMENT_VARIABLE},
    )
    return json.loads(completed.stdout)


def test_the_second_import_of_a_source_uses_the_cache_under_its_own_zips_name(tmp_path):
    cache = tmp_path / "cache"
    first, second = _zip(tmp_path / "first.zip"), _zip(tmp_path / "second.zip")

    cold = _run(tmp_path, cache, [first])
    cached_files = sorted(p.name for p in (cache / "zip").rglob("*") if p.is_file())
    warm = _run(tmp_path, cache, [second])

    assert len(cached_files) == 1, "one source, one cached code object"
    assert cold[first]["answer"] == warm[second]["answer"] == 42
    assert warm[second]["traceback_file"] == f"{second}/payload.py", "tracebacks name the zip that imported it"
    assert cold["sts_operations"] == warm["sts_operations"] and "GetCallerIdentity" in warm["sts_operations"]
    assert list((cache / "botocore").rglob("*")), "the botocore model was cached"


def test_the_cache_is_what_a_warm_import_runs(tmp_path):
    """Proof that the warm import reads the cache: an entry swapped for other code is what runs."""
    import marshal

    cache = tmp_path / "cache"
    first = _zip(tmp_path / "first.zip")
    _run(tmp_path, cache, [first])
    (entry,) = [p for p in (cache / "zip").rglob("*") if p.is_file()]
    entry.write_bytes(marshal.dumps(compile(SOURCE.replace("42", "7"), "other.py", "exec")))
    assert _run(tmp_path, cache, [first])[first]["answer"] == 7


def test_a_corrupt_entry_is_compiled_again(tmp_path):
    cache = tmp_path / "cache"
    first = _zip(tmp_path / "first.zip")
    _run(tmp_path, cache, [first])
    for entry in (cache / "zip").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"not marshal data")
    assert _run(tmp_path, cache, [first])[first]["answer"] == 42


def test_the_pth_line_imports_nothing_without_the_variable(tmp_path):
    line = "import os; os.environ.get('CLOUDOPS_TEST_CODE_CACHE') and __import__('cloudops_test_code_cache')"
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert line in makefile.replace('\\"', '"')
    env = {k: v for k, v in os.environ.items() if k != code_cache.ENVIRONMENT_VARIABLE}
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; print('cloudops_test_code_cache' in sys.modules)"],
        capture_output=True, text=True, check=True, env=env,
    )
    assert loaded.stdout.strip() == "False"
