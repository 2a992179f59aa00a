#!/usr/bin/env python3
"""The benchmark: how long the collection takes, and how many AWS API calls it makes, on the sandbox.

    ./benchmarks/run.sh                 # 3 runs of everything (see docs/benchmarks.md)
    ./benchmarks/run.sh --quick         # 1 run, without the many-stack part

Per run, each measurement on a fresh sandbox (stopped, new empty state directory, started):

  first    `ansible-playbook playbooks/site.yml --limit <stack> --skip-tags scale_test`, wall time
           and the sandbox's request log (cleared just before)
  rerun    the same again, unchanged, on the same sandbox
  multi    a generated inventory of N stacks (default 4), one run with the configured forks
  overlap  a first converge with `site_overlap=true` and one with `site_overlap=false`, each on a
           sandbox whose clock is slowed (SCALEOUT_SANDBOX_SECONDS_PER_MINUTE, default 10) so that
           the lifecycle waits dominate
  boto3    benchmarks/boto3_reference.py: the same resources built by a plain boto3 script
  scale    after `first`, on the same sandbox: the scale test (`--tags scale_test`) twice, once on
           an idle machine and once with a second process keeping every CPU busy (CpuHog); for
           each, benchmarks/scale_agreement.py compares the report's time to N instances with
           AWS's own activity timestamps

Figures are medians over the runs, with min and max; the raw measurements go to a JSON file and
the report to docs/benchmarks.md. A benchmark reports figures: nothing here passes or fails on a
time. The exit status is non-zero only when a measured command itself failed.

stdlib only (boto3 is used by the reference script, in its own process).
"""

from __future__ import annotations

import argparse
import configparser
import glob
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_lib as lib  # noqa: E402  (beside this file)

LOOPBACK = "127.0.0.1"
SANDBOX_ENV_CLEARED = (  # settings of the caller's environment that would change what is measured
    "SCALEOUT_SANDBOX_DELAYS", "SCALEOUT_SANDBOX_IAM_ENFORCE", "SCALEOUT_SANDBOX_ENDPOINT",
    "SCALEOUT_SANDBOX_ACCESS_KEY", "SCALEOUT_SANDBOX_SECRET_KEY", "SCALEOUT_SANDBOX_SECONDS_PER_MINUTE",
    "ANSIBLE_CONFIG", "ANSIBLE_INVENTORY",
)
PARTS = ("first", "multi", "overlap", "boto3", "scale")


class BenchmarkError(Exception):
    """The benchmark cannot go on; the message says why."""


# ---------------------------------------------------------------- the sandbox


class Sandbox:
    """One sandbox at a time on `port`, each start in a new empty state directory."""

    def __init__(self, port: int, state_root: Path):
        self.port = port
        self.state_root = state_root
        self.endpoint = f"http://{LOOPBACK}:{port}"
        self.env: dict | None = None
        self.count = 0
        self.delays: dict | None = None  # the lifecycle delays of the first sandbox started (simulated seconds)

    def _env(self, directory: Path, seconds_per_minute: float | None) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in SANDBOX_ENV_CLEARED}
        env.update(SCALEOUT_SANDBOX_PORT=str(self.port), SCALEOUT_SANDBOX_STATE_DIR=str(directory))
        if seconds_per_minute is not None:
            env["SCALEOUT_SANDBOX_SECONDS_PER_MINUTE"] = format(seconds_per_minute, "g")
        return env

    def _ctl(self, command: str, env: dict) -> subprocess.CompletedProcess:
        return subprocess.run([str(REPO / "scripts" / "sandbox"), command], env=env, cwd=REPO,
                              capture_output=True, text=True, check=False)

    def stop_stale(self) -> None:
        """Stop sandboxes an interrupted benchmark left in the state root, then empty it."""
        for directory in sorted(self.state_root.glob("sandbox-*")):
            self._ctl("down", self._env(directory, None))
        shutil.rmtree(self.state_root, ignore_errors=True)
        self.state_root.mkdir(parents=True)

    def fresh(self, seconds_per_minute: float | None = None) -> "Sandbox":
        self.down()
        if port_in_use(self.port):
            raise BenchmarkError(f"port {self.port} on {LOOPBACK} is in use by another program; choose one with --port")
        self.count += 1
        directory = self.state_root / f"sandbox-{self.count:02d}"
        directory.mkdir(parents=True)
        env = self._env(directory, seconds_per_minute)
        done = self._ctl("up", env)
        if done.returncode != 0:
            raise BenchmarkError(f"the sandbox did not start: {done.stderr.strip() or done.stdout.strip()}")
        self.env = env
        if self.delays is None:
            self.delays = self.call("GET", "/_sandbox/delays")
        return self

    def down(self) -> None:
        if self.env is not None:
            self._ctl("down", self.env)
            self.env = None

    def call(self, method: str, path: str):
        request = urllib.request.Request(self.endpoint + path, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode())

    def clear_requests(self) -> None:
        self.call("DELETE", "/_sandbox/requests")

    def requests(self) -> list:
        return self.call("GET", "/_sandbox/requests")


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


# ---------------------------------------------------------------- measuring one command


def run_command(command: list, env: dict, log_path: Path, timeout_s: float) -> tuple:
    """(wall seconds, exit status, output): the command in its own process group, killed whole
    on timeout (status None)."""
    started = time.monotonic()
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(str(c) for c in command) + "\n")
        log.flush()
        proc = subprocess.Popen([str(c) for c in command], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            status = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            status = None
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    wall = time.monotonic() - started
    return wall, status, log_path.read_text(errors="replace")


def measure(sandbox: Sandbox, label: str, command: list, env: dict, log_path: Path, timeout_s: float) -> dict:
    """Run `command` with the request log cleared just before; what it took and what it called."""
    load_before = os.getloadavg()[0]
    sandbox.clear_requests()
    wall, status, output = run_command(command, env, log_path, timeout_s)
    try:
        requests = lib.count_requests(sandbox.requests())
        log_read = True
    except (OSError, ValueError) as err:  # the sandbox died: the command's figures are not usable
        print(f"    {label}: the sandbox's request log could not be read: {err}", flush=True)
        requests, log_read = lib.count_requests([]), False
    recap = lib.parse_recap(output)
    task_times = lib.parse_task_times(output)
    ok = status == 0 and log_read
    result = {"label": label, "ok": ok, "rc": status, "wall_s": round(wall, 3), "requests": requests,
              "recap": recap, "changed": lib.recap_total(recap, "changed"), "task_times": task_times,
              "load_1m_before": load_before,
              "log": str(log_path.relative_to(REPO)) if log_path.is_relative_to(REPO) else str(log_path)}
    verdict = "ok" if ok else ("TIMED OUT" if status is None else f"FAILED (exit {status}; see {result['log']})")
    changed = "" if result["changed"] is None else f", changed={result['changed']}"
    print(f"    {label}: {wall:.1f} s, {requests['total']} API calls ({requests['mutating']} mutating){changed} - {verdict}",
          flush=True)
    return result


class CpuHog:
    """A second process that keeps every CPU of the machine busy (one spinning worker per CPU)
    while a measured command runs: the busy controller of the scale test's second run."""

    SPIN = ("import multiprocessing, os\n"
            "def spin(_):\n"
            "    while True:\n"
            "        pass\n"
            "if __name__ == '__main__':\n"
            "    multiprocessing.Pool(os.cpu_count()).map(spin, range(os.cpu_count()))\n")

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", self.SPIN], start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)  # the workers are spinning before the command starts
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)  # the pool's workers share its session
        self.process.wait(timeout=30)


# ---------------------------------------------------------------- the benchmark


class Benchmark:
    def __init__(self, args):
        self.args = args
        self.work = (REPO / "build" / "benchmarks").resolve()
        self.logs = self.work / "logs"
        self.sandbox = Sandbox(args.port, self.work / "state")
        playbook_dir = Path(sys.executable).parent
        self.ansible_playbook = str(playbook_dir / "ansible-playbook") if (playbook_dir / "ansible-playbook").exists() \
            else (shutil.which("ansible-playbook") or "ansible-playbook")
        self.multi_inventory = self.work / f"inventory-{args.stacks}-stacks"
        self.slow = args.slow_seconds_per_minute

    # ------------------------------------------------------------ set-up

    def prepare(self) -> None:
        self.sandbox.stop_stale()
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        if "multi" in self.args.parts:
            shutil.rmtree(self.multi_inventory, ignore_errors=True)
            self.multi_inventory.mkdir(parents=True)
            hosts = lib.stack_hosts(self.args.stacks, self.args.regions)
            (self.multi_inventory / "hosts.yml").write_text(lib.hosts_yaml(hosts))
            shutil.copytree(REPO / "inventories" / "sandbox" / "group_vars", self.multi_inventory / "group_vars")

    def ansible_env(self) -> dict:
        env = dict(self.sandbox.env)
        env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PY_COLORS="0", NO_COLOR="1",
                   PATH=os.pathsep.join([str(Path(self.ansible_playbook).parent), env.get("PATH", "")]))
        # Time per task (ansible.posix, in the ansible bundle): the report's slowest tasks.
        callbacks = [c for c in env.get("ANSIBLE_CALLBACKS_ENABLED", "").split(",") if c.strip()]
        env["ANSIBLE_CALLBACKS_ENABLED"] = ",".join(callbacks + ["ansible.posix.profile_tasks"])
        env.update(PROFILE_TASKS_TASK_OUTPUT_LIMIT="all", PROFILE_TASKS_SORT_ORDER="none")
        return env

    def site(self, inventory: Path, *extra) -> list:
        return [self.ansible_playbook, "-i", str(inventory), "playbooks/site.yml", "--skip-tags", "scale_test", *extra]

    # ------------------------------------------------------------ one run

    def run_once(self, index: int) -> dict:
        a, run = self.args, {"index": index}
        sandbox_inventory = REPO / "inventories" / "sandbox"
        log = lambda name: self.logs / f"run{index}-{name}.log"  # noqa: E731

        if "first" in a.parts:
            print(f"  [run {index}] one stack ({a.stack}): first converge, then an unchanged re-run", flush=True)
            self.sandbox.fresh()
            command = self.site(sandbox_inventory, "--limit", a.stack)
            run["first"] = measure(self.sandbox, "first converge", command, self.ansible_env(), log("first"), a.timeout)
            run["rerun"] = measure(self.sandbox, "re-run", command, self.ansible_env(), log("rerun"), a.timeout)

        if "scale" in a.parts:
            for busy in (False, True):
                key = "scale_busy" if busy else "scale_idle"
                run[key] = self.scale_test(index, key, busy, log(key))

        if "multi" in a.parts:
            print(f"  [run {index}] {a.stacks} stacks in one run ({', '.join(sorted(set(a.regions)))})", flush=True)
            self.sandbox.fresh()
            run["multi"] = measure(self.sandbox, f"{a.stacks} stacks", self.site(self.multi_inventory),
                                   self.ansible_env(), log("multi"), a.timeout)

        if "overlap" in a.parts:
            print(f"  [run {index}] overlap on/off, sandbox clock {self.slow:g} s per simulated minute", flush=True)
            # Alternate the order from run to run, so that a drift of the machine's load favours neither.
            order = (True, False) if index % 2 else (False, True)
            for overlap in order:
                key = "overlap_on" if overlap else "overlap_off"
                self.sandbox.fresh(self.slow)
                command = self.site(sandbox_inventory, "--limit", a.stack, "-e", json.dumps({"site_overlap": overlap}))
                run[key] = measure(self.sandbox, f"site_overlap={str(overlap).lower()}", command, self.ansible_env(),
                                   log(key), a.timeout)
                run[key]["seconds_per_simulated_minute"] = self.sandbox.call("GET", "/_sandbox/clock")["seconds_per_simulated_minute"]

        if "boto3" in a.parts:
            print(f"  [run {index}] boto3 reference script", flush=True)
            self.sandbox.fresh()
            command = [sys.executable, HERE / "boto3_reference.py", "--endpoint", self.sandbox.endpoint,
                       "--region", "ap-northeast-2", "--name", f"ref{index}"]
            run["boto3"] = measure(self.sandbox, "boto3 reference", command, dict(self.sandbox.env), log("boto3"), a.timeout)
        self.sandbox.down()
        return run

    def scale_test(self, index: int, key: str, busy: bool, log_path: Path) -> dict:
        """The scale test on the converged stack, then its report checked against AWS's activities."""
        a = self.args
        print(f"  [run {index}] scale test, {'every CPU kept busy by a second process' if busy else 'idle machine'}", flush=True)
        reports = self.work / f"reports-run{index}-{key}"
        shutil.rmtree(reports, ignore_errors=True)
        command = [self.ansible_playbook, "-i", str(REPO / "inventories" / "sandbox"), "playbooks/site.yml", "--limit", a.stack,
                   "--tags", "scale_test", "-e", json.dumps({"scale_test_reports_dir": str(reports)})]
        if busy:
            with CpuHog():
                result = measure(self.sandbox, f"scale test ({key})", command, self.ansible_env(), log_path, a.timeout)
        else:
            result = measure(self.sandbox, f"scale test ({key})", command, self.ansible_env(), log_path, a.timeout)
        found = sorted(glob.glob(str(reports / "*" / "*" / "result.json")))
        clock = self.sandbox.call("GET", "/_sandbox/clock")
        result["api_seconds_per_poll"] = round(60.0 * a.scale_poll_interval / clock["seconds_per_simulated_minute"], 1)
        if not found:
            result["ok"] = False
            print(f"    {key}: no result.json under {reports}", flush=True)
            return result
        check = subprocess.run([sys.executable, str(HERE / "scale_agreement.py"), "--endpoint", self.sandbox.endpoint,
                                "--region", a.scale_region, "--result", found[-1]],
                               capture_output=True, text=True, check=False, timeout=120)
        if check.returncode != 0:
            result["ok"] = False
            print(f"    {key}: scale_agreement.py failed: {check.stderr.strip()[-400:]}", flush=True)
            return result
        result["agreement"] = json.loads(check.stdout)
        print(f"    {key}: {json.dumps(result['agreement'])}", flush=True)
        return result

    def run(self) -> dict:
        a = self.args
        meta = machine()
        meta.update(started=utcnow(), runs_requested=a.runs, quick=a.quick, parts=list(a.parts), port=a.port,
                    stack=a.stack, stacks=a.stacks, regions=a.regions, slow_seconds_per_minute=self.slow,
                    forks=forks(), site_overlap_in_playbook=site_overlap_present(),
                    command="./benchmarks/run.sh " + " ".join(a.argv))
        print(f"benchmark: {a.runs} run(s) of {', '.join(a.parts)} on port {a.port}; logs in {self.logs.relative_to(REPO)}",
              flush=True)
        self.prepare()
        started = time.monotonic()
        runs = []
        try:
            for index in range(1, a.runs + 1):
                print(f"run {index} of {a.runs}", flush=True)
                runs.append(self.run_once(index))
                meta["delays"] = self.sandbox.delays
        finally:
            self.sandbox.down()
        meta.update(finished=utcnow(), total_wall_s=round(time.monotonic() - started, 1),
                    load_average_after=list(os.getloadavg()))
        return {"meta": meta, "runs": runs}


# ---------------------------------------------------------------- facts


def utcnow() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=False)
    return {
        "cpu_model": lib.cpu_model(read("/proc/cpuinfo")),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "memory_gib": lib.memory_gib(read("/proc/meminfo")),
        "load_average_before": list(os.getloadavg()),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in ("ansible", "ansible-core", "moto", "boto3", "botocore")},
        "git_commit": commit.stdout.strip() or "unknown",
        "git_dirty": bool(dirty.stdout.strip()),
    }


def forks() -> int:
    if os.environ.get("ANSIBLE_FORKS", "").isdigit():
        return int(os.environ["ANSIBLE_FORKS"])
    config = configparser.ConfigParser()
    config.read(REPO / "ansible.cfg")
    return config.getint("defaults", "forks", fallback=5)


def site_overlap_present() -> bool:
    return "site_overlap" in read(str(REPO / "playbooks" / "site.yml"))


# ---------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.sh",
        description="Benchmark the collection on the local sandbox: converge times, API calls, many stacks, "
                    "overlap, and a plain boto3 reference. Writes docs/benchmarks.md and a JSON file of raw results.")
    parser.add_argument("--runs", type=int, default=3, help="runs of every measurement (default 3)")
    parser.add_argument("--quick", action="store_true", help="one run, without the many-stack part")
    parser.add_argument("--output", default="docs/benchmarks.md", help="the Markdown report (default docs/benchmarks.md)")
    parser.add_argument("--json", default="build/benchmarks/results.json", help="raw results (default build/benchmarks/results.json)")
    parser.add_argument("--port", type=int, default=4650, help="the sandbox port on 127.0.0.1 (default 4650)")
    parser.add_argument("--stack", default="demo", help="the sandbox inventory's stack for one-stack runs (default demo)")
    parser.add_argument("--scale-region", default="ap-northeast-2", help="the region of --stack in the sandbox inventory")
    parser.add_argument("--scale-poll-interval", type=float, default=1.0,
                        help="the sandbox inventory's scale_test_poll_interval, in real seconds (default 1)")
    parser.add_argument("--stacks", type=int, default=4, help="stacks of the many-stack run (default 4)")
    parser.add_argument("--regions", default="ap-northeast-2",
                        help="comma-separated regions for the many-stack run, assigned in turn (default ap-northeast-2)")
    parser.add_argument("--slow-seconds-per-minute", type=float, default=10.0,
                        help="sandbox clock of the overlap runs, real seconds per simulated minute (default 10)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"what to measure (default {','.join(PARTS)})")
    parser.add_argument("--timeout", type=float, default=3600.0, help="real seconds before one measured command is killed")
    parser.add_argument("--note", help="a Markdown file appended to the report as its closing note")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: write the report again from the raw results of --json")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(args.parts) - set(PARTS))
    if unknown:
        parser.error(f"--parts: unknown {', '.join(unknown)} (choose from {', '.join(PARTS)})")
    if "scale" in args.parts and "first" not in args.parts:
        parser.error("--parts: scale runs on the stack of first; give both")
    if args.quick:
        args.runs = 1
        args.parts = [p for p in args.parts if p != "multi"]
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not 1024 <= args.port <= 65535:
        parser.error("--port must be between 1024 and 65535")
    if args.stacks < 2:
        parser.error("--stacks must be at least 2")
    args.regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if not args.regions:
        parser.error("--regions: give at least one region")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    json_path = (REPO / args.json) if not Path(args.json).is_absolute() else Path(args.json)
    if args.render_only:
        try:
            results = json.loads(json_path.read_text())
        except (OSError, ValueError) as err:
            print(f"benchmark: cannot read the raw results {json_path}: {err}", file=sys.stderr)
            return 1
    else:
        try:
            results = Benchmark(args).run()
        except BenchmarkError as err:
            print(f"benchmark: {err}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("benchmark: interrupted; nothing written", file=sys.stderr)
            return 130
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=2) + "\n")
    report = lib.render_report(results, json_path=str(json_path.relative_to(REPO)) if json_path.is_relative_to(REPO)
                               else str(json_path))
    if args.note:
        # A closing note written by hand (e.g. before and after a change), kept at the end of the report.
        report = report.rstrip("\n") + "\n\n" + Path(args.note).read_text().strip("\n") + "\n"
    output = (REPO / args.output) if not Path(args.output).is_absolute() else Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)
    print()
    print(lib.results_table(results))
    print()
    print(f"benchmark: {results['meta']['total_wall_s']:.0f} s in all; report {args.output}, raw results {args.json}")
    failed = [f"run {run['index']} {m['label']} ({m['log']})" for run in results["runs"]
              for m in run.values() if isinstance(m, dict) and not m.get("ok", True)]
    if failed:
        print("benchmark: some measured commands failed; their figures are left out:\n  " + "\n  ".join(failed),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
