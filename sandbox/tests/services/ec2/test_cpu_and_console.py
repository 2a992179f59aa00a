"""The pure CPU and console models of an instance (services/ec2/cpu.py, console.py)."""

import pytest

from scaleout_sandbox import shellsim
from scaleout_sandbox.services.ec2 import console, cpu


def test_idle_cpu_is_about_point_three_percent():
    values = [cpu.idle_cpu("i-1", 60 * n) for n in range(100)]
    assert all(0.2 <= v <= 0.4 for v in values) and len(set(values)) > 10


def test_cpu_follows_loads_per_vcpu():
    full = cpu.cpu_average(0, 60, -1000, None, [(0, None, 1)], vcpus=1, idle=0.3)
    half = cpu.cpu_average(0, 60, -1000, None, [(0, None, 1)], vcpus=2, idle=0.3)
    all_cpus = cpu.cpu_average(0, 60, -1000, None, [(0, None, 0)], vcpus=2, idle=0.3)
    assert (full, half, all_cpus) == (100.0, 50.0, 100.0)


def test_cpu_averages_over_partial_loads_and_running_time():
    assert cpu.cpu_average(0, 60, -1000, None, [(30, 90, 1)], 1, 0.0) == 50.0
    assert cpu.cpu_average(0, 60, 30, None, [], 1, 0.3) == 0.3  # only the running part counts
    assert cpu.cpu_average(0, 60, 70, None, [], 1, 0.3) is None  # not running yet: no datapoint
    assert cpu.cpu_average(0, 60, -100, 0, [], 1, 0.3) is None  # terminated before


def test_startup_cpu():
    assert cpu.cpu_average(0, 60, 0, None, [], 1, 0.3, startup_seconds=30, startup_cpu=70) == pytest.approx(35.15)


def test_console_output_prints_echo_lines_then_the_failure():
    script = "#!/bin/bash\necho marker-one\necho marker-two\nexit 2\necho never"
    p = shellsim.plan_script(script)
    text = console.console_output("i-1", 0, 200, 30, 90, script, p.stdout, p.exit_code, console.user_data_kind(script))
    assert text.index("marker-one") < text.index("marker-two") < text.index("Failed to run module scripts-user")
    assert "never" not in text and "Cloud-init v. 22.2.2 finished" in text
    booting = console.console_output("i-1", 0, 60, 30, 90, script, p.stdout, p.exit_code, "shell")
    assert "marker-one" not in booting and "running 'init'" in booting
    assert console.console_output("i-1", 0, 10, 30, 90, script, p.stdout, p.exit_code, "shell") is None


def test_describe_instance_types_reports_free_tier_eligibility_and_hypervisor_per_type(fresh):
    """FreeTierEligible and Hypervisor come from moto's instance type data (one account, every region)."""
    ec2 = fresh.client("ec2")
    facts = {t["InstanceType"]: (t["FreeTierEligible"], t["Hypervisor"])
             for t in ec2.describe_instance_types(InstanceTypes=["t2.micro", "t3.micro", "m5.large"])["InstanceTypes"]}
    assert facts == {"t2.micro": (False, "xen"), "t3.micro": (True, "nitro"), "m5.large": (False, "nitro")}

