"""Lost answers of the launch template's creates (issue 20, item 4): the fault proxy forwards
CreateLaunchTemplate, or CreateLaunchTemplateVersion on a converge that changes the template's data,
to the sandbox, which does it, then loses the answer; botocore sends the same request again. The
module's ClientToken makes the repeat answer the template or version already made ("Ensuring
idempotency in Amazon EC2 API requests"), so at most one more run converges, and the template has
exactly the versions wanted: one after the first converge, two after the change, no extra one.
Teardown then leaves nothing.
"""

from __future__ import annotations

import base64

import pytest

from conftest import format_resources, run_playbook, stack_resources, unique_name, write_inventory
from scaleout_sandbox.faultproxy import FaultProxy
from stackcheck import assert_one_converged_stack

SKIP = ["scale_test"]
CHANGED_USER_DATA = "#!/bin/sh\necho changed by the lost-response test\n"


def site(sandbox, inventory, proxy=None, **extra):
    env = {"SCALEOUT_SANDBOX_ENDPOINT": proxy.endpoint} if proxy else None
    return run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=SKIP, env=env,
                        extra_vars=extra or None, timeout=1500)


def converge_losing(sandbox, inventory, action, mode, **extra):
    """site.yml with the first answer of `action` lost; one more run without the fault when that one
    failed. Returns the number of runs."""
    with FaultProxy(sandbox.endpoint, lose_responses=[f"ec2:{action}"], lose_mode=mode, lose_count=1) as proxy:
        first = site(sandbox, inventory, proxy, **extra)
        lost = proxy.stats()["responses_lost"]
    assert lost == 1, f"the answer to {action} was never lost (the pipeline did not call it?): {proxy.stats()}"
    if first.rc == 0:
        return 1
    again = site(sandbox, inventory, **extra)
    assert again.rc == 0, f"the run after the lost {action} answer failed:\n{again.describe()}"
    return 2


def versions_of(sandbox, stack):
    """(template, [(number, user data)]) of the stack's launch template."""
    ec2 = sandbox.client("ec2")
    template = ec2.describe_launch_templates(LaunchTemplateNames=[stack + "-web"])["LaunchTemplates"][0]
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])["LaunchTemplateVersions"]
    return template, sorted((v["VersionNumber"], base64.b64decode(v["LaunchTemplateData"].get("UserData", "")).decode())
                            for v in versions)


def teardown_leaves_nothing(sandbox, inventory, stack):
    teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
    assert teardown.rc == 0, teardown.describe()
    left = stack_resources(sandbox, stack)
    assert not left, f"teardown left {format_resources(left)}"


@pytest.mark.parametrize("mode", ["reset"])
def test_a_lost_create_launch_template_answer_makes_one_template_with_one_version(sandbox, tmp_path, mode):
    stack = unique_name("lostlt")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    try:
        runs = converge_losing(sandbox, inventory, "CreateLaunchTemplate", mode)
        assert runs == 1, "the repeated CreateLaunchTemplate answered the template made (its ClientToken): no second run needed"
        assert_one_converged_stack(sandbox, stack)
        template, versions = versions_of(sandbox, stack)
        assert [n for n, _data in versions] == [1] and template["DefaultVersionNumber"] == 1, versions
    finally:
        teardown_leaves_nothing(sandbox, inventory, stack)


@pytest.mark.parametrize("mode", ["reset", "server_error"])
def test_a_lost_create_launch_template_version_answer_makes_no_extra_version(sandbox, tmp_path, mode):
    stack = unique_name("lostv")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    try:
        first = site(sandbox, inventory)
        assert first.rc == 0, first.describe()
        # The changed user data makes a new version; its answer is lost.
        runs = converge_losing(sandbox, inventory, "CreateLaunchTemplateVersion", mode, launch_template_user_data=CHANGED_USER_DATA)
        assert runs <= 2
        assert_one_converged_stack(sandbox, stack)
        template, versions = versions_of(sandbox, stack)
        assert [n for n, _data in versions] == [1, 2], f"expected versions 1 and 2, found {versions}"
        assert template["DefaultVersionNumber"] == 2 and versions[1][1] == CHANGED_USER_DATA, (template, versions)
    finally:
        teardown_leaves_nothing(sandbox, inventory, stack)
