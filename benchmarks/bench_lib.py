"""Pure helpers of the benchmark (benchmarks/run.py): no process, no network, no file access.

Statistics of repeated measurements, request-log counting, ansible-playbook recap parsing, the
critical-path expectation from the sandbox's delays, machine facts from /proc text, the generated
many-stack inventory, and the Markdown tables. Unit-tested in test_benchmark_helpers.py.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from typing import Iterable, Optional

# ---------------------------------------------------------------- statistics


def summarize(values: Iterable[Optional[float]]) -> dict:
    """Median, min and max of the values that were measured (None = not measured or failed)."""
    measured = [float(v) for v in values if v is not None]
    if not measured:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {"n": len(measured), "median": statistics.median(measured), "min": min(measured), "max": max(measured)}


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def difference(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """a - b, or None when either is missing."""
    if a is None or b is None:
        return None
    return a - b


# ---------------------------------------------------------------- the sandbox's request log


def count_requests(entries: Iterable[dict]) -> dict:
    """Counts of a /_sandbox/requests log: total, mutating, read-only, errors (HTTP status >= 400),
    and per service and per action (an unknown service counts as "unknown")."""
    entries = list(entries)
    by_service = Counter((e.get("service") or "unknown") for e in entries)
    by_action = Counter(f"{e.get('service') or 'unknown'}:{e.get('action') or 'unknown'}" for e in entries)
    mutating = sum(1 for e in entries if e.get("mutating"))
    errors = sum(1 for e in entries if int(e.get("status") or 0) >= 400)
    return {
        "total": len(entries),
        "mutating": mutating,
        "read": len(entries) - mutating,
        "errors": errors,
        "by_service": dict(sorted(by_service.items())),
        "by_action": dict(sorted(by_action.items(), key=lambda item: (-item[1], item[0]))),
    }


# ---------------------------------------------------------------- ansible-playbook output

_RECAP_LINE = re.compile(r"^(?P<host>\S+)\s*:\s*(?P<counts>(?:[a-z]+=\d+\s*)+)$")


def parse_recap(output: str) -> dict:
    """The PLAY RECAP of ansible-playbook output: {host: {"ok": N, "changed": N, "failed": N, ...}}."""
    recap: dict = {}
    lines = output.splitlines()
    try:
        start = max(i for i, line in enumerate(lines) if line.startswith("PLAY RECAP"))
    except ValueError:
        return recap
    for line in lines[start + 1:]:
        match = _RECAP_LINE.match(line.strip())
        if not match:
            if line.strip():
                break
            continue
        recap[match.group("host")] = {key: int(value) for key, value in
                                      (pair.split("=") for pair in match.group("counts").split())}
    return recap


def recap_total(recap: dict, key: str) -> Optional[int]:
    """The sum of one recap count over all hosts (None when there is no recap)."""
    if not recap:
        return None
    return sum(counts.get(key, 0) for counts in recap.values())


_TASK_TIME = re.compile(r"^(?P<name>\S.*?) -*\s*(?P<seconds>\d+(?:\.\d+)?)s$")


def parse_task_times(output: str) -> dict:
    """Seconds per task name from the TASKS RECAP of the ansible.posix.profile_tasks callback
    (tasks of the same name, e.g. of a role included in a loop, added up), in the recap's order."""
    lines = output.splitlines()
    try:
        start = max(i for i, line in enumerate(lines) if line.startswith("TASKS RECAP"))
    except ValueError:
        return {}
    times: dict = {}
    for line in lines[start + 1:]:
        if not line.strip() or line.startswith("=") or line[:1].isspace():
            continue
        match = _TASK_TIME.match(line.rstrip())
        if not match:
            if times:
                break
            continue  # the timestamp line under the banner
        name = match.group("name").strip()
        times[name] = times.get(name, 0.0) + float(match.group("seconds"))
    return times


# ---------------------------------------------------------------- the critical path


def critical_path(delays: dict, seconds_per_minute: float = 1.0) -> dict:
    """What the sandbox's lifecycle delays (simulated seconds) make the longest waits of a first
    converge: the bake (temporary instance booted, image available, temporary instance terminated)
    and the load balancer's provisioning. In sequence they add up; overlapped, the longer one
    decides. `*_real_s` are the same in real seconds on a clock of `seconds_per_minute`."""
    bake = max(float(delays["instance_boot_s"]), float(delays["instance_pending_s"])) \
        + float(delays["image_pending_s"]) + float(delays["instance_shutdown_s"])
    alb = float(delays["lb_provisioning_s"])
    sequential, overlapped = bake + alb, max(bake, alb)
    scale = float(seconds_per_minute) / 60.0
    result = {"bake_s": bake, "alb_s": alb, "sequential_s": sequential, "overlapped_s": overlapped,
              "saving_s": sequential - overlapped, "seconds_per_simulated_minute": float(seconds_per_minute)}
    for key in ("bake_s", "alb_s", "sequential_s", "overlapped_s", "saving_s"):
        result[key[:-2] + "_real_s"] = result[key] * scale
    return result


# ---------------------------------------------------------------- the machine


def cpu_model(cpuinfo: str) -> str:
    """The CPU model from /proc/cpuinfo text ("model name", else "Hardware"/"cpu model"/"Processor")."""
    for key in ("model name", "hardware", "cpu model", "processor"):
        for line in cpuinfo.splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip().lower() == key and value.strip() and not value.strip().isdigit():
                return value.strip()
    return "unknown"


def memory_gib(meminfo: str) -> Optional[float]:
    """MemTotal of /proc/meminfo text, in GiB."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            parts = line.split()
            kib = float(parts[1])
            unit = parts[2].lower() if len(parts) > 2 else "kb"
            factor = {"kb": 1, "mb": 1024, "gb": 1024 * 1024}.get(unit, 1)
            return kib * factor / (1024 * 1024)
    return None


# ---------------------------------------------------------------- the many-stack inventory


def stack_hosts(count: int, regions: list, prefix: str = "bench") -> dict:
    """`count` stacks named prefix-1..prefix-N, assigned to `regions` round-robin:
    {host: {"stack_name": ..., "scaleout_aws_region": ...}}."""
    if count < 1 or not regions:
        raise ValueError("need at least one stack and one region")
    hosts = {}
    for index in range(count):
        name = f"{prefix}-{index + 1}"
        if len(name) > 20:
            raise ValueError(f"stack name {name!r} is longer than 20 characters")
        hosts[name] = {"stack_name": name, "scaleout_aws_region": regions[index % len(regions)]}
    return hosts


def hosts_yaml(hosts: dict, group: str = "webtier_stacks") -> str:
    """An Ansible YAML inventory of `hosts` (flat string variables) in `group`."""
    lines = ["---", "# Generated by benchmarks/run.py: one host per stack.", f"{group}:", "  hosts:"]
    for host, variables in hosts.items():
        lines.append(f"    {host}:")
        for key, value in variables.items():
            lines.append(f"      {key}: {value}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- rendering


def format_value(value: Optional[float], digits: int = 1) -> str:
    """A number for a table with `digits` decimals, '-' when missing. Counts (digits=0) show one
    decimal only when they are not whole (the median of an even number of runs)."""
    if value is None:
        return "-"
    if digits == 0:
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{value:.{digits}f}"


def markdown_table(headers: list, rows: list, align: Optional[list] = None) -> str:
    """A Markdown table; `align` per column: "l" (default) or "r"."""
    align = align or ["l"] * len(headers)
    cells = [[str(cell) for cell in row] for row in rows]
    for row in cells:
        if len(row) != len(headers):
            raise ValueError(f"row {row} has {len(row)} cells, the table {len(headers)} columns")
    widths = [max([len(str(h))] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    widths = [max(w, 3) for w in widths]

    def line(values):
        out = []
        for i, value in enumerate(values):
            out.append(value.rjust(widths[i]) if align[i] == "r" else value.ljust(widths[i]))
        return "| " + " | ".join(out) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if a == "r" else "-" * w for w, a in zip(widths, align)) + " |"
    return "\n".join([line([str(h) for h in headers]), rule] + [line(row) for row in cells])


def summary_rows(figures: list) -> list:
    """Table rows (figure, median, min, max, runs) from [(label, values, digits), ...]."""
    rows = []
    for label, values, digits in figures:
        s = summarize(values)
        rows.append([label, format_value(s["median"], digits), format_value(s["min"], digits),
                     format_value(s["max"], digits), str(s["n"])])
    return rows


def service_rows(runs: list, columns: list) -> list:
    """Median API calls per service: one row per service seen in any of the `columns`
    (measurement keys of each run), one cell per column; failed measurements are left out."""
    def by_service(run, key):  # None when not measured or its command failed
        return _measured(run, key, "requests", "by_service")

    services = sorted({service for run in runs for key in columns for service in (by_service(run, key) or {})})
    rows = []
    for service in services:
        row = [service]
        for key in columns:
            values = [by_service(run, key).get(service, 0) for run in runs if by_service(run, key) is not None]
            row.append(format_value(summarize(values)["median"], 0))
        rows.append(row)
    return rows


def slow_task_rows(runs: list, columns: list, limit: int = 10) -> list:
    """The `limit` slowest tasks: the median seconds of each task name per column (measurement
    key), a task missing from a measurement counting as 0; ordered by the largest median."""
    medians: dict = {}
    for key in columns:
        measured = [t for t in (_measured(run, key, "task_times") for run in runs) if t is not None]
        for name in {name for times in measured for name in times}:
            medians.setdefault(name, {})[key] = summarize(times.get(name, 0.0) for times in measured)["median"]
    ranked = sorted(medians.items(), key=lambda item: (-max(v for v in item[1].values()), item[0]))[:limit]
    return [[name] + [format_value(values.get(key), 1) for key in columns] for name, values in ranked]


# ---------------------------------------------------------------- the report


def _measured(run: dict, key: str, *path):
    """A value of one measurement of a run (None when absent or when its command failed)."""
    value = run.get(key)
    if not isinstance(value, dict) or not value.get("ok"):
        return None
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return value


def figures(results: dict) -> list:
    """[(label, [value per run], decimals), ...] for every figure the runs measured."""
    runs, meta = results["runs"], results["meta"]
    has = lambda key: any(key in run for run in runs)  # noqa: E731
    per_run = lambda fn: [fn(run) for run in runs]  # noqa: E731
    rows = []
    if has("first"):
        rows += [
            ("First converge, 1 stack (s)", per_run(lambda r: _measured(r, "first", "wall_s")), 1),
            ("Unchanged re-run (s)", per_run(lambda r: _measured(r, "rerun", "wall_s")), 1),
            ("Re-run / first converge", per_run(lambda r: ratio(_measured(r, "rerun", "wall_s"),
                                                                _measured(r, "first", "wall_s"))), 2),
            ("Re-run: tasks reporting changed", per_run(lambda r: _measured(r, "rerun", "changed")), 0),
            ("API calls, first converge: total", per_run(lambda r: _measured(r, "first", "requests", "total")), 0),
            ("API calls, first converge: mutating", per_run(lambda r: _measured(r, "first", "requests", "mutating")), 0),
            ("API calls, re-run: total", per_run(lambda r: _measured(r, "rerun", "requests", "total")), 0),
            ("API calls, re-run: mutating", per_run(lambda r: _measured(r, "rerun", "requests", "mutating")), 0),
        ]
    if has("multi"):
        n = meta.get("stacks", 4)
        rows.append((f"{n} stacks in one run (s)", per_run(lambda r: _measured(r, "multi", "wall_s")), 1))
        if has("first"):
            rows.append((f"{n} stacks / 1 stack (1.0 = fully parallel, {n:.1f} = serial)",
                         per_run(lambda r: ratio(_measured(r, "multi", "wall_s"), _measured(r, "first", "wall_s"))), 2))
        rows += [
            (f"API calls, {n} stacks: total", per_run(lambda r: _measured(r, "multi", "requests", "total")), 0),
            (f"API calls, {n} stacks: mutating", per_run(lambda r: _measured(r, "multi", "requests", "mutating")), 0),
        ]
    if has("overlap_on") or has("overlap_off"):
        spm = meta.get("slow_seconds_per_minute", 10)
        rows += [
            (f"First converge, site_overlap=true, clock {spm:g} s/min (s)",
             per_run(lambda r: _measured(r, "overlap_on", "wall_s")), 1),
            (f"First converge, site_overlap=false, clock {spm:g} s/min (s)",
             per_run(lambda r: _measured(r, "overlap_off", "wall_s")), 1),
            ("Overlap saving: false - true (s)",
             per_run(lambda r: difference(_measured(r, "overlap_off", "wall_s"), _measured(r, "overlap_on", "wall_s"))), 1),
        ]
    if has("boto3"):
        rows += [
            ("boto3 reference script (s)", per_run(lambda r: _measured(r, "boto3", "wall_s")), 1),
            ("API calls, boto3 reference: total", per_run(lambda r: _measured(r, "boto3", "requests", "total")), 0),
            ("API calls, boto3 reference: mutating", per_run(lambda r: _measured(r, "boto3", "requests", "mutating")), 0),
        ]
        if has("first"):
            rows += [
                ("First converge / boto3 reference (wall)",
                 per_run(lambda r: ratio(_measured(r, "first", "wall_s"), _measured(r, "boto3", "wall_s"))), 2),
                ("First converge / boto3 reference (API calls)",
                 per_run(lambda r: ratio(_measured(r, "first", "requests", "total"),
                                         _measured(r, "boto3", "requests", "total"))), 2),
            ]
    for key, label in (("scale_idle", "idle machine"), ("scale_busy", "every CPU busy")):
        if has(key):
            rows += [
                (f"Scale test, {label} (s)", per_run(lambda r, k=key: _measured(r, k, "wall_s")), 1),
                (f"Scale test, {label}: time to N by AWS's activities (API s)",
                 per_run(lambda r, k=key: _measured(r, k, "agreement", "aws_time_to_target_s")), 0),
                (f"Scale test, {label}: reported - AWS (API s)",
                 per_run(lambda r, k=key: _measured(r, k, "agreement", "reported_minus_aws_s")), 0),
                (f"Scale test, {label}: wait's poll saw it - AWS (API s)",
                 per_run(lambda r, k=key: _measured(r, k, "agreement", "seen_minus_aws_s")), 0),
                (f"Scale test, {label}: one poll interval (API s)", per_run(lambda r, k=key: _measured(r, k, "api_seconds_per_poll")), 0),
                (f"API calls, scale test, {label}: total", per_run(lambda r, k=key: _measured(r, k, "requests", "total")), 0),
            ]
    return rows


def results_table(results: dict) -> str:
    return markdown_table(["figure", "median", "min", "max", "runs"], summary_rows(figures(results)),
                          ["l", "r", "r", "r", "r"])


def critical_path_table(results: dict) -> str:
    meta = results["meta"]
    if not meta.get("delays"):
        return ""
    spm = meta.get("slow_seconds_per_minute", 10)
    path = critical_path(meta["delays"], spm)
    measured = summarize(difference(_measured(r, "overlap_off", "wall_s"), _measured(r, "overlap_on", "wall_s"))
                         for r in results["runs"])["median"]
    rows = [
        ["bake: instance boot + image + temporary instance terminated", path["bake_s"], path["bake_real_s"]],
        ["load balancer provisioning", path["alb_s"], path["alb_real_s"]],
        ["in sequence (sum)", path["sequential_s"], path["sequential_real_s"]],
        ["overlapped (max)", path["overlapped_s"], path["overlapped_real_s"]],
        ["expected saving (sum - max)", path["saving_s"], path["saving_real_s"]],
    ]
    rows = [[label, format_value(sim, 0), format_value(real, 1)] for label, sim, real in rows]
    rows.append(["measured saving (median, false - true)", "-", format_value(measured, 1)])
    return markdown_table(["critical path", "simulated s", f"real s at {spm:g} s/min"], rows, ["l", "r", "r"])


def _machine_lines(meta: dict) -> list:
    load = lambda values: " / ".join(f"{v:.2f}" for v in values) if values else "-"  # noqa: E731
    versions = meta.get("versions", {})
    memory = meta.get("memory_gib")
    return [
        f"- CPU: {meta.get('cpu_model', 'unknown')}, {meta.get('cpu_count')} logical CPUs "
        f"({meta.get('cpus_usable')} usable by the benchmark)",
        f"- Memory: {memory:.1f} GiB" if memory else "- Memory: unknown",
        f"- Load average (1 / 5 / 15 min): {load(meta.get('load_average_before'))} before, "
        f"{load(meta.get('load_average_after'))} after",
        f"- OS: {meta.get('os', 'unknown')}",
        f"- Python {meta.get('python')}, ansible {versions.get('ansible')}, ansible-core {versions.get('ansible-core')}, "
        f"moto {versions.get('moto')}, boto3 {versions.get('boto3')}, botocore {versions.get('botocore')}",
        f"- Date: {meta.get('started')} to {meta.get('finished')} ({meta.get('total_wall_s', 0) / 60:.0f} min in all)",
        f"- Commit: {meta.get('git_commit')}{' with uncommitted changes' if meta.get('git_dirty') else ''}; "
        f"Ansible forks: {meta.get('forks')}",
        f"- Command: `{meta.get('command', './benchmarks/run.sh').strip()}`",
    ]


REPORT_INTRO = """\
# Benchmarks

How long `playbooks/site.yml` takes and how many AWS API calls it makes, measured on the local
sandbox, next to a plain boto3 script that builds the same resources. **These are figures, not
tests**: nothing passes or fails on a time, and the figures depend on the machine (below). All of
it runs on the sandbox, whose clock is simulated (see `docs/sandbox.md`): the AWS waits are
compressed, so these figures are not what a run on AWS takes (see "How to read this").

This file is generated by `benchmarks/run.py` (edit the text there); the raw measurements of the
run that wrote it are in `{json_path}` (not committed).

## How to run

```bash
./benchmarks/run.sh             # 3 runs of everything: about 50 minutes on the machine below
./benchmarks/run.sh --quick     # 1 run, without the many-stack part: about 10 minutes
```

It creates `.venv/` if needed (`scripts/bootstrap.sh`), then runs `benchmarks/run.py`. Options:
`--runs N` (default 3), `--quick`, `--output docs/benchmarks.md`, `--json build/benchmarks/results.json`,
`--port 4650` (the sandbox's port on 127.0.0.1; a demo or test sandbox on another port keeps running),
`--stacks 4` and `--regions ap-northeast-2[,us-east-1,...]` (the many-stack run), `--slow-seconds-per-minute 10`
(the overlap runs), `--parts first,multi,overlap,boto3,scale` (a subset; scale needs first), `--timeout` (seconds before a
measured command is killed). Logs of every measured command: `build/benchmarks/logs/`.

Every measurement starts a fresh sandbox (stopped, a new empty state directory, started), so runs
do not see each other's resources; starting it is not timed. The parts of one run are measured one
after the other, and the runs follow each other, so a change of the machine's load spreads over
all figures rather than one. Each figure is the median over the runs, with min and max.

## What each figure means

- **First converge, 1 stack**: wall time of
  `ansible-playbook playbooks/site.yml --limit demo --skip-tags scale_test` (`--stack`) on an empty sandbox
  (default clock: one simulated minute per real second): the settings checks, network, bake,
  load balancer, launch template, Auto Scaling group and policy, waiting until the group's
  instances are in service. From the start of the command to its end, Ansible's start-up included.
- **Unchanged re-run**: the same command again right after; it changes nothing ("tasks reporting
  changed" should be 0). **Re-run / first converge** is its share of the first run's time.
- **API calls**: the AWS API calls the sandbox served during the command (`/_sandbox/requests`,
  cleared just before): all of them, and the mutating ones (every action except Describe/Get/List/...).
- **N stacks in one run**: a generated inventory of N stacks (`bench-1`...; `--regions`), the same
  group variables as the sandbox inventory, one `ansible-playbook` run with the configured forks.
  **N stacks / 1 stack** compares it with the first converge of the same run: 1.0 would be fully
  parallel, N serial.
- **site_overlap=true / false**: a first converge with the play variable `site_overlap` (true: the
  load balancer is created without waiting and awaited after the later stages, so bake and load
  balancer provisioning overlap; false: it is awaited where it is created), each on a fresh sandbox
  whose clock runs slower (`--slow-seconds-per-minute`, default 10: the load balancer's 150
  simulated seconds take 25 real seconds, the image's 240 take 40), so that the waits weigh as they
  do on AWS. **Overlap saving** is the difference; the critical-path table gives what the delays
  lead one to expect.
- **boto3 reference script**: `benchmarks/boto3_reference.py`, run as its own process on a fresh
  sandbox: what a user would write by hand to create the same resources (security groups with
  their rules, a temporary instance and group, the image, target group, load balancer and
  listener, IAM role and instance profile, launch template, Auto Scaling group with metrics and
  the target-tracking policy), one step after the other, then waiting for 2 instances in service.
  It waits with boto3's waiters (or polling) **every second** (`WaiterConfig={{"Delay": 1}}`)
  instead of botocore's default 15 s: on the sandbox's fast clock a 15 s poll would measure the
  poll; the collection's sandbox inventory polls every second too. It does less than the
  collection: no idempotence, no validation, it takes the image once the instance is running
  (the collection waits for the provisioning script's verdict in the console), no cleanup on
  failure, two tags per resource.
- **Scale test** (idle machine / every CPU busy): after the first converge, on the same sandbox,
  `ansible-playbook playbooks/site.yml --limit demo --tags scale_test`: CPU load on the group's
  instances, the scale-out to N (the group's max size) and back in, the report. It runs twice: on
  the machine as it is, and with a second process spinning one worker per CPU (`CpuHog` in
  `benchmarks/run.py`) for the whole run. Then `benchmarks/scale_agreement.py` reads the group's
  scaling activities with boto3 and computes, by their own end times, when N instances were in
  service, in seconds of the API's clock after the load started. **reported - AWS** is the
  report's `time_to_target_s` minus that (0 when the report takes AWS's timestamps); **wait's poll
  saw it - AWS** is how much later the wait's poll (the AWS answer that showed N instances in
  service and healthy in the target group) saw it: the poll's lag plus the target group's health
  checks. **One poll interval** is the scale test's poll interval on the API's clock (1 real second
  is 60 simulated seconds on the default clock).
- **Slowest tasks**: seconds per task from the `ansible.posix.profile_tasks` callback, which the
  benchmark enables for every `ansible-playbook` it runs (tasks of the same name added up, e.g. a
  role's tasks over the stages): where the time of a converge goes, and which waits overlap.
"""

REPORT_READING = """\
## How to read this

- **On the sandbox, the time is mostly Ansible's.** The sandbox compresses AWS's waits (image 240 s,
  load balancer 150 s, instance boot 75 s simulated) into seconds, so a first converge measures
  what the controller does: start-up, inventory, templating, and one module process per task,
  each loading boto3 and opening its own session. The boto3 reference builds the same resources in
  one process; the ratio of the two is Ansible's and the collection's overhead (idempotence reads
  before every write, the checks before anything is created, the bake's console verdict and
  cleanup), not a prediction for AWS.
- **On AWS, the waits dominate.** The same delays in real time make a first converge several
  minutes of waiting for the bake (about {bake_min:.1f} min), the load balancer (about {alb_min:.1f}
  min) and the instances, against which Ansible's overhead is small. This is where the overlap
  counts: in sequence, bake and load balancer take their sum; overlapped, the longer of the two,
  saving about {saving_min:.1f} minutes per first converge on AWS. The slow-clock runs show that
  saving on the sandbox (in real seconds at their clock); the re-run has no waits at all and
  costs about the same on AWS as here plus the API's latency per call.
- **Many stacks:** stacks converge in parallel, one fork each, but on the sandbox they share the
  controller's CPUs (the module processes) and the sandbox itself (one process that serves one
  request at a time), so the ratio reflects this machine's CPUs. On AWS the waits of the stacks
  overlap and the ratio comes close to 1.
- **API calls** do not depend on the machine: they are the stable figure to compare between
  versions of the collection. Wall times do: compare them only between runs on the same machine,
  and mind the load average - on a shared, busy machine min and max spread widely; more runs
  (`--runs 5`) narrow the median.
"""


def render_report(results: dict, json_path: str = "build/benchmarks/results.json") -> str:
    """docs/benchmarks.md from the results of run.py."""
    meta = results["meta"]
    runs = results["runs"]
    parts = [REPORT_INTRO.format(json_path=json_path)]
    parts.append("## The machine\n\n" + "\n".join(_machine_lines(meta)) + "\n")
    note = ""
    if meta.get("quick"):
        note = "\nA quick run (`--quick`): one run, so median, min and max are the same figure.\n"
    failed = [f"run {run['index']} {m['label']}" for run in runs for m in run.values()
              if isinstance(m, dict) and "label" in m and not m.get("ok")]
    if failed:
        note += "\nLeft out because their command failed: " + ", ".join(failed) + ".\n"
    if not meta.get("site_overlap_in_playbook", True) and any("overlap_on" in r for r in runs):
        note += ("\n`playbooks/site.yml` did not use `site_overlap` when this was measured: both overlap runs ran "
                 "the same play, and their difference is noise.\n")
    parts.append(f"## Results ({len(runs)} run{'s' if len(runs) != 1 else ''})\n{note}\n" + results_table(results) + "\n")
    service = service_rows(runs, ["first", "rerun", "boto3"])
    if service:
        parts.append("API calls by service (median):\n\n" + markdown_table(
            ["service", "first converge", "re-run", "boto3 reference"], service, ["l", "r", "r", "r"]) + "\n")
    columns = [key for key in ("first", "rerun", "overlap_on", "overlap_off") if any(key in run for run in runs)]
    slow = slow_task_rows(runs, columns)
    if slow:
        spm = meta.get("slow_seconds_per_minute", 10)
        headings = {"first": "first converge", "rerun": "re-run", "overlap_on": f"overlap true ({spm:g} s/min)",
                    "overlap_off": f"overlap false ({spm:g} s/min)"}
        parts.append("Slowest tasks (median seconds; `ansible.posix.profile_tasks`, tasks of the same name added "
                     "up; - = the task did not run):\n\n" + markdown_table(["task"] + [headings[key] for key in columns], slow,
                                                  ["l"] + ["r"] * len(columns)) + "\n")
    table = critical_path_table(results)
    if table:
        parts.append("## Critical path (simulated seconds)\n\nThe longest waits of a first converge, from the "
                     "sandbox's lifecycle delays (`docs/sandbox.md`); on AWS they take about as long in real "
                     "seconds.\n\n" + table + "\n")
    delays = meta.get("delays") or {"instance_boot_s": 75, "instance_pending_s": 30, "image_pending_s": 240,
                                    "instance_shutdown_s": 20, "lb_provisioning_s": 150}
    path = critical_path(delays)
    parts.append(REPORT_READING.format(bake_min=path["bake_s"] / 60, alb_min=path["alb_s"] / 60,
                                       saving_min=path["saving_s"] / 60))
    return "\n".join(parts)
