"""Start, stop and serve the local AWS emulator (moto server + emulator.extensions) on 127.0.0.1.

CLI: ``python -m emulator {run,start,stop,status} [--port P] [--state-dir DIR]``; the same operations are
available as ``start()``, ``stop()``, ``is_up()`` and ``free_port()`` for test fixtures.

IAM enforcement (tests/integration/test_whole_stack.py): moto checks every call's signature and action against
the caller's IAM policies once ``INITIAL_NO_AUTH_ACTION_COUNT`` calls have been served (moto's setting, unlimited by
default; ``POST /moto-api/reset-auth`` with a number in the body sets it and restarts the count). It evaluates actions
(wildcards, Deny), ignores conditions it has no request values for, and resolves the resource of IAM role calls and
sts:AssumeRole only: every other call's resource is ``*``, which a scoped ``Resource`` never matches. A server started
with ``EMULATOR_IAM_CHECK_ACTIONS=1`` lets a statement's ``Resource`` match such an unresolved ``*``, so a
least-privilege policy is judged on its actions, and on its role ARNs for IAM; it also checks the signature of a GET,
HEAD or DELETE without a body over an empty payload, where moto hashes the query parameters as if they were a form
body (every signed GET with a query string, EFS's, would fail SignatureDoesNotMatch). See ``_check_iam_actions``.
The ``/_emulator/`` and ``/moto-api/`` endpoints are never checked.

TLS and the load balancers' data plane (``_request_handler``): the handler thread peeks at the first byte of each
connection; a TLS handshake record is served with ``DATA_PLANE.server_context()`` (its SNI callback picks the
certificate) and every request on it goes to ``DATA_PLANE.answer()``, as does a plain-HTTP request whose ``Host``
names a load balancer (``DATA_PLANE.serves()``). Everything else is the plain HTTP it always was. ``DATA_PLANE`` is
None until ``emulator/extensions/elbv2_data_plane.py`` installs itself; its requests are no AWS API calls, so they
bypass ``RequestCounter`` (not counted, held or throttled).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import parse_qs, urlsplit

from emulator import public_registry, realism
from emulator.throttling import Throttler

HOST = "127.0.0.1"
DEFAULT_PORT = 4566
DEFAULT_START_TIMEOUT = 30.0
STOP_GRACE_SECONDS = 10.0
HEALTH_PATH = "/_emulator/health"
REQUESTS_PATH = "/_emulator/requests"
REALISM_PATH = "/_emulator/realism"
TIMERS_PATH = "/_emulator/timers"
API_CALL = "api.call"  # realism.TYPICAL: the round trip every counted call takes in realistic mode
# Control endpoints (ours and moto's) are not AWS API calls and must not skew the request counts.
UNCOUNTED_PATH_PREFIXES = ("/_emulator/", "/moto-api/")
# Names that reach the 127.0.0.1 listener; anything else would mean serving or calling another machine.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost"})
PACKAGE_PARENT = Path(__file__).resolve().parent.parent

# Popen handles of servers started by this process, so stop() can reap them instead of leaving zombies.
_spawned: dict[int, subprocess.Popen[bytes]] = {}

# TLS on the API port: a connection whose first byte is a TLS handshake record is the data plane's. The peek returns as
# soon as the client's first byte is there; the timeout only bounds how long a silent client is awaited before it is
# served as plain HTTP, as before.
TLS_HANDSHAKE_RECORD = 0x16
TLS_PEEK_SECONDS = 5.0
TLS_HANDSHAKE_SECONDS = 10.0
SNI_ATTRIBUTE = "emulator_server_name"  # where DATA_PLANE's SNI callback leaves the name on the TLS socket


class EmulatorError(RuntimeError):
    """A start/stop/configuration problem worth showing to the user as is."""


# --------------------------------------------------------------------------- request counter middleware


class RequestCounter:
    """WSGI middleware counting AWS API calls by ``service:Action``, holding each for AWS's round trip and throttling a
    share of them (realistic mode: ``realism.seconds("api.call")``, emulator/throttling.py), and serving the
    ``/_emulator/*`` endpoints: ``health``, ``requests`` (the counts), ``realism`` (the settings) and ``timers`` (the
    slow behaviours the extensions modelled, ``realism.recorded()``)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self.throttler = Throttler()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"total": sum(self._counts.values()), "by_action": dict(sorted(self._counts.items()))}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self.throttler.throttled = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method == "GET":
            return _json_response(start_response, "200 OK", {"status": "up"})
        if path == REQUESTS_PATH and method == "GET":
            return _json_response(start_response, "200 OK", self.snapshot())
        if path == REQUESTS_PATH and method == "DELETE":
            self.reset()
            return _json_response(start_response, "200 OK", self.snapshot())
        if path == REALISM_PATH and method in ("GET", "PUT"):
            return self._realism(environ, method, start_response)
        if path == TIMERS_PATH and method == "GET":
            return _json_response(start_response, "200 OK", realism.recorded())
        if path == TIMERS_PATH and method == "DELETE":
            return _json_response(start_response, "200 OK", realism.clear_recorded())
        if path.startswith("/_emulator/"):
            return _json_response(start_response, "404 Not Found", {"error": f"no emulator endpoint {method} {path}"})
        if path.startswith("/v2/") and public_registry.handles(path):
            return public_registry.app(environ, start_response)  # the demo images' registry, no AWS API call
        if not path.startswith(UNCOUNTED_PATH_PREFIXES):
            service = request_service(environ)
            key = f"{service}:{request_action(environ)}"
            with self._lock:
                self._counts[key] += 1
            latency = realism.seconds(API_CALL)  # 0 in plain mode (unless a test stretches it, behaviour_seconds)
            if latency > 0:
                time.sleep(latency)  # a throttled call makes the round trip too
            throttled = self.throttler.answer(service, start_response, request_protocol(environ))
            if throttled is not None:
                return throttled
        return self.app(environ, start_response)

    def _realism(self, environ: dict[str, Any], method: str, start_response: Callable[..., Any]) -> list[bytes]:
        """The realism settings in force and how many calls were throttled since the counts were last reset."""
        try:
            if method == "PUT":
                changes = json.loads(_peek_body(environ) or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("the body must be a JSON object")
                realism.configure(changes)
            answer = {**realism.settings().as_dict(), "throttled_calls": self.throttler.throttled}
            return _json_response(start_response, "200 OK", answer)
        except ValueError as error:
            return _json_response(start_response, "400 Bad Request", {"error": str(error)})


def _json_response(start_response: Callable[..., Any], status: str, payload: Any) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def request_service(environ: Mapping[str, Any]) -> str:
    """Signing service from the SigV4 credential scope (``.../<region>/<service>/aws4_request``)."""
    credential = ""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in authorization:
        credential = authorization.split("Credential=", 1)[1].split(",", 1)[0]
    else:  # presigned URLs carry the scope in the query string
        credential = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential", [""])[0]
    scope = credential.strip().split("/")
    if len(scope) >= 5 and scope[-1] == "aws4_request":
        return scope[-2]
    return "unknown"


def request_protocol(environ: dict[str, Any]) -> str:
    """``cbor`` or ``json`` for a call in Smithy RPCv2-CBOR or AWS JSON (a query service called that way, as botocore
    calls CloudWatch), else ``""``."""
    content_type = environ.get("CONTENT_TYPE", "")
    if environ.get("HTTP_SMITHY_PROTOCOL", "") == "rpc-v2-cbor" or content_type.startswith("application/cbor"):
        return "cbor"
    if content_type.startswith("application/x-amz-json"):
        return "json"
    return ""


def request_action(environ: dict[str, Any]) -> str:
    """Operation name for query, JSON and RPCv2-CBOR protocols; ``METHOD path`` for REST protocols."""
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action", [""])[0]
    if not action and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        action = parse_qs(_peek_body(environ).decode("utf-8", "replace")).get("Action", [""])[0]
    if action:
        return action
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    path = environ.get("PATH_INFO", "") or "/"
    # Smithy RPCv2-CBOR (CloudWatch, Cloud Map): POST /service/<ServiceName>/operation/<OperationName>
    segments = path.strip("/").split("/")
    if len(segments) == 4 and segments[0] == "service" and segments[2] == "operation":
        return segments[3]
    return f"{environ.get('REQUEST_METHOD', 'GET')} {path}"


def _peek_body(environ: dict[str, Any]) -> bytes:
    # Reading wsgi.input consumes the socket stream, so hand moto an in-memory copy of what we read.
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    if length <= 0:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


# --------------------------------------------------------------------------- TLS and the load balancers' data plane


class DataPlaneAnswer(NamedTuple):
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class DataPlane(Protocol):
    """What answers a load balancer's traffic (emulator/extensions/elbv2_data_plane.py)."""

    def server_context(self) -> ssl.SSLContext:
        """The server-side TLS context; its SNI callback sets ``SNI_ATTRIBUTE`` on the socket and picks the
        certificate, or shuts the socket down to refuse the connection."""

    def serves(self, host: str) -> bool:
        """Whether a plain-HTTP request with this ``Host`` header is the data plane's."""

    def answer(
        self, method: str, target: str, headers: list[tuple[str, str]], client_ip: str, tls: bool, sni: str | None
    ) -> DataPlaneAnswer | None:
        """The response to one request, or None to close the connection without answering."""


DATA_PLANE: DataPlane | None = None  # set by the elbv2_data_plane extension's install()


def starts_tls(connection: socket.socket, timeout: float = TLS_PEEK_SECONDS) -> bool:
    """Whether the client's first byte (peeked, left in the stream) opens a TLS handshake record."""
    previous = connection.gettimeout()
    connection.settimeout(timeout)
    try:
        first = connection.recv(1, socket.MSG_PEEK)
    except OSError:  # a silent client (timeout) or a reset: plain HTTP, as ever
        return False
    finally:
        connection.settimeout(previous)
    return first[:1] == bytes([TLS_HANDSHAKE_RECORD])


def _request_handler() -> type:
    """moto's request handler, serving TLS and the data plane as the module docstring says."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class EmulatorRequestHandler(MotoRequestHandler):  # type: ignore[misc,valid-type]
        tls = False
        sni: str | None = None
        refused = False

        def setup(self) -> None:
            plane = DATA_PLANE
            if plane is not None and starts_tls(self.request):
                self.tls = True
                raw = self.request
                previous = raw.gettimeout()
                # TLS writes each record on its own (the handshake's flight, session tickets): without this each
                # would wait for the client's delayed ACK.
                raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                connection = plane.server_context().wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
                try:
                    connection.settimeout(TLS_HANDSHAKE_SECONDS)
                    connection.do_handshake()
                    connection.settimeout(previous)
                except OSError as error:  # ssl.SSLError included: refused by the SNI callback, or the client gave up
                    connection.close()
                    self.refused = True
                    self.rfile, self.wfile = io.BytesIO(), io.BytesIO()  # for finish()
                    self.log_message("TLS connection closed during the handshake: %s", error)
                    return
                self.request = connection
                self.sni = getattr(connection, SNI_ATTRIBUTE, None)
            super().setup()

        def handle(self) -> None:
            if self.refused:
                return
            try:
                super().handle()
            except OSError as error:  # werkzeug re-raises TLS errors unless it terminates TLS itself
                if not self.tls:
                    raise
                self.log_message("TLS connection dropped: %s", error)

        def finish(self) -> None:
            super().finish()
            if self.tls and not self.refused:  # socketserver closes the raw socket, which the TLS socket took over
                try:
                    self.request.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                self.request.close()

        def run_wsgi(self) -> None:
            plane = DATA_PLANE
            if plane is None or not (self.tls or plane.serves(self.headers.get("Host", ""))):
                super().run_wsgi()
                return
            self._read_body()
            answer = plane.answer(
                self.command, self.path, list(self.headers.items()), self.client_address[0], self.tls, self.sni
            )
            if answer is None:
                self.close_connection = True
                self.log_message('"%s" closed without an answer (load balancer data plane)', self.requestline)
                return
            head = [f"{self.protocol_version} {answer.status} {answer.reason}"]
            head += [f"{name}: {value}" for name, value in answer.headers]
            body = b"" if self.command == "HEAD" else answer.body
            # One write: status line, headers and body in separate segments would wait for the client's delayed ACK.
            self.wfile.write("\r\n".join([*head, "", ""]).encode("latin-1") + body)
            self.log_request(answer.status, len(answer.body))

        def _read_body(self) -> None:
            """Consume the request body (no target reads it) so the next request on the connection parses."""
            if self.headers.get("Expect", "").lower().strip() == "100-continue":
                self.wfile.write(f"{self.protocol_version} 100 Continue\r\n\r\n".encode("latin-1"))
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                self.close_connection = True  # not worth decoding: this answer is the connection's last
                return
            try:
                remaining = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                remaining, self.close_connection = 0, True
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 64 * 1024))
                if not chunk:
                    break
                remaining -= len(chunk)

    return EmulatorRequestHandler


# --------------------------------------------------------------------------- app and configuration


def build_app() -> RequestCounter:
    """moto's server WSGI app with every extension installed, wrapped in the request counter."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from emulator.extensions import install_all

    install_all()  # in the order emulator/extensions/__init__.py states (WRAP_ORDER: which wraps which)
    return RequestCounter(DomainDispatcherApplication(create_backend_app))


def check_host(host: str) -> str:
    if host not in LOOPBACK_NAMES:
        raise EmulatorError(
            f"refusing host {host!r}: the emulator only listens on {HOST} (it has no auth, so it must stay local)"
        )
    return HOST


def resolve_port(port: int | None = None, environ: Mapping[str, str] | None = None) -> int:
    """``port`` if given, else the port of ``AWS_ENDPOINT_URL`` (which must point at loopback), else 4566."""
    if port is not None:
        return port
    environ = os.environ if environ is None else environ
    endpoint_url = environ.get("AWS_ENDPOINT_URL", "").strip()
    if not endpoint_url:
        return DEFAULT_PORT
    parts = urlsplit(endpoint_url)
    try:
        endpoint_port = parts.port
    except ValueError as error:
        raise EmulatorError(f"AWS_ENDPOINT_URL={endpoint_url!r} has an invalid port: {error}") from None
    check_host(parts.hostname or "")
    if endpoint_port is None:
        return 443 if parts.scheme == "https" else 80
    return endpoint_port


def default_state_dir() -> Path:
    return Path(os.environ.get("EMULATOR_STATE_DIR") or Path.cwd() / ".emulator")


def pid_file(port: int, state_dir: Path | str) -> Path:
    return Path(state_dir) / f"emulator-{port}.pid"


def log_file(port: int, state_dir: Path | str) -> Path:
    return Path(state_dir) / f"emulator-{port}.log"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def endpoint_url(port: int) -> str:
    return f"http://{HOST}:{port}"


def is_up(port: int, timeout: float = 1.0) -> bool:
    # Bypass HTTP(S)_PROXY: the emulator is local and a corporate proxy would answer for it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(endpoint_url(port) + HEALTH_PATH, timeout=timeout) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError, http.client.HTTPException):
        return False


# --------------------------------------------------------------------------- process management


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _is_running(pid: int) -> bool:
    child = _spawned.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


def _spawn(port: int, state_dir: Path) -> int:
    env = dict(os.environ)
    # `python -m emulator` must resolve to this checkout whatever the caller's cwd is.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    with open(log_file(port, state_dir), "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "emulator", "run", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # own process group: stop() can kill it with its children, Ctrl-C won't
        )
    _spawned[child.pid] = child
    pid_file(port, state_dir).write_text(f"{child.pid}\n")
    return child.pid


def start(
    port: int | None = None,
    state_dir: Path | str | None = None,
    timeout: float = DEFAULT_START_TIMEOUT,
    report: Callable[[str], None] | None = None,
) -> int | None:
    """Start the emulator in the background unless it already answers; return the pid from the pid file.

    Returns None when an emulator we did not start (no pid file) already answers on the port.
    """
    port = resolve_port(port)
    state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
    report = report or (lambda _message: None)
    pid_path = pid_file(port, state_dir)
    if is_up(port):
        report(f"emulator already up on {endpoint_url(port)}")
        return _read_pid(pid_path)

    state_dir.mkdir(parents=True, exist_ok=True)
    pid = _read_pid(pid_path)
    if pid is not None and _is_own_process_group(pid):
        spawned_now = False
        report(f"emulator pid {pid} is already starting on {endpoint_url(port)}")
    else:
        spawned_now = True
        pid = _spawn(port, state_dir)
        report(f"started emulator pid {pid} on {endpoint_url(port)}, log {log_file(port, state_dir)}")

    deadline = time.monotonic() + timeout
    next_report = 0.0
    while not is_up(port, timeout=0.5):
        now = time.monotonic()
        problem = None
        if not _is_running(pid):
            problem = f"emulator pid {pid} exited during start-up"
        elif now >= deadline:
            problem = f"emulator pid {pid} did not answer {endpoint_url(port)}{HEALTH_PATH} within {timeout:g}s"
        if problem:
            if spawned_now:  # a half-started server of ours would hold the port and outlive the caller
                _terminate(pid)
                pid_path.unlink(missing_ok=True)
            raise EmulatorError(f"{problem}; log tail:\n{_log_tail(log_file(port, state_dir))}")
        if now >= next_report:
            report(f"waiting for emulator on {endpoint_url(port)} ...")
            next_report = now + 2.0
        time.sleep(0.1)
    report(f"emulator up on {endpoint_url(port)}")
    return pid


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _is_running(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _is_own_process_group(pid: int) -> bool:
    # start_new_session makes the server a group leader; a reused pid from a stale pid file usually is not.
    try:
        return _is_running(pid) and os.getpgid(pid) == pid
    except ProcessLookupError:
        return False


def _terminate(pid: int, report: Callable[[str], None] | None = None) -> bool:
    """SIGTERM the server's process group, SIGKILL it after the grace period; True once it is gone."""
    try:
        os.killpg(pid, signal.SIGTERM)
        if not _wait_gone(pid, STOP_GRACE_SECONDS):
            if report:
                report(f"emulator pid {pid} ignored SIGTERM for {STOP_GRACE_SECONDS:g}s; sending SIGKILL")
            os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # already gone
    gone = _wait_gone(pid, STOP_GRACE_SECONDS)
    child = _spawned.pop(pid, None)
    if gone and child is not None:
        child.wait()
    return gone


def stop(
    port: int | None = None,
    state_dir: Path | str | None = None,
    report: Callable[[str], None] | None = None,
) -> bool:
    """Stop the emulator recorded in the pid file; return False when nothing was running."""
    port = resolve_port(port)
    state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
    report = report or (lambda _message: None)
    pid_path = pid_file(port, state_dir)
    pid = _read_pid(pid_path)
    if pid is None:
        if is_up(port):
            raise EmulatorError(
                f"{endpoint_url(port)} answers but {pid_path} is missing; not stopping a server we did not start"
            )
        report(f"no emulator running on port {port}")
        return False
    if not _is_running(pid):
        pid_path.unlink(missing_ok=True)
        report(f"no emulator running on port {port} (removed stale {pid_path})")
        return False
    if not _is_own_process_group(pid):
        raise EmulatorError(f"pid {pid} from {pid_path} is not an emulator process group; remove the file by hand")
    if not _terminate(pid, report):
        raise EmulatorError(f"emulator pid {pid} survived SIGKILL")
    pid_path.unlink(missing_ok=True)
    report(f"stopped emulator pid {pid} on port {port}")
    return True


def run(port: int) -> None:
    """Serve in the foreground (what the background process started by start() executes)."""
    from werkzeug.serving import run_simple

    # Defaults only: the caller's environment wins. moto reads these lazily, so setting them here is early enough.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds resource URLs (SQS queues, ...) from it
    if os.environ.get("EMULATOR_IAM_CHECK_ACTIONS") == "1":
        _check_iam_actions()
    print(f"starting emulator on {endpoint_url(port)} (pid {os.getpid()})", flush=True)
    app = build_app()  # installs the extensions, the data plane among them, before the first connection
    run_simple(HOST, port, app, threaded=True, request_handler=_request_handler())


# Services whose signing name (what moto names an action by) is not their IAM prefix (the Service Authorization
# Reference's "service prefix"): CloudWatch signs as monitoring, its actions are cloudwatch:*.
IAM_PREFIXES = {"monitoring": "cloudwatch"}


def _check_iam_actions() -> None:
    """Make a policy statement's ``Resource`` match the ``*`` moto passes for a call whose resource it does not resolve
    (all but IAM role calls and sts:AssumeRole), name each action by its IAM prefix (``IAM_PREFIXES``), and check a
    bodiless GET's signature over an empty payload."""
    from moto.iam.access_control import IAMPolicyStatement, IAMRequestBase

    matches = IAMPolicyStatement._check_element_matches
    create_aws_request = IAMRequestBase._create_aws_request
    request_init = IAMRequestBase.__init__

    def init_with_iam_prefix(self: IAMRequestBase, *args: Any, **kwargs: Any) -> None:
        request_init(self, *args, **kwargs)
        service, _, action = self._action.partition(":")
        if service in IAM_PREFIXES:
            self._action = f"{IAM_PREFIXES[service]}:{action}"

    def check_element_matches(self: IAMPolicyStatement, statement_element: Any, value: str) -> bool:
        return (statement_element == "Resource" and value == "*") or matches(self, statement_element, value)

    def aws_request_as_signed(self: IAMRequestBase) -> Any:
        request = create_aws_request(self)
        if self._method in ("GET", "HEAD", "DELETE") and not self._body:  # a form POST's body is in _data, parsed
            request.data = b""
        return request

    IAMRequestBase.__init__ = init_with_iam_prefix  # type: ignore[method-assign]
    IAMPolicyStatement._check_element_matches = check_element_matches  # type: ignore[method-assign]
    IAMRequestBase._create_aws_request = aws_request_as_signed  # type: ignore[method-assign]


# --------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def add_command(name: str, help_text: str, aliases: list[str] | None = None) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, aliases=aliases or [])
        command.add_argument("--port", type=int, help=f"default: port of AWS_ENDPOINT_URL, else {DEFAULT_PORT}")
        command.add_argument("--host", default=HOST, help=f"must be loopback; the server always binds {HOST}")
        return command

    add_command("run", "serve in the foreground")
    lifecycle_commands = {
        "start": "start in the background and wait until healthy",
        "stop": "stop the emulator recorded in the pid file",
    }
    for name, help_text in lifecycle_commands.items():
        command = add_command(name, help_text)
        command.add_argument(
            "--state-dir", type=Path, help="pid/log directory (default: $EMULATOR_STATE_DIR or ./.emulator)"
        )
        if name == "start":
            command.add_argument("--timeout", type=float, default=DEFAULT_START_TIMEOUT, help="seconds to wait")
    add_command("status", "exit 0 and print 'up' when the health check answers", aliases=["health"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        check_host(args.host)
        port = resolve_port(args.port)
        if args.command == "run":
            run(port)
        elif args.command == "start":
            start(port, args.state_dir, args.timeout, report=print)
        elif args.command == "stop":
            stop(port, args.state_dir, report=print)
        else:
            up = is_up(port)
            print("up" if up else f"down (nothing answers {endpoint_url(port)}{HEALTH_PATH})")
            return 0 if up else 1
    except EmulatorError as error:
        print(f"emulator: {error}", file=sys.stderr)
        return 1
    return 0
