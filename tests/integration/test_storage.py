"""The storage layer through site.yml on the local inventory, read back with boto3: bad inputs fail naming the
variable before anything of the layer exists; the nginx configuration and the UI files reach EFS as a release
through S3 and DataSync, and real nginx on 127.0.0.1 serves exactly the files that reached the emulator's EFS.
(A re-run changes nothing: the UI change below is a new release beside the old one.)"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
from pathlib import Path
import time

import pytest

from tests.integration import nginx_sandbox
from tests.integration.aws_state import efs_files, tag_filters, tags_of
from tests.integration.conftest import reset_emulator

TEARDOWN = ["--tags", "network,storage"]
FILE_SYSTEM_NAME = "demo-local-static"
IDENTITY = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}
VPC_CIDR = "10.20.0.0/16"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_file_systems(aws) -> list[dict]:
    return [fs for fs in aws("efs").describe_file_systems()["FileSystems"] if tags_of(fs).get("Stack") == "demo"]


def stack_vpn_endpoints(aws) -> list[dict]:
    endpoints = aws("ec2").describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    return [e for e in endpoints if tags_of(e).get("Stack") == "demo" and e["Status"]["Code"] != "deleted"]


def stack_certificates(aws) -> list[dict]:
    acm = aws("acm")
    found = []
    for summary in acm.list_certificates()["CertificateSummaryList"]:
        tags = {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=summary["CertificateArn"])["Tags"]}
        if tags.get("Stack") == "demo":
            found.append(dict(summary, Tags=tags))
    return found


def private_subnets(aws) -> dict[str, dict]:
    subnets = aws("ec2").describe_subnets(Filters=tag_filters("demo") + [{"Name": "tag:Tier", "Values": ["private"]}])
    return {s["SubnetId"]: s for s in subnets["Subnets"]}


def security_group(aws, purpose: str) -> str:
    groups = aws("ec2").describe_security_groups(Filters=tag_filters("demo") + [{"Name": "tag:Purpose", "Values": [purpose]}])
    return groups["SecurityGroups"][0]["GroupId"]


@pytest.fixture(scope="module")
def workspace():
    # nginx's workers drop root and must reach the published tree: pytest's own temporary folders are 0700.
    root = Path(tempfile.mkdtemp(prefix="cloudops-storage-"))
    root.chmod(0o755)
    ui = root / "ui"
    (ui / "assets").mkdir(parents=True)
    (ui / "index.html").write_text("<!doctype html><title>demo</title><h1>demo UI</h1>\n")
    (ui / "assets" / "app.css").write_text("body { color: #123; }\n" * 200)
    port = free_port()
    app_port = free_port()
    # Where the test lays out the release's trees as they reached EFS, for nginx.
    served = root / "served"
    yield {
        "root": root,
        "ui": ui,
        "served": served,
        "pki": root / "pki",
        "port": port,
        "app_port": app_port,
        "vars": {
            "storage_pki_dir": str(root / "pki"),
            "storage_content_src": str(ui),
            "storage_vpn_operators": ["alice"],
            # nginx runs here on loopback with exactly the published tree as its document root.
            "network_service_port": port,
            "storage_nginx_port": port,
            "storage_nginx_listen_address": "127.0.0.1",
            "storage_nginx_html_dir": str(served / "ui"),
            "storage_nginx_app_upstream": f"127.0.0.1:{app_port}",
        },
    }
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def network(emulator_endpoint, playbook, aws):
    """The network only: bad storage inputs are tried before the layer exists, then it is built on it."""
    reset_emulator(emulator_endpoint)
    # Subnets and groups are what the storage layer needs; endpoints and flow logs only cost time.
    run = playbook(args=["--tags", "network"], extra_vars={"network_vpc_endpoints_enabled": False, "network_flow_logs_enabled": False})
    assert run.returncode == 0, run.failure_messages()
    ec2 = aws("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    return {"other_subnet": ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]}


BAD_INPUTS = {
    "client CIDR overlapping the VPC": ({"storage_vpn_client_cidr": "10.20.4.0/22"}, "storage_vpn_client_cidr"),
    "client CIDR too small": ({"storage_vpn_client_cidr": "172.30.0.0/24"}, "storage_vpn_client_cidr"),
    "client CIDR too large": ({"storage_vpn_client_cidr": "172.0.0.0/11"}, "storage_vpn_client_cidr"),
    "unknown throughput mode": ({"storage_efs_throughput_mode": "turbo"}, "storage_efs_throughput_mode"),
    "provisioned without throughput": ({"storage_efs_throughput_mode": "provisioned"}, "storage_efs_provisioned_throughput_mibps"),
    "a tree that is not published": (
        {"storage_access_points": [{"name": "config", "uid": 101, "gid": 101, "permissions": "0755"},
                                   {"name": "assets", "uid": 101, "gid": 101, "permissions": "0755"}]},
        "storage_access_points",
    ),
    "access point mode not octal": (
        {"storage_access_points": [{"name": "config", "uid": 101, "gid": 101, "permissions": "rwx"},
                                   {"name": "ui", "uid": 101, "gid": 101, "permissions": "0755"}]},
        "storage_access_points",
    ),
    "missing content directory": ({"storage_content_src": "/nonexistent/ui"}, "storage_content_src"),
    "a single release kept": ({"storage_release_keep": 1}, "storage_release_keep"),
    "bucket name with capitals": ({"storage_release_bucket": "Demo-Static"}, "storage_release_bucket"),
    "operator named like the CA": ({"storage_vpn_operators": ["ca"]}, "storage_vpn_operators"),
}


@pytest.mark.parametrize("bad_vars, variable", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_fails_naming_the_variable_and_creates_nothing(network, playbook, aws, workspace, bad_vars, variable):
    run = playbook(args=["--tags", "storage"], extra_vars={**workspace["vars"], **bad_vars})
    assert run.returncode != 0
    assert variable in run.failure_messages() + run.stderr
    assert_nothing_of_the_layer(aws)


def test_mount_target_subnet_outside_the_vpc_is_refused(network, playbook, aws, workspace):
    run = playbook(
        args=["--tags", "storage"],
        extra_vars={**workspace["vars"], "storage_mount_target_subnet_ids": [network["other_subnet"]]},
    )
    assert run.returncode != 0
    assert "storage_mount_target_subnet_ids" in run.failure_messages()
    assert network["other_subnet"] in run.failure_messages()
    assert_nothing_of_the_layer(aws)


def assert_nothing_of_the_layer(aws) -> None:
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert aws("s3").list_buckets()["Buckets"] == []
    assert aws("datasync").list_tasks()["Tasks"] == []
    endpoints = aws("ec2").describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    assert [e for e in endpoints if tags_of(e).get("Stack") == "demo"] == []
    assert aws("acm").list_certificates()["CertificateSummaryList"] == []


@pytest.fixture(scope="module")
def converged(network, playbook, aws, workspace):
    run = playbook(args=["--tags", "storage"], extra_vars=workspace["vars"])
    assert run.returncode == 0, run.failure_messages()
    return run


def test_file_system_is_encrypted_backed_up_and_refuses_clients_without_tls(converged, aws):
    (fs,) = stack_file_systems(aws)
    efs = aws("efs")
    assert fs["Name"] == FILE_SYSTEM_NAME
    assert fs["Encrypted"] is True
    assert fs["ThroughputMode"] == "elastic"
    assert IDENTITY.items() <= tags_of(fs).items()
    backup = efs.describe_backup_policy(FileSystemId=fs["FileSystemId"])["BackupPolicy"]
    assert backup["Status"] == "ENABLED"
    lifecycle = efs.describe_lifecycle_configuration(FileSystemId=fs["FileSystemId"])["LifecyclePolicies"]
    assert {"TransitionToIA": "AFTER_30_DAYS"} in lifecycle
    policy = json.loads(efs.describe_file_system_policy(FileSystemId=fs["FileSystemId"])["Policy"])
    denies = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert any(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False) for s in denies)


def test_a_mount_target_in_every_private_subnet_behind_the_efs_group(converged, aws):
    (fs,) = stack_file_systems(aws)
    efs = aws("efs")
    targets = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
    subnets = private_subnets(aws)
    assert sorted(t["SubnetId"] for t in targets) == sorted(subnets)
    assert {t["LifeCycleState"] for t in targets} == {"available"}
    efs_group = security_group(aws, "efs")
    for target in targets:
        groups = efs.describe_mount_target_security_groups(MountTargetId=target["MountTargetId"])["SecurityGroups"]
        assert groups == [efs_group]


def release_of(aws) -> str:
    (fs,) = stack_file_systems(aws)
    return tags_of(fs)["Release"]


def test_each_tree_of_the_release_has_its_access_point_with_a_posix_user(converged, aws):
    (fs,) = stack_file_systems(aws)
    release = release_of(aws)
    points = aws("efs").describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]
    by_name = {p["Name"]: p for p in points}
    assert sorted(by_name) == [f"demo-local-config-{release}", "demo-local-publisher", f"demo-local-ui-{release}"]
    assert by_name[f"demo-local-config-{release}"]["RootDirectory"]["Path"] == f"/releases/{release}/config"
    assert by_name[f"demo-local-ui-{release}"]["RootDirectory"]["Path"] == f"/releases/{release}/ui"
    assert by_name["demo-local-publisher"]["RootDirectory"]["Path"] == "/releases"
    for point in points:
        assert point["PosixUser"]["Uid"] == 101 and point["PosixUser"]["Gid"] == 101
        assert point["RootDirectory"]["CreationInfo"]["Permissions"] == "0755"
        assert IDENTITY.items() <= tags_of(point).items()


def test_the_release_bucket_is_private_encrypted_and_tls_only(converged, aws):
    s3 = aws("s3")
    (bucket,) = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    account = aws("sts").get_caller_identity()["Account"]
    assert bucket == f"demo-local-static-{account}"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert any(s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false" for s in policy["Statement"])
    release = release_of(aws)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert f"releases/{release}/release.json" in keys


def test_datasync_copies_through_the_publisher_access_point_with_tls_from_the_datasync_group(converged, aws):
    datasync = aws("datasync")
    (task,) = datasync.list_tasks()["Tasks"]
    described = datasync.describe_task(TaskArn=task["TaskArn"])
    assert described["Name"] == "demo-local-static"
    options = described["Options"]
    assert (options["TransferMode"], options["PreserveDeletedFiles"], options["Uid"]) == ("CHANGED", "REMOVE", "NONE")
    location = datasync.describe_location_efs(LocationArn=described["DestinationLocationArn"])
    assert location["InTransitEncryption"] == "TLS1_2"
    assert location["AccessPointArn"].endswith(
        next(p["AccessPointId"] for p in aws("efs").describe_access_points()["AccessPoints"] if p["Name"] == "demo-local-publisher")
    )
    assert [arn.rsplit("/", 1)[-1] for arn in location["Ec2Config"]["SecurityGroupArns"]] == [security_group(aws, "datasync")]
    (role,) = [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"] == "demo-local-datasync"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "datasync.amazonaws.com"}


def test_vpn_endpoint_is_mutual_tls_split_tunnel_logged_and_reaches_the_vpc_only(converged, aws):
    (endpoint,) = stack_vpn_endpoints(aws)
    ec2 = aws("ec2")
    endpoint_id = endpoint["ClientVpnEndpointId"]
    assert endpoint["ClientCidrBlock"] == "172.30.0.0/22"
    assert endpoint["SplitTunnel"] is True
    assert endpoint["ConnectionLogOptions"]["Enabled"] is True
    assert endpoint["ConnectionLogOptions"]["CloudwatchLogGroup"] == "/cloudops/demo-local/client-vpn"
    assert endpoint["SecurityGroupIds"] == [security_group(aws, "vpn")]
    (auth,) = endpoint["AuthenticationOptions"]
    assert auth["Type"] == "certificate-authentication"
    (certificate,) = stack_certificates(aws)
    assert endpoint["ServerCertificateArn"] == certificate["CertificateArn"]
    networks = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)["ClientVpnTargetNetworks"]
    assert sorted(n["TargetNetworkId"] for n in networks) == sorted(private_subnets(aws))
    assert {n["Status"]["Code"] for n in networks} == {"associated"}
    rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)["AuthorizationRules"]
    assert [r["DestinationCidr"] for r in rules] == [VPC_CIDR]
    log_groups = aws("logs").describe_log_groups(logGroupNamePrefix="/cloudops/demo-local/client-vpn")["logGroups"]
    assert [g["retentionInDays"] for g in log_groups] == [7]


def test_operator_profile_inlines_certificate_and_key_with_mode_0600(converged, workspace):
    profile = workspace["pki"] / "clients" / "alice.ovpn"
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600
    text = profile.read_text()
    assert "<cert>" in text and "</cert>" in text
    assert "<key>" in text and "PRIVATE KEY" in text
    assert "remote " in text
    for key in ("ca.key", "server.key", "alice.key"):
        assert stat.S_IMODE((workspace["pki"] / key).stat().st_mode) == 0o600
    # No key material in Ansible's output.
    assert "PRIVATE KEY" not in json.dumps(converged.output)


def release_files(emulator_endpoint, aws, tree: str) -> dict[str, bytes]:
    (fs,) = stack_file_systems(aws)
    return efs_files(emulator_endpoint, aws, fs["FileSystemId"], f"/releases/{release_of(aws)}/{tree}")


def test_the_release_on_efs_holds_the_config_and_the_ui(converged, aws, emulator_endpoint, workspace):
    config = release_files(emulator_endpoint, aws, "config")["default.conf"].decode()
    assert "server_tokens off;" in config
    assert f"listen 127.0.0.1:{workspace['port']};" in config
    ui = release_files(emulator_endpoint, aws, "ui")
    assert sorted(ui) == ["assets/app.css", "index.html"]
    assert ui["index.html"] == (workspace["ui"] / "index.html").read_bytes()


def test_changed_ui_file_is_a_new_release_beside_the_running_one(converged, playbook, aws, emulator_endpoint, workspace):
    (fs,) = stack_file_systems(aws)
    before = release_of(aws)
    (workspace["ui"] / "index.html").write_text("<!doctype html><title>demo</title><h1>demo UI v2</h1>\n")
    checked = playbook(args=["--tags", "storage", "--check"], extra_vars=workspace["vars"])
    assert checked.returncode == 0, checked.failure_messages()
    assert release_of(aws) == before, "check mode changes nothing"
    run = playbook(args=["--tags", "storage"], extra_vars=workspace["vars"])
    assert run.returncode == 0, run.failure_messages()
    changed = sorted(name.split(" : ")[-1] for name in run.changed_tasks())
    assert changed == [
        "Copy the releases to the file system",
        "Give the copied release its access points",
        "Publish the nginx configuration and the UI files as a release",
        "Start creating the release's access points",
        "Start the file system and its mount targets",
    ]
    after = release_of(aws)
    assert after != before
    assert b"v2" in release_files(emulator_endpoint, aws, "ui")["index.html"]
    # The release the service ran stays, with its access points: a failed rollout rolls back to it.
    names = {p["Name"] for p in aws("efs").describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]}
    assert {f"demo-local-config-{before}", f"demo-local-config-{after}"} <= names
    assert efs_files(emulator_endpoint, aws, fs["FileSystemId"], f"/releases/{before}/ui")["index.html"].count(b"v2") == 0
    again = playbook(args=["--tags", "storage"], extra_vars=workspace["vars"])
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()


def test_access_points_of_a_release_never_copied_are_not_its_and_go(converged, playbook, aws, workspace):
    """A run that requested a release's access points and stopped before the copy was verified left them without their
    Release tag: nothing takes them for the release's, and the next run deletes them."""
    (fs,) = stack_file_systems(aws)
    efs = aws("efs")
    abandoned = efs.create_access_point(
        ClientToken="abandoned-config",
        FileSystemId=fs["FileSystemId"],
        Tags=[{"Key": "Name", "Value": "demo-local-config-0123456789abcdef"}, {"Key": "Purpose", "Value": "config"},
              {"Key": "Stack", "Value": "demo"}, {"Key": "Environment", "Value": "local"},
              {"Key": "ManagedBy", "Value": "cloudops.fargate"}],
    )["AccessPointId"]
    run = playbook(args=["--tags", "storage"], extra_vars=workspace["vars"])
    assert run.returncode == 0, run.failure_messages()
    assert [name.split(" : ")[-1] for name in run.changed_tasks()] == ["Delete the access points of pruned and abandoned releases"]
    left = {p["AccessPointId"] for p in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]}
    assert abandoned not in left
    release = release_of(aws)
    assert all(
        tags_of(p).get("Release") == release
        for p in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]
        if tags_of(p).get("Purpose") in ("config", "ui") and p["Name"].endswith(release)
    )


def test_vpn_client_config_issues_a_profile_for_one_more_operator(converged, playbook, workspace):
    # Without the converge's storage_vpn_operators extra var, which would outrank the playbook's own list.
    without_operators = {k: v for k, v in workspace["vars"].items() if k != "storage_vpn_operators"}
    run = playbook("playbooks/vpn_client_config.yml", extra_vars={**without_operators, "operator": "bob"})
    assert run.returncode == 0, run.failure_messages()
    profile = workspace["pki"] / "clients" / "bob.ovpn"
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600
    assert "<key>" in profile.read_text()
    assert (workspace["pki"] / "clients" / "alice.ovpn").exists()
    assert "PRIVATE KEY" not in json.dumps(run.output)


# --- nginx, for real --------------------------------------------------------------------------------


def _nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not found:
        pytest.fail("nginx is not installed: make test installs it (tools/install_test_servers.sh)")
    return found


@pytest.fixture(scope="module")
def nginx(converged, workspace, aws, emulator_endpoint):
    """nginx on 127.0.0.1 whose http block includes exactly the config tree of the release on the emulator's EFS,
    serving its ui tree, and a stand-in app on the app port."""
    for tree in ("config", "ui"):
        for path, data in release_files(emulator_endpoint, aws, tree).items():
            target = workspace["served"] / tree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    app = http.server.ThreadingHTTPServer(("127.0.0.1", workspace["app_port"]), nginx_sandbox.StandInApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    run_dir = workspace["root"] / "nginx-run"
    run_dir.mkdir()
    conf_dir = workspace["served"] / "config"
    main_conf = run_dir / "nginx.conf"
    main_conf.write_text(
        f"""
worker_processes 1;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {run_dir}/access.log;
    client_body_temp_path {run_dir}/body;
    proxy_temp_path {run_dir}/proxy;
    fastcgi_temp_path {run_dir}/fastcgi;
    uwsgi_temp_path {run_dir}/uwsgi;
    scgi_temp_path {run_dir}/scgi;
    include {conf_dir}/*.conf;
}}
"""
    )
    binary = _nginx_binary()
    syntax = subprocess.run([binary, "-t", "-c", str(main_conf), "-p", str(run_dir)], capture_output=True, text=True, check=False)
    process = subprocess.Popen([binary, "-c", str(main_conf), "-p", str(run_dir), "-g", "daemon off;"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", workspace["port"]), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield {"syntax": syntax, "port": workspace["port"], "error_log": run_dir / "error.log"}
    finally:
        process.terminate()
        process.wait(timeout=10)
        app.shutdown()


def _get(port: int, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_nginx_accepts_the_published_configuration(nginx):
    assert nginx["syntax"].returncode == 0, nginx["syntax"].stderr
    assert "syntax is ok" in nginx["syntax"].stderr


def test_nginx_answers_healthz(nginx):
    response, body = _get(nginx["port"], "/healthz")
    assert response.status == 200 and body == b"ok\n"


def test_nginx_serves_a_published_ui_file_with_security_headers_and_gzip(nginx, workspace):
    response, body = _get(nginx["port"], "/")
    assert response.status == 200
    assert body == (workspace["served"] / "ui" / "index.html").read_bytes()
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    response, _body = _get(nginx["port"], "/assets/app.css", {"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"


def test_nginx_proxies_the_app_routes_to_the_app(nginx):
    response, body = _get(nginx["port"], "/api/orders?id=7")
    assert response.status == 200
    assert json.loads(body) == {"app": "stand-in", "path": "/api/orders?id=7"}


def test_nginx_hides_its_version(nginx):
    response, _body = _get(nginx["port"], "/missing")
    assert response.status == 404
    assert response.getheader("Server") == "nginx"


# --- teardown -----------------------------------------------------------------------------------------


def test_teardown_leaves_nothing_of_the_storage_layer_and_touches_nothing_else(converged, playbook, aws, workspace):
    efs = aws("efs")
    # Another stack's file system with an access point, and an untagged one: teardown must leave both.
    other = efs.create_file_system(
        CreationToken="other-stack", Tags=[{"Key": "Name", "Value": "other-local-static"}, {"Key": "Stack", "Value": "other"}]
    )["FileSystemId"]
    efs.create_access_point(FileSystemId=other, Tags=[{"Key": "Name", "Value": "other-local-config"}])
    untagged = efs.create_file_system(CreationToken="untagged")["FileSystemId"]
    run = playbook("playbooks/teardown.yml", args=TEARDOWN, extra_vars=workspace["vars"])
    assert run.returncode == 0, run.failure_messages()
    assert stack_file_systems(aws) == []
    assert sorted(fs["FileSystemId"] for fs in efs.describe_file_systems()["FileSystems"]) == sorted([other, untagged])
    assert [p["FileSystemId"] for p in efs.describe_access_points()["AccessPoints"]] == [other]
    assert stack_vpn_endpoints(aws) == []
    assert stack_certificates(aws) == []
    assert aws("s3").list_buckets()["Buckets"] == []
    assert aws("datasync").list_tasks()["Tasks"] == []
    assert aws("datasync").list_locations()["Locations"] == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"] == "demo-local-datasync"] == []
    assert aws("logs").describe_log_groups(logGroupNamePrefix="/cloudops/demo-local/")["logGroups"] == []
    again = playbook("playbooks/teardown.yml", args=TEARDOWN, extra_vars=workspace["vars"])
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
