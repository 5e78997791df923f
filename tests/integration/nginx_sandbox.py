"""Real nginx on a release's files exactly as a task mounts them, at their container paths.

The configuration a task mounts at /etc/nginx/conf.d listens on the container's port on every address and serves
/usr/share/nginx/html, and proxies to the app on the task's loopback. Rewriting it to fit this machine would test a
rewrite, so nginx runs in its own network and mount namespaces (``unshare``, in a user namespace unless run as
root): the port is free there, each tree is bind-mounted read-only at the path the task definition mounts it, and a
stand-in app listens where the app container would. The fetches run inside the same namespaces; the results come back as JSON on stdout.

``serve()`` is the caller's side; running this file is the side inside the namespaces.
"""

from __future__ import annotations

import fcntl
import http.client
import http.server
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

# The directives of the main configuration that the nginx image ships; conf.d holds the stack's server.
_MAIN_CONF = """
user root root;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {run}/client_temp;
    proxy_temp_path {run}/proxy_temp;
    fastcgi_temp_path {run}/fastcgi_temp;
    uwsgi_temp_path {run}/uwsgi_temp;
    scgi_temp_path {run}/scgi_temp;
    include /etc/nginx/conf.d/*.conf;
}}
"""


def serve(mounts: dict[str, Path], port: int, app_port: int, paths: list[str], run_dir: Path) -> dict:
    """GET each of ``paths`` from nginx on ``port``, with each local tree of ``mounts`` at its container path and a
    stand-in app on ``app_port``: ``{"syntax": nginx -t's output, "responses": {path: {status, headers, body}}}``."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    request = {"mounts": {path: str(tree) for path, tree in mounts.items()}, "port": port, "app_port": app_port,
               "paths": paths, "run_dir": str(run_dir), "nginx": nginx}
    # root needs no user namespace for its own network and mount namespaces; anyone else is root in one.
    user_namespace = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    completed = subprocess.run(
        ["unshare", *user_namespace, "--net", "--mount", sys.executable, __file__],
        input=json.dumps(request), capture_output=True, text=True, timeout=60, check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"nginx in its namespaces failed ({completed.returncode}):\n{completed.stderr}")
    return json.loads(completed.stdout)


def _loopback_up() -> None:
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = struct.unpack("16sh", fcntl.ioctl(sock, siocgifflags, struct.pack("16sh", b"lo", 0)))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))


class StandInApp(http.server.BaseHTTPRequestHandler):
    """The app behind nginx: answers every GET with its path as JSON."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = json.dumps({"app": "stand-in", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _fetch(port: int, path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return {"status": response.status, "headers": dict(response.getheaders()), "body": body.decode(errors="replace")}


def _inside(request: dict) -> dict:
    _loopback_up()
    for container_path, tree in request["mounts"].items():
        if not Path(container_path).is_dir():
            raise SystemExit(f"{container_path} does not exist on this machine to mount {tree} over (Debian's nginx makes it)")
        subprocess.run(["mount", "--bind", tree, container_path], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", container_path], check=True)
    run = Path(request["run_dir"])
    run.mkdir(parents=True, exist_ok=True)
    main_conf = run / "nginx.conf"
    main_conf.write_text(_MAIN_CONF.format(run=run))
    app = http.server.ThreadingHTTPServer(("127.0.0.1", request["app_port"]), StandInApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    syntax = subprocess.run([request["nginx"], "-t", "-c", str(main_conf)], capture_output=True, text=True, check=False)
    if syntax.returncode != 0:
        return {"syntax": syntax.stderr, "responses": {}}
    process = subprocess.Popen([request["nginx"], "-c", str(main_conf), "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", request["port"]), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"nginx never listened on {request['port']}: {(run / 'error.log').read_text()}")
                time.sleep(0.1)
        return {"syntax": syntax.stderr, "responses": {path: _fetch(request["port"], path) for path in request["paths"]}}
    finally:
        process.terminate()
        process.wait(timeout=10)
        app.shutdown()


if __name__ == "__main__":
    print(json.dumps(_inside(json.load(sys.stdin))))
