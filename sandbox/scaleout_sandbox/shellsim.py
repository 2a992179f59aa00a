"""What a shell script would do on an instance, as far as the sandbox can tell: pure functions.

The sandbox does not run commands. It reads an AWS-RunShellScript script (or a user-data script)
and works out, line by line, what a shell would do with the commands that matter:

* CPU loads: ``sha256sum /dev/zero`` (and md5sum/sha1sum/sha512sum/b2sum/cksum of /dev/zero or
  /dev/urandom), ``yes``, ``cat /dev/zero``, ``dd if=/dev/zero``: one busy thread each, unbounded;
  ``stress-ng --cpu N`` / ``stress --cpu N`` (N=0: one per vCPU), bounded by ``--timeout``;
  ``timeout [-s SIG] [-k D] DURATION <load>`` bounds a load and exits 124 when the bound expires,
  as GNU timeout does. A load ending in ``&`` runs in the background and the script goes on.
* Process groups: GNU ``timeout`` without ``--foreground`` puts itself and its command in a process
  group of their own, and ``setsid`` starts a new session; such a load is ``own_group``: a kill of
  the script's process group (what the SSM agent does on CancelCommand and on execution timeout)
  does not reach it.
* ``wait`` waits for the background loads (the script runs until the last one ends);
* ``sleep N`` takes N seconds; ``echo``/``printf`` write to stdout; ``exit N`` stops the script;
  ``true``/``:``/``false``; ``test``/``[`` comparing ``$?`` with a number; ``&&``, ``||``, ``;``.
* Anything else succeeds at once without effect.

Durations are in seconds of the clock the caller runs on (the sandbox's simulated clock).
The script's exit status is its last command's, so a bare ``timeout 600 sha256sum /dev/zero``
ends with 124, which Run Command reports as Failed - exactly as on AWS. Write
``timeout 600 sha256sum /dev/zero || [ $? -eq 124 ]`` (or use ``stress-ng --timeout``) for a
bounded load that reports Success.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Optional

HASHERS = {"sha256sum", "md5sum", "sha1sum", "sha512sum", "sha224sum", "sha384sum", "b2sum", "cksum"}
BUSY_SOURCES = {"/dev/zero", "/dev/urandom", "/dev/random"}
WRAPPERS = {"sudo", "nohup", "setsid", "exec", "command", "stdbuf", "time"}
TIMEOUT_EXIT = 124
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdy]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "y": 31536000}


def parse_duration(text: str) -> Optional[float]:
    match = _DURATION.match(text.strip())
    if not match:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass
class Load:
    start: float  # seconds after the script started
    end: Optional[float]  # None: runs until cancelled
    threads: int  # busy threads; 0 means one per vCPU
    command: str
    background: bool = False  # started with `&`: the script does not wait for it
    own_group: bool = False  # in a process group of its own (timeout without --foreground, setsid)


@dataclass
class Plan:
    """The timeline of a script: loads, how long it runs, how it exits, what it prints."""

    loads: list = field(default_factory=list)
    duration: Optional[float] = 0.0  # None: never ends by itself (an unbounded foreground load)
    exit_code: int = 0
    stdout: str = ""
    exited_early: bool = False  # stopped at an `exit N` line


def _split_commands(line: str) -> list:
    """Tokens of one line, with operators (;, &&, ||, &, |) as separate tokens and redirections removed."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = line.split()
    cleaned = []
    skip_next = False
    for index, token in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        if token in (">", ">>", "<", ">&", "&>", "<<", ">|"):
            skip_next = True
            continue
        if token.isdigit() and index + 1 < len(tokens) and tokens[index + 1] in (">", ">>", ">&", "<"):
            continue
        cleaned.append(token)
    return cleaned


def _segments(tokens: list) -> list:
    """[(operator_before, words, background)]: a simple command list with &&, ||, ; and &."""
    result = []
    words: list = []
    operator = ";"
    for token in tokens:
        if token in (";", "&&", "||", "&"):
            if words:
                result.append([operator, words, token == "&"])
            words = []
            operator = ";" if token == "&" else token
        elif token == "|":
            words.append("|")
        else:
            words.append(token)
    if words:
        result.append([operator, words, False])
    return result


def _strip_wrappers(words: list) -> list:
    words = list(words)
    while words:
        head = words[0]
        if head in WRAPPERS:
            words = words[1:]
        elif head == "nice":
            words = words[1:]
            if words and words[0] == "-n" and len(words) > 1:
                words = words[2:]
            elif words and words[0].startswith("-"):
                words = words[1:]
        elif head == "taskset":
            words = words[1:]
            if words and words[0].startswith("-"):
                words = words[1:]
            words = words[1:]
        elif "=" in head and not head.startswith("-") and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", head):
            words = words[1:]  # VAR=value prefix
        else:
            break
    return words


def _option(words: list, names: tuple) -> Optional[str]:
    for index, word in enumerate(words):
        for name in names:
            if word == name and index + 1 < len(words):
                return words[index + 1]
            if name.startswith("--") and word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def classify_load(words: list) -> Optional[tuple]:
    """(threads, bound_seconds or None, exit_code_at_bound, own_group) when `words` is a CPU load, else None.

    ``own_group``: the load runs outside the script's process group - under GNU ``timeout``
    without ``--foreground`` (which calls setpgid for itself and its command) or ``setsid``.
    """
    if "|" in words:
        parts, current = [], []
        for word in words:
            if word == "|":
                parts.append(current)
                current = []
            else:
                current.append(word)
        parts.append(current)
        loads = [classify_load(part) for part in parts]
        loads = [load for load in loads if load]
        if not loads:
            return None
        return (sum(load[0] for load in loads) or 1, None, 0, any(load[3] for load in loads))
    stripped = _strip_wrappers(words)
    detached = "setsid" in words[:len(words) - len(stripped)]
    words = stripped
    if not words:
        return None
    name = words[0].rsplit("/", 1)[-1]
    args = words[1:]
    if name in HASHERS and any(arg in BUSY_SOURCES for arg in args):
        return (1, None, 0, detached)
    if name == "yes":
        return (1, None, 0, detached)
    if name == "cat" and any(arg in BUSY_SOURCES for arg in args):
        return (1, None, 0, detached)
    if name == "dd" and any(arg.startswith("if=/dev/") for arg in args) and not any(arg.startswith("count=") for arg in args):
        return (1, None, 0, detached)
    if name in ("stress-ng", "stress"):
        cpu = _option(args, ("--cpu", "-c"))
        if cpu is None:
            return None
        try:
            threads = int(cpu)
        except ValueError:
            return None
        bound = _option(args, ("--timeout", "-t"))
        return (threads, parse_duration(bound) if bound else None, 0, detached)
    if name == "timeout":
        rest = list(args)
        killed = False
        foreground = False
        while rest and rest[0].startswith("-"):
            flag = rest.pop(0)
            if flag == "--foreground":
                foreground = True
            elif flag in ("-s", "--signal") and rest:
                killed = rest.pop(0).upper().lstrip("SIG") in ("KILL", "9")
            elif flag.startswith("--signal="):
                killed = flag.split("=", 1)[1].upper().lstrip("SIG") in ("KILL", "9")
            elif flag in ("-k", "--kill-after") and rest:
                rest.pop(0)
        if not rest:
            return None
        bound = parse_duration(rest[0])
        inner = classify_load(rest[1:])
        if bound is None or inner is None:
            return None
        threads, inner_bound, inner_exit, inner_own = inner
        own_group = detached or inner_own or not foreground
        if inner_bound is not None and inner_bound <= bound:
            return (threads, inner_bound, inner_exit, own_group)
        return (threads, bound, 137 if killed else TIMEOUT_EXIT, own_group)
    return None


def _test_status(words: list, last_status: int) -> Optional[int]:
    """Exit status of `test`/`[` when it compares $? with a number, else None."""
    words = [w for w in words if w not in ("[", "]", "test", "[[", "]]")]
    if len(words) == 3 and words[0] in ("$?", "${?}") and words[1] in ("-eq", "-ne", "=", "==", "!="):
        try:
            value = int(words[2])
        except ValueError:
            return None
        equal = last_status == value
        return 0 if (equal if words[1] in ("-eq", "=", "==") else not equal) else 1
    return None


def _echo_text(words: list) -> str:
    args = words[1:]
    newline = True
    while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
        if "n" in args[0]:
            newline = False
        args = args[1:]
    text = " ".join(args)
    if words[0] == "printf":
        text = args[0].replace("\\n", "\n") if args else ""
        if len(args) > 1 and "%s" in text:
            text = text.replace("%s", " ".join(args[1:]), 1)
        return text
    return text + ("\n" if newline else "")


_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_FUNCTION = re.compile(r"^(?:function\s+)?[A-Za-z_][A-Za-z0-9_:-]*\s*\(\s*\)\s*\{?\s*$|^function\s+[A-Za-z_][A-Za-z0-9_:-]*\s*\{?\s*$")


def executed_lines(text: str) -> list:
    """The lines a shell runs at top level: without here-document bodies (data, not commands) and
    without function bodies (run only when called, which the sandbox does not follow)."""
    lines = []
    heredoc_end = None
    depth = 0
    brace_pending = False
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if heredoc_end is not None:
            if line == heredoc_end:
                heredoc_end = None
            continue
        if brace_pending:
            brace_pending = False
            if line.startswith("{"):
                depth = max(line.count("{") - line.count("}"), 0)
                continue
        if depth:
            depth = max(depth + line.count("{") - line.count("}"), 0)
            continue
        if _FUNCTION.match(line):
            if line.endswith("{"):
                depth = 1
            else:
                brace_pending = True
            continue
        match = _HEREDOC.search(line)
        if match:
            heredoc_end = match.group(2)
            line = line[:match.start()].rstrip()
        lines.append(line)
    return lines


def plan_script(text: str) -> Plan:
    """Interpret `text` (newline-separated commands) into a Plan."""
    plan = Plan()
    clock = 0.0
    status = 0
    for line in executed_lines(text):
        if not line or line.startswith("#"):
            continue
        for operator, words, background in _segments(_split_commands(line)):
            if operator == "&&" and status != 0:
                continue
            if operator == "||" and status == 0:
                continue
            if not words:
                continue
            stripped = _strip_wrappers(words)
            head = stripped[0].rsplit("/", 1)[-1] if stripped else ""
            load = classify_load(words)
            if load is not None:
                threads, bound, exit_at_bound, own_group = load
                end = None if bound is None else clock + bound
                plan.loads.append(Load(clock, end, threads, " ".join(words), background, own_group))
                if background:
                    status = 0
                    continue
                if bound is None:
                    plan.duration = None
                    plan.exit_code = -1
                    return plan
                clock = end
                status = exit_at_bound
                continue
            if background:
                status = 0
                continue
            if head == "exit":
                code = stripped[1] if len(stripped) > 1 else str(status)
                try:
                    status = int(code) & 0xFF
                except ValueError:
                    status = 2
                plan.duration = clock
                plan.exit_code = status
                plan.exited_early = True
                return plan
            if head == "wait":
                # Waits for the background loads: forever if one is unbounded (until cancelled).
                ends = [load.end for load in plan.loads if load.background]
                if any(end is None for end in ends):
                    plan.duration = None
                    plan.exit_code = -1
                    return plan
                clock = max([clock] + ends)
                status = 0
                continue
            if head == "sleep" and len(stripped) > 1:
                seconds = parse_duration(stripped[1])
                clock += seconds or 0.0
                status = 0
            elif head in ("echo", "printf"):
                plan.stdout += _echo_text(stripped)
                status = 0
            elif head in ("true", ":"):
                status = 0
            elif head == "false":
                status = 1
            elif head in ("test", "[", "[["):
                result = _test_status(stripped, status)
                status = 0 if result is None else result
            else:
                status = 0
    plan.duration = clock
    plan.exit_code = status
    return plan
