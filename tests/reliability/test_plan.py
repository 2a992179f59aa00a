"""The plan (issue 18): one read of the stack, compared with what each stage applies, is proven
through the API, not trusted.

- On a converged stack the plan is empty, and a converge that runs every stage regardless of the
  plan (site_plan=false) changes nothing and makes no mutating call: the plan's "no change" is as
  strict as the converge.
- For each drift made behind the collection's back (through the AWS API, as an operator or another
  tool would), ``--check --diff`` names that drift and nothing else, and changes nothing; a converge
  repairs it (changed > 0); the next run changes nothing, makes no mutating call, and its plan is empty.
"""

from __future__ import annotations

import json

import pytest

from conftest import format_calls, mutating_calls, run_playbook, unique_name, write_inventory

SKIP = ["scale_test"]


class Stack:
    def __init__(self, sandbox, name, inventory, reports):
        self.sandbox, self.name, self.inventory, self.reports = sandbox, name, inventory, reports

    def run(self, check=False, **extra):
        variables = {"site_plan_reports_dir": str(self.reports)}
        variables.update(extra)
        self.sandbox.clear_requests()
        return run_playbook("playbooks/site.yml", sandbox=self.sandbox, inventory=self.inventory, skip_tags=SKIP,
                            check=check, extra_vars=variables)

    def plan(self):
        return json.loads((self.reports / self.name / "plan.json").read_text())

    def client(self, service):
        return self.sandbox.client(service)


def changing(plan):
    """{resource: [changes]} of the entries that change something."""
    return dict((e["resource"], e["changes"]) for e in plan["plan"] if e["action"] != "no change")


@pytest.fixture(scope="module")
def stack(sandbox, tmp_path_factory):
    name = unique_name("plan")
    inventory = write_inventory(tmp_path_factory.mktemp("plan-inv"), {name: {"stack_name": name}})
    converged = Stack(sandbox, name, inventory, tmp_path_factory.mktemp("plan-reports"))
    first = converged.run()
    assert first.rc == 0, first.describe()
    yield converged
    run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)


def test_a_converged_stack_has_an_empty_plan_and_a_full_converge_agrees(stack):
    checked = stack.run(check=True)
    assert checked.rc == 0, checked.describe()
    assert not mutating_calls(stack.sandbox), format_calls(mutating_calls(stack.sandbox))
    plan = stack.plan()
    assert plan["changes"] == 0 and not changing(plan), plan
    assert set(plan["stages"]) == {"network", "load_balancer", "bake", "launch_template", "scaling_group"}
    assert not any(plan["stages"].values()), plan["stages"]
    # Every stage's converge, run although the plan said "no change": it must agree. Without the
    # plan the run cannot know that it writes nothing, so it takes, renews (when the run outlasts half
    # of stack_lock_ttl) and releases the stack's lock (an SSM parameter, docs/usage.md); apart from
    # that bookkeeping, no call may write.
    everything = stack.run(site_plan=False)
    assert everything.rc == 0, everything.describe()
    assert not any(everything.changed().values()), everything.changed()
    writes = mutating_calls(stack.sandbox)
    lock = [c for c in writes if c["service"] == "ssm" and c["action"] in ("PutParameter", "DeleteParameter")]
    assert [c["action"] for c in lock[:1] + lock[-1:]] == ["PutParameter", "DeleteParameter"], format_calls(writes)
    assert all(c["action"] == "PutParameter" for c in lock[1:-1]), format_calls(writes)
    assert not [c for c in writes if c not in lock], format_calls(writes)


# ------------------------------------------------------------------------------------ the drifts


def delete_listener(stack):
    elbv2 = stack.client("elbv2")
    arn = elbv2.describe_load_balancers(Names=[stack.name + "-alb"])["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"][0]
    elbv2.delete_listener(ListenerArn=listener["ListenerArn"])


def change_policy_target(stack):
    autoscaling = stack.client("autoscaling")
    policy = autoscaling.describe_policies(AutoScalingGroupName=stack.name + "-asg")["ScalingPolicies"][0]
    config = dict(policy["TargetTrackingConfiguration"], TargetValue=80.0)
    autoscaling.put_scaling_policy(AutoScalingGroupName=stack.name + "-asg", PolicyName=policy["PolicyName"],
                                   PolicyType="TargetTrackingScaling", TargetTrackingConfiguration=config,
                                   EstimatedInstanceWarmup=policy["EstimatedInstanceWarmup"])


def detach_target_group(stack):
    autoscaling = stack.client("autoscaling")
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[stack.name + "-asg"])["AutoScalingGroups"][0]
    autoscaling.detach_load_balancer_target_groups(AutoScalingGroupName=stack.name + "-asg",
                                                   TargetGroupARNs=group["TargetGroupARNs"])


def change_max_size(stack):
    stack.client("autoscaling").update_auto_scaling_group(AutoScalingGroupName=stack.name + "-asg", MaxSize=6)


def remove_ingress_rule(stack):
    ec2 = stack.client("ec2")
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [stack.name + "-web"]}])["SecurityGroups"][0]
    ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"][:1])


def move_default_version_back(stack):
    """A second version (as an operator's console edit would make), made the default, then the
    default moved back to the first."""
    ec2 = stack.client("ec2")
    template = ec2.describe_launch_templates(LaunchTemplateNames=[stack.name + "-web"])["LaunchTemplates"][0]
    latest = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                   Versions=["$Latest"])["LaunchTemplateVersions"][0]
    new = ec2.create_launch_template_version(LaunchTemplateId=template["LaunchTemplateId"],
                                             VersionDescription=latest.get("VersionDescription", ""),
                                             LaunchTemplateData=latest["LaunchTemplateData"])["LaunchTemplateVersion"]
    ec2.modify_launch_template(LaunchTemplateId=template["LaunchTemplateId"], DefaultVersion=str(new["VersionNumber"]))
    ec2.modify_launch_template(LaunchTemplateId=template["LaunchTemplateId"], DefaultVersion=str(latest["VersionNumber"]))


def remove_tag(stack):
    elbv2 = stack.client("elbv2")
    arn = elbv2.describe_load_balancers(Names=[stack.name + "-alb"])["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.remove_tags(ResourceArns=[arn], TagKeys=["Name"])


# (make the drift, the resource the plan must name, a word its change must contain)
DRIFTS = {
    "listener deleted": (delete_listener, "load balancer {stack}-alb", "listener HTTP 80: missing"),
    "policy target value changed": (change_policy_target, "scaling policy {stack}-cpu-target-tracking", "TargetValue: 80.0 -> 50.0"),
    "target group detached": (detach_target_group, "Auto Scaling group {stack}-asg", "target groups: [] ->"),
    "max size changed": (change_max_size, "Auto Scaling group {stack}-asg", "max_size: 6 -> 4"),
    "ingress rule removed": (remove_ingress_rule, "security group {stack}-web", "missing -> present"),
    "default version moved back": (move_default_version_back, "launch template {stack}-web", "default version: 1 -> 2"),
    "tag removed": (remove_tag, "load balancer {stack}-alb", "tag Name: (none) -> {stack}-alb"),
}


@pytest.mark.parametrize("drift", list(DRIFTS))
def test_the_plan_names_each_drift_and_the_converge_repairs_it(stack, drift):
    make, resource, change = DRIFTS[drift]
    resource, change = resource.format(stack=stack.name), change.format(stack=stack.name)
    make(stack)

    checked = stack.run(check=True)
    assert checked.rc == 0, checked.describe()
    assert not mutating_calls(stack.sandbox), format_calls(mutating_calls(stack.sandbox))
    found = changing(stack.plan())
    assert resource in found, "the plan missed the drift (%s): %s" % (drift, found)
    assert any(change in line for line in found[resource]), found[resource]
    # Nothing but the drift, and what follows from it (a new template default rolls the instances).
    assert set(found) <= {resource, "Auto Scaling group %s-asg" % stack.name}, found

    repaired = stack.run()
    assert repaired.rc == 0, repaired.describe()
    assert any(repaired.changed().values()), "the converge did not repair %s" % drift

    again = stack.run()
    assert again.rc == 0, again.describe()
    assert not any(again.changed().values()), again.changed()
    assert not mutating_calls(stack.sandbox), format_calls(mutating_calls(stack.sandbox))
    assert not changing(stack.plan()), stack.plan()
