"""cloudops.fargate.http_probe as Ansible runs it: an answer is reported, never a failure; bad options fail naming
the option."""

from __future__ import annotations

import http.server
import threading

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import http_probe
from tests.unit.helpers import assert_ok


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(204 if self.path == "/empty" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(name="address")
def _address():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_status_is_reported_and_never_fails(run_module, address):
    result = run_module(http_probe, {"url": "http://app.example.test/missing", "connect_to": address}, check_mode=True)
    assert_ok(result, changed=False)
    assert result["status"] == 404 and result["as_expected"] is False
    result = run_module(http_probe, {"url": "http://app.example.test/empty", "connect_to": address,
                                     "expected_status": [204]})
    assert result["status"] == 204 and result["as_expected"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [({"url": "app.example.test/"}, "url must be"), ({"url": "https://a.example/", "connect_to": "a:b"}, "connect_to"),
     ({"url": "https://a.example/", "timeout": 0}, "timeout must be")],
)
def test_bad_options_fail_naming_them(run_module, args, message):
    result = run_module(http_probe, args)
    assert result.get("failed") and message in result["msg"]
