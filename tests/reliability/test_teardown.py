"""Teardown against AWS's slow releases and against interruption.

- A deleted load balancer's network interfaces linger for minutes, and AWS refuses to delete their
  security groups meanwhile (DependencyViolation). With a linger longer than everything else the
  teardown does (an hour of simulated time, the sandbox's default is 20 minutes), teardown must wait
  for the interfaces, say what it waited for, and still leave nothing.
- A teardown killed with SIGKILL after the load balancer went is finished by the next teardown.
"""

from __future__ import annotations

import pytest

from conftest import format_resources, run_playbook, stack_resources, start_playbook, unique_name, write_inventory
from test_interruptions import kill_at

LINGER_S = 3600


@pytest.fixture(scope="module")
def stacks(sandbox, tmp_path_factory):
    """Two converged stacks (one run), each with its own inventory: (name, inventory)."""
    names = [unique_name("td"), unique_name("td")]
    both = write_inventory(tmp_path_factory.mktemp("td-both"), {n: {"stack_name": n} for n in names})
    converged = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=both, skip_tags=["scale_test"])
    assert converged.rc == 0, converged.describe()
    return [(n, write_inventory(tmp_path_factory.mktemp(n), {n: {"stack_name": n}})) for n in names]


def test_teardown_waits_for_the_load_balancers_interfaces_and_says_so(sandbox, stacks):
    stack, inventory = stacks[0]
    defaults = sandbox.delays()
    sandbox.set_delays({"lb_interfaces_linger_s": LINGER_S})
    try:
        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
    finally:
        sandbox.set_delays(defaults)
    assert teardown.rc == 0, teardown.describe()
    said = [r.get("msg", "") for task, r in teardown.results[stack] if task.endswith("Say what was waited for")]
    assert said and " 0 network interface(s)" not in said[0] and "(ELB app/" in said[0], said
    left = stack_resources(sandbox, stack)
    assert not left, format_resources(left)


def test_a_killed_teardown_is_finished_by_the_next(sandbox, stacks):
    stack, inventory = stacks[1]
    sandbox.clear_requests()
    # The killed teardown holds the stack's lock until it expires (stack_lock_ttl, simulated
    # seconds); the next one waits for that and takes it over, as after a killed converge.
    process = start_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory,
                             extra_vars={"stack_lock_ttl": 600})
    assert kill_at(process, sandbox, "elbv2", "DeleteLoadBalancer", 2), "the teardown ended before the load balancer went"
    assert stack_resources(sandbox, stack), "the kill came too late to leave anything"
    again = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory, extra_vars={"stack_lock_wait": 900})
    assert again.rc == 0, again.describe()
    left = stack_resources(sandbox, stack)
    assert not left, format_resources(left)
