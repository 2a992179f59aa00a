"""Shared infrastructure of the reliability tests: a sandbox of their own, running playbooks,
temporary inventories, the sandbox's request log, and what a stack left in the sandbox.

Every reliability test drives the collection the way a user does (``ansible-playbook`` as a
subprocess, from the repository root) against a sandbox server that this session starts on
127.0.0.1 and stops at the end. Nothing here talks to anything but 127.0.0.1.

    def test_second_run_changes_nothing(sandbox, tmp_path):
        stack = unique_name("rel")
        inventory = write_inventory(tmp_path / "inv", {stack: {"stack_name": stack}})
        first = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory,
                             skip_tags=["scale_test"])
        assert first.rc == 0, first.describe()
        clear_requests(sandbox)
        second = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory,
                              skip_tags=["scale_test"])
        assert second.rc == 0 and not any(second.changed().values()), second.describe()
        assert not mutating_calls(sandbox), format_calls(mutating_calls(sandbox))
        run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
        assert not stack_resources(sandbox, stack), format_resources(stack_resources(sandbox, stack))

Fixtures: ``sandbox`` (session: a SandboxClient with ``.server`` and ``.port``).
Helpers (plain functions, import them with ``from conftest import ...`` or use the fixture
``reliability`` that exposes this module): ``start_sandbox``, ``run_playbook`` /
``start_playbook``, ``PlaybookRun``, ``write_inventory``, ``clear_requests``, ``requests_log``,
``mutating_calls``, ``format_calls``, ``stack_resources``, ``format_resources``,
``resource_snapshot``, ``snapshot_diff``, ``region_zones``, ``unique_name``.

Each run's output is kept in $TMPDIR/scaleout-reliability-runs/run-*.stdout|.stderr (or the
``output_dir`` given), for a failed test's post-mortem.

Environment:
    SCALEOUT_RELIABILITY_PORT   port of the session's sandbox (default: a free loopback port); under
                                pytest-xdist, worker gwN uses this port + N
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SANDBOX_SRC = REPO / "sandbox"
COLLECTIONS = REPO / "collections"
# sandbox/ is not an installed package, and the collection is importable as
# ansible_collections.scaleout.webtier only through the collections/ link (as in tests/unit).
for _path in (SANDBOX_SRC, COLLECTIONS):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import (  # noqa: E402
    GONE_STATES,
    KINDS,
    STACK_TAG,
    belongs_to,
    tag_dict,
)

PORT_ENV = "SCALEOUT_RELIABILITY_PORT"
SANDBOX_INVENTORY = REPO / "inventories" / "sandbox"
DEFAULT_REGION = "ap-northeast-2"
# Variables of the run's environment that would point the AWS clients, or Ansible, somewhere other
# than the sandbox (or change what the run does); run_playbook removes them unless `env` sets them.
_SCRUBBED_ENV = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "EC2_URL", "AWS_URL",
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy",
    "SCALEOUT_SANDBOX_ENDPOINT", "SCALEOUT_SANDBOX_ACCESS_KEY", "SCALEOUT_SANDBOX_SECRET_KEY",
    "ANSIBLE_CONFIG", "ANSIBLE_INVENTORY", "ANSIBLE_STDOUT_CALLBACK", "ANSIBLE_CALLBACKS_ENABLED",
    "SCALEOUT_SANDBOX_IAM_ENFORCE", "SCALEOUT_SANDBOX_STATE_DIR",
)


# ---------------------------------------------------------------------------------------- sandbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(directory: Path, port: Optional[int] = None, env: Optional[dict] = None):
    """Start a sandbox server of its own (state in `directory`) and return a SandboxClient for it,
    with ``.server`` (the ctl.Sandbox: ``.server.down()`` stops it) and ``.port``.

    `env`: variables for the server process, None unsets one (e.g.
    ``{"SCALEOUT_SANDBOX_IAM_ENFORCE": "1"}`` or ``{"SCALEOUT_SANDBOX_SECONDS_PER_MINUTE": "0.5"}``).
    IAM enforcement is off unless `env` turns it on. This process's environment is untouched.
    """
    from scaleout_sandbox import ctl
    from scaleout_sandbox.client import SandboxClient
    from scaleout_sandbox.services.iam.enforcement import ENFORCE_ENV

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    server = ctl.Sandbox(port=port or free_port(), directory=directory)
    wanted = {ENFORCE_ENV: None, ctl.PORT_ENV: None, ctl.STATE_DIR_ENV: None}
    wanted.update(env or {})
    status = server.up(env=wanted)
    if not status.get("started"):
        raise RuntimeError(f"expected a new sandbox on port {server.port}, found one running: {status}")
    client = SandboxClient(ctl.endpoint(server.port))
    client.server = server
    client.port = server.port
    client.state_dir = directory
    return client


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """The reliability tests' sandbox: started once per session on SCALEOUT_RELIABILITY_PORT (else
    a free port), state in a temporary directory, stopped at the end. Yields a SandboxClient
    (``.server``, ``.port``). Tests share it: give stacks unique names (``unique_name``), and reset
    what you change (faults, delays) when done."""
    raw = os.environ.get(PORT_ENV, "").strip()
    port = int(raw) if raw else None
    # Under pytest-xdist every worker has a session (and a sandbox) of its own: gw0 takes the
    # port, gw1 the next, and so on.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if port is not None and worker.startswith("gw"):
        port += int(worker[2:])
    client = start_sandbox(tmp_path_factory.mktemp("reliability-sandbox"), port=port)
    client.defaults = client.delays()
    try:
        yield client
    finally:
        client.server.down()


@pytest.fixture(scope="session")
def reliability():
    """This module, for tests that prefer a fixture to ``from conftest import ...``."""
    return sys.modules[__name__]


def unique_name(prefix: str = "rel") -> str:
    """A stack name no other test uses (prefix + 6 hex digits; keep the prefix short: stack names
    are at most 20 characters)."""
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def region_zones(sandbox, region: str) -> list:
    """The availability zone names of `region` in the sandbox."""
    ec2 = sandbox.client("ec2", region=region)
    return sorted(z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"])


# ---------------------------------------------------------------------------------------- inventory


def write_inventory(directory: Path, hosts: dict, group: str = "webtier_stacks",
                    group_vars: Optional[dict] = None) -> Path:
    """Write an inventory directory: ``hosts.yml`` with `hosts` (host name -> host vars) in `group`,
    and ``group_vars/all.yml`` linked to the sandbox inventory's (connection, region, endpoint and
    credentials from SCALEOUT_SANDBOX_*, module_defaults), plus ``group_vars/<group>.yml`` with
    `group_vars` if given (it overrides all.yml). No inventory script: the sandbox runs already.
    Returns the directory, for ``run_playbook(inventory=...)``."""
    directory = Path(directory)
    (directory / "group_vars").mkdir(parents=True, exist_ok=True)
    for source in sorted((SANDBOX_INVENTORY / "group_vars").iterdir()):
        link = directory / "group_vars" / source.name
        if not link.exists():
            link.symlink_to(source)
    if group_vars:
        (directory / "group_vars" / f"{group}.yml").write_text(
            "---\n" + yaml.safe_dump(group_vars, default_flow_style=False, sort_keys=True))
    document = {group: {"hosts": {name: (dict(values) if values else None) for name, values in hosts.items()}}}
    (directory / "hosts.yml").write_text("---\n" + yaml.safe_dump(document, default_flow_style=False, sort_keys=False))
    return directory


# ---------------------------------------------------------------------------------------- playbooks


@dataclass
class PlaybookRun:
    """The outcome of one ansible-playbook run.

    With the JSON callback (the default of run_playbook), ``data`` is its document and
    ``results``, ``failures``, ``stats`` are parsed from it; with ``callback="default"`` only
    ``stdout``/``stderr`` are meaningful. ``timed_out`` is true when the run was killed at its timeout.
    """

    command: list
    rc: int
    stdout: str
    stderr: str
    elapsed: float
    callback: str
    timed_out: bool = False
    _data: Optional[dict] = field(default=None, repr=False)

    @property
    def data(self) -> Optional[dict]:
        if self._data is None and self.callback == "json":
            text = self.stdout
            start = text.find("{")
            if start >= 0:
                try:
                    self._data = json.loads(text[start:])
                except ValueError:
                    self._data = None
        return self._data

    @property
    def stats(self) -> dict:
        """Per host: ok, changed, failures, unreachable, skipped, rescued, ignored."""
        return (self.data or {}).get("stats", {})

    @property
    def results(self) -> dict:
        """Per host, in the order they ran: [(task name, result dict), ...]."""
        per_host = {}
        for play in (self.data or {}).get("plays", []):
            for task in play.get("tasks", []):
                for host, result in task.get("hosts", {}).items():
                    per_host.setdefault(host, []).append((task["task"]["name"], result))
        return per_host

    @property
    def failures(self) -> dict:
        """Per host: [(task name, message), ...] of every failed or unreachable task result
        (including failures that ignore_errors ignored; the JSON callback does not tell them
        apart - see ``stats[host]["ignored"]``)."""
        failed = {}
        for host, results in self.results.items():
            for task, result in results:
                if result.get("failed") or result.get("unreachable"):
                    failed.setdefault(host, []).append((task, failure_message(result)))
        return failed

    def failed_hosts(self) -> set:
        return {h for h, s in self.stats.items() if s.get("failures") or s.get("unreachable")}

    def changed(self, host: Optional[str] = None) -> dict:
        """Per host: the names of tasks that reported a change."""
        return {h: [t for t, r in results if r.get("changed")]
                for h, results in self.results.items() if host in (None, h)}

    def describe(self, tail: int = 60) -> str:
        """A summary for assertion messages: command, rc, failures, and the tail of the output."""
        lines = [f"$ {' '.join(self.command)}", f"rc={self.rc} elapsed={self.elapsed:.1f}s"
                 + (" TIMED OUT" if self.timed_out else "")]
        if self.data is not None:
            for host, items in sorted(self.failures.items()):
                for task, msg in items:
                    lines.append(f"  {host}: [{task}] {msg[:500]}")
        else:
            lines += self.stdout.splitlines()[-tail:]
        lines += ["--- stderr (tail) ---"] + self.stderr.splitlines()[-tail // 3:]
        return "\n".join(lines)


def failure_message(result: dict) -> str:
    """The message of a failed task result: msg, loop items' msgs, argument spec errors, module output."""
    parts = []
    if result.get("msg"):
        parts.append(str(result["msg"]))
    for item in result.get("results", []) or []:
        if isinstance(item, dict) and item.get("failed") and item.get("msg"):
            parts.append(str(item["msg"]))
    for error in result.get("argument_errors", []) or []:
        if str(error) not in " ".join(parts):
            parts.append(str(error))
    if not parts:
        for key in ("message", "stderr", "module_stderr", "module_stdout", "exception"):
            if result.get(key):
                parts.append(str(result[key])[-2000:])
                break
    return " | ".join(parts) or json.dumps(result, default=str)[:2000]


class PlaybookProcess:
    """A running ansible-playbook (its own process group). ``wait()`` gives the PlaybookRun;
    ``signal(sig)`` sends a signal to the whole group (e.g. SIGKILL to interrupt a run)."""

    def __init__(self, command, env, cwd, callback, stdout_path, stderr_path):
        self.command, self.callback = command, callback
        self._stdout_path, self._stderr_path = stdout_path, stderr_path
        self._out = open(stdout_path, "wb")
        self._err = open(stderr_path, "wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=self._err, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self):
        return self.proc.poll()

    def stdout_so_far(self) -> str:
        self._out.flush()
        return Path(self._stdout_path).read_text(errors="replace")

    def signal(self, sig=signal.SIGTERM) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def wait(self, timeout: float = 900) -> PlaybookRun:
        timed_out = False
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.proc.wait()
        elapsed = time.monotonic() - self.started
        self._out.close()
        self._err.close()
        return PlaybookRun(
            command=self.command, rc=self.proc.returncode, elapsed=elapsed, callback=self.callback,
            stdout=Path(self._stdout_path).read_text(errors="replace"),
            stderr=Path(self._stderr_path).read_text(errors="replace"), timed_out=timed_out)


def playbook_env(sandbox, env: Optional[dict] = None, callback: str = "json") -> dict:
    """The environment run_playbook gives ansible-playbook: this process's, without anything that
    points AWS clients elsewhere, plus the sandbox's port, state directory and IAM enforcement (so
    the default inventory's ``sandbox_up.sh`` finds and reuses this sandbox), no colour, no
    instance metadata lookups, and `env` on top (None unsets a variable)."""
    result = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    result.update({
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), result.get("PATH", "")]),
        "SCALEOUT_SANDBOX_PORT": str(sandbox.port),
        "SCALEOUT_SANDBOX_STATE_DIR": str(sandbox.state_dir),
        # `scripts/sandbox up` reuses a running sandbox only if its IAM enforcement is the asked one.
        "SCALEOUT_SANDBOX_IAM_ENFORCE": "1" if sandbox.health().get("iam_enforced") else "0",
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    })
    if callback == "json":
        result["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
        result["ANSIBLE_JSON_INDENT"] = "0"
    elif callback != "default":
        result["ANSIBLE_STDOUT_CALLBACK"] = callback
    for name, value in (env or {}).items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = str(value)
    return result


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def start_playbook(playbook, *, sandbox, inventory=None, limit=None, extra_vars=None, env=None, tags=None,
                   skip_tags=None, check=False, verbosity=0, forks=None, callback="json",
                   output_dir: Optional[Path] = None) -> PlaybookProcess:
    """Start ansible-playbook (see run_playbook) and return at once, for tests that interrupt a run."""
    command = [str(Path(sys.executable).parent / "ansible-playbook")]
    if not Path(command[0]).exists():
        command = [shutil.which("ansible-playbook") or "ansible-playbook"]
    command.append(str(playbook))
    if inventory is not None:
        command += ["-i", str(inventory)]
    if limit:
        command += ["--limit", ",".join(_as_list(limit))]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if tags:
        command += ["--tags", ",".join(_as_list(tags))]
    if skip_tags:
        command += ["--skip-tags", ",".join(_as_list(skip_tags))]
    if check:
        command.append("--check")
    if forks:
        command += ["--forks", str(forks)]
    if verbosity:
        command.append("-" + "v" * verbosity)
    if output_dir is None:
        output_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "scaleout-reliability-runs"
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = output_dir / f"run-{uuid.uuid4().hex[:10]}"
    return PlaybookProcess(command, playbook_env(sandbox, env, callback), REPO, callback,
                           stem.with_suffix(".stdout"), stem.with_suffix(".stderr"))


def run_playbook(playbook, *, sandbox, inventory=None, limit=None, extra_vars=None, env=None, timeout=900,
                 tags=None, skip_tags=None, check=False, verbosity=0, forks=None, callback="json",
                 output_dir: Optional[Path] = None) -> PlaybookRun:
    """Run ``ansible-playbook <playbook>`` from the repository root against `sandbox` and wait.

    playbook: path relative to the repository root (``playbooks/site.yml``) or absolute.
    inventory: an inventory path (``write_inventory``); None uses ansible.cfg's default
        (inventories/sandbox, whose script reuses this sandbox: it gets its port and state dir).
    extra_vars: a dict, passed as JSON with -e. env: extra environment (None unsets), e.g.
        ``{"SCALEOUT_SANDBOX_ENDPOINT": proxy.endpoint}`` or the access keys of an IAM user.
    callback: "json" (ansible.posix.json: ``.results``, ``.failures``, ``.stats``), "default"
        (text), or any other stdout callback name.
    timeout: seconds; on expiry the run's process group gets SIGTERM, then SIGKILL, and the
        PlaybookRun says ``timed_out``.
    """
    process = start_playbook(playbook, sandbox=sandbox, inventory=inventory, limit=limit, extra_vars=extra_vars,
                             env=env, tags=tags, skip_tags=skip_tags, check=check, verbosity=verbosity,
                             forks=forks, callback=callback, output_dir=output_dir)
    return process.wait(timeout=timeout)


# ---------------------------------------------------------------------------------------- request log


def clear_requests(sandbox) -> None:
    sandbox.clear_requests()


def requests_log(sandbox, access_key_id: Optional[str] = None) -> list:
    """Every AWS API call the sandbox served since the last clear (oldest first), optionally only
    those signed with `access_key_id`."""
    calls = sandbox.requests()
    if access_key_id is not None:
        calls = [c for c in calls if c.get("access_key_id") == access_key_id]
    return calls


def mutating_calls(sandbox, access_key_id: Optional[str] = None) -> list:
    """The mutating calls (anything but Describe/Get/List/...) since the last clear."""
    return [c for c in requests_log(sandbox, access_key_id) if c.get("mutating")]


def format_calls(calls: Iterable[dict], limit: int = 50) -> str:
    calls = list(calls)
    lines = [f"{len(calls)} call(s):"]
    for c in calls[:limit]:
        lines.append(f"  {c.get('service')}:{c.get('action')} region={c.get('region')} status={c.get('status')}"
                     f" key={c.get('access_key_id')} time={c.get('time')}")
    if len(calls) > limit:
        lines.append(f"  ... and {len(calls) - limit} more")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------- resources

# Kinds listed by stack_resources: the collection's own (teardown order, _stack_resources.KINDS),
# the instances' IAM instance profiles, and the SSM parameters of the stack's lock (its holder and
# take-over markers, under /scaleout/lock/<stack>/: teardown removes them last).
RESOURCE_KINDS = KINDS + ("instance_profiles", "lock_parameters")
LOCK_PATH = "/scaleout/lock/"


def lock_parameters(sandbox, stack: str, region: str = DEFAULT_REGION) -> dict:
    """Every SSM parameter under the stack's lock path: {name: value}."""
    ssm = sandbox.client("ssm", region=region)
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=f"{LOCK_PATH}{stack}", Recursive=True)
    return {p["Name"]: p["Value"] for page in pages for p in page["Parameters"]}


def _entry(resource_id, name, state, tags):
    return {"id": resource_id, "name": name or "", "state": state or "", "tags": tag_dict(tags)}


def _pages(client, operation, key, **params):
    items = []
    for page in client.get_paginator(operation).paginate(**params):
        items.extend(page.get(key, []))
    return items


def stack_resources(sandbox, stack: str, region: str = DEFAULT_REGION, include_gone: bool = False) -> dict:
    """What carries the tag scaleout:stack=<stack> in `region` (and the IAM roles and instance
    profiles under /scaleout/, which are global), and the SSM parameters of the stack's lock, listed
    with boto3 directly - independently of the collection's stack_resources_info, so a test can
    check that module too.

    Returns {kind: [{"id", "name", "state", "tags"}, ...]} with only the kinds that have something;
    an empty dict means nothing is left. Terminated instances, deleted/deregistered resources are
    left out unless `include_gone`.
    """
    tag_filter = [{"Name": "tag:" + STACK_TAG, "Values": [stack]}]
    ec2 = sandbox.client("ec2", region=region)
    elbv2 = sandbox.client("elbv2", region=region)
    autoscaling = sandbox.client("autoscaling", region=region)
    iam = sandbox.client("iam", region=region)
    found = {}
    groups = _pages(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups", Filters=tag_filter)
    found["autoscaling_groups"] = [
        _entry(g["AutoScalingGroupName"], g["AutoScalingGroupName"], g.get("Status"), g.get("Tags"))
        for g in groups if belongs_to(g.get("Tags"), stack)]
    found["instances"] = [
        _entry(i["InstanceId"], tag_dict(i.get("Tags")).get("Name"), i["State"]["Name"], i.get("Tags"))
        for r in _pages(ec2, "describe_instances", "Reservations", Filters=tag_filter) for i in r["Instances"]]

    def elb_tags(arns):
        tags = {}
        for start in range(0, len(arns), 20):
            for d in elbv2.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
                tags[d["ResourceArn"]] = d.get("Tags", [])
        return tags

    balancers = _pages(elbv2, "describe_load_balancers", "LoadBalancers")
    tags = elb_tags([b["LoadBalancerArn"] for b in balancers])
    found["load_balancers"] = [
        _entry(b["LoadBalancerArn"], b["LoadBalancerName"], b.get("State", {}).get("Code"), tags.get(b["LoadBalancerArn"]))
        for b in balancers if belongs_to(tags.get(b["LoadBalancerArn"]), stack)]
    target_groups = _pages(elbv2, "describe_target_groups", "TargetGroups")
    tags = elb_tags([t["TargetGroupArn"] for t in target_groups])
    found["target_groups"] = [
        _entry(t["TargetGroupArn"], t["TargetGroupName"], "", tags.get(t["TargetGroupArn"]))
        for t in target_groups if belongs_to(tags.get(t["TargetGroupArn"]), stack)]
    found["launch_templates"] = [
        _entry(t["LaunchTemplateId"], t["LaunchTemplateName"], "", t.get("Tags"))
        for t in _pages(ec2, "describe_launch_templates", "LaunchTemplates", Filters=tag_filter)]
    found["images"] = [
        _entry(i["ImageId"], i.get("Name"), i.get("State"), i.get("Tags"))
        for i in ec2.describe_images(Owners=["self"], Filters=tag_filter)["Images"]]
    found["snapshots"] = [
        _entry(s["SnapshotId"], s.get("Description"), s.get("State"), s.get("Tags"))
        for s in _pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"], Filters=tag_filter)]
    found["volumes"] = [
        _entry(v["VolumeId"], tag_dict(v.get("Tags")).get("Name"), v.get("State"), v.get("Tags"))
        for v in _pages(ec2, "describe_volumes", "Volumes", Filters=tag_filter)]
    found["iam_roles"] = []
    for role in _pages(iam, "list_roles", "Roles", PathPrefix="/scaleout/"):
        role_tags = iam.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])
        if belongs_to(role_tags, stack):
            found["iam_roles"].append(_entry(role["RoleName"], role["RoleName"], "", role_tags))
    found["instance_profiles"] = []
    for profile in _pages(iam, "list_instance_profiles", "InstanceProfiles", PathPrefix="/scaleout/"):
        profile_tags = profile.get("Tags")
        if profile_tags is None:
            profile_tags = iam.list_instance_profile_tags(
                InstanceProfileName=profile["InstanceProfileName"]).get("Tags", [])
        if belongs_to(profile_tags, stack):
            found["instance_profiles"].append(
                _entry(profile["InstanceProfileName"], profile["InstanceProfileName"], "", profile_tags))
    found["security_groups"] = [
        _entry(g["GroupId"], g["GroupName"], "", g.get("Tags"))
        for g in _pages(ec2, "describe_security_groups", "SecurityGroups", Filters=tag_filter)]
    found["lock_parameters"] = [_entry(name, name, "", None) for name in lock_parameters(sandbox, stack, region)]
    result = {}
    for kind in RESOURCE_KINDS:
        items = [r for r in found.get(kind, []) if include_gone or r["state"] not in GONE_STATES]
        if items:
            result[kind] = items
    return result


def format_resources(found: dict) -> str:
    if not found:
        return "nothing"
    return "; ".join(f"{kind}: " + ", ".join(f"{r['id']} ({r['name']})" if r["name"] else r["id"] for r in items)
                     for kind, items in found.items())


def resource_snapshot(sandbox, regions: Iterable[str] = (DEFAULT_REGION,)) -> set:
    """Every resource of the kinds a stack may create, tagged or not, in `regions` (plus global
    IAM roles and instance profiles): a set of (region, kind, id). Compare two snapshots with
    ``snapshot_diff`` to prove that a run created nothing at all, whatever its names or tags."""
    seen = set()
    # OwnerIds=["self"] also returns the snapshots of moto's public image catalogue (over a thousand
    # per region, seconds to list); the account's own carry its owner id.
    account = sandbox.client("sts").get_caller_identity()["Account"]
    for region in sorted(set(regions)):
        ec2 = sandbox.client("ec2", region=region)
        elbv2 = sandbox.client("elbv2", region=region)
        autoscaling = sandbox.client("autoscaling", region=region)
        cloudwatch = sandbox.client("cloudwatch", region=region)
        listings = {
            "vpcs": [v["VpcId"] for v in _pages(ec2, "describe_vpcs", "Vpcs")],
            "subnets": [s["SubnetId"] for s in _pages(ec2, "describe_subnets", "Subnets")],
            "security_groups": [g["GroupId"] for g in _pages(ec2, "describe_security_groups", "SecurityGroups")],
            "instances": [i["InstanceId"] for r in _pages(ec2, "describe_instances", "Reservations")
                          for i in r["Instances"] if i["State"]["Name"] != "terminated"],
            "launch_templates": [t["LaunchTemplateId"] for t in
                                 _pages(ec2, "describe_launch_templates", "LaunchTemplates")],
            "images": [i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]],
            "snapshots": [s["SnapshotId"] for s in _pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"],
                                                          Filters=[{"Name": "owner-id", "Values": [account]}])],
            "volumes": [v["VolumeId"] for v in _pages(ec2, "describe_volumes", "Volumes")],
            "key_pairs": [k["KeyName"] for k in ec2.describe_key_pairs().get("KeyPairs", [])],
            "load_balancers": [b["LoadBalancerArn"] for b in _pages(elbv2, "describe_load_balancers", "LoadBalancers")],
            "target_groups": [t["TargetGroupArn"] for t in _pages(elbv2, "describe_target_groups", "TargetGroups")],
            "autoscaling_groups": [g["AutoScalingGroupName"] for g in
                                   _pages(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups")],
            "alarms": [a["AlarmName"] for a in _pages(cloudwatch, "describe_alarms", "MetricAlarms")],
        }
        for kind, ids in listings.items():
            seen.update((region, kind, i) for i in ids)
    iam = sandbox.client("iam")
    seen.update(("global", "iam_roles", r["Arn"]) for r in _pages(iam, "list_roles", "Roles"))
    seen.update(("global", "instance_profiles", p["Arn"])
                for p in _pages(iam, "list_instance_profiles", "InstanceProfiles"))
    return seen


def snapshot_diff(before: set, after: set) -> dict:
    """{"added": [...], "removed": [...]} between two resource_snapshot results (sorted)."""
    return {"added": sorted(after - before), "removed": sorted(before - after)}
