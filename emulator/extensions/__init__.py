"""Project extensions to moto: fixes for AWS APIs that moto lacks or gets wrong.

Contract:

* one file per gap in this package, named after the gap (e.g. ``nat_gateway_tag_filters.py``);
* each module exposes ``install()``, which patches moto in-process and is safe to call more than once;
  patch narrowly (wrap the one backend method or filter involved) so moto's other behaviour is unchanged;
* a test file per extension under ``tests/unit/emulator/`` (``test_<module>.py``) that exercises the fix
  through the running emulator and fails when the patch is missing.

``install_all()`` imports every module of the package and installs it; ``emulator.server.build_app()`` calls it
before moto serves its first request.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

_installed: set[str] = set()
_install_lock = threading.Lock()


def extension_names() -> list[str]:
    """Fully qualified names of all extension modules, in a stable order."""
    return sorted(
        f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__) if not module.name.startswith("_")
    )


def install_all() -> list[str]:
    """Install every extension once; return the names installed by this call (empty when already done)."""
    newly_installed = []
    with _install_lock:
        for name in extension_names():
            if name in _installed:
                continue
            module = importlib.import_module(name)
            install = getattr(module, "install", None)
            if not callable(install):
                raise TypeError(f"extension {name} must define install() (see emulator/extensions/__init__.py)")
            install()
            _installed.add(name)
            newly_installed.append(name)
    return newly_installed
