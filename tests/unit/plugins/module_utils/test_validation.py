from pathlib import Path

import pytest
import yaml

from ansible_collections.scaleout.webtier.plugins.module_utils._validation import (
    CROSS_RULES,
    FIELD_RULES,
    desired_capacity,
    setting_errors as _setting_errors,
    setting_warnings,
)

ROLES = Path(__file__).resolve().parents[4] / "roles"


def _role_tables():
    """Each role's rule table (<role>_setting_rules in roles/<role>/vars/main.yml), by role."""
    tables = {}
    for path in sorted(ROLES.glob("*/vars/main.yml")):
        role = path.parts[-3]
        table = (yaml.safe_load(path.read_text()) or {}).get(role + "_setting_rules")
        if table is not None:
            tables[role] = table
    return tables


TABLES = _role_tables()


def setting_errors(values):
    """The errors every role's table finds in `values`, as the site playbook's validation step sees them."""
    return [error for table in TABLES.values() for error in _setting_errors(values, table)]


GOOD = {
    "stack_name": "demo",
    "stack_tags": {"owner": "platform"},
    "stack_instance_type": "t3.micro",
    "stack_app_port": 80,
    "stack_lock_wait": 0,
    "stack_lock_ttl": 7200,
    "stack_lock_poll_interval": 10,
    "network_alb_ingress_cidrs": ["0.0.0.0/0", "::/0"],
    "network_ssh_cidrs": ["203.0.113.7/32"],
    "network_ssh_allow_world": False,
    "load_balancer_name": "demo-alb",
    "load_balancer_target_group_name": "demo-tg",
    "load_balancer_health_check_path": "/",
    "load_balancer_health_check_interval": 10,
    "load_balancer_health_check_timeout": 5,
    "load_balancer_healthy_threshold": 2,
    "load_balancer_unhealthy_threshold": 2,
    "load_balancer_deregistration_delay": 30,
    "launch_template_name": "demo-web",
    "launch_template_volume_size": 8,
    "scaling_group_min_size": 1,
    "scaling_group_desired_capacity": None,
    "scaling_group_max_size": 4,
    "scaling_group_target_cpu": 50,
    "scaling_group_instance_warmup": 60,
    "scaling_group_health_check_grace_period": 60,
    "scaling_group_default_cooldown": 300,
    "scaling_group_name": "demo-asg",
    "scaling_group_policy_name": "demo-cpu-target-tracking",
    "scaling_group_suspended_processes": None,
    "scaling_group_health_check_type": "ELB",
    "scaling_group_refresh_min_healthy": 90,
    "network_vpc_id": "",
    "network_subnet_ids": ["subnet-0123456789abcdef0", "subnet-01234567"],
    "network_alb_security_group_name": "demo-alb",
    "network_instance_security_group_name": "demo web (instances)",
    "load_balancer_scheme": "internet-facing",
    "stack_certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
    "scaleout_aws_region": "eu-west-1",
    "bake_instance_type": "t3.micro",
    "bake_architecture": "arm64",
    "bake_image_name_prefix": "demo-web",
    "bake_instance_profile": "",
    "launch_template_instance_profile": "my-profile@team",
    "launch_template_security_group_ids": [],
    "launch_template_volume_type": "gp3",
    "launch_template_cpu_credits": "unlimited",
}

# (overrides, the variable the message must name, a fragment of the rule it must state)
BAD = [
    ({"scaleout_aws_region": ""}, "scaleout_aws_region", "must be set to the AWS region"),
    ({"scaleout_aws_region": "xx-nowhere-9"}, "scaleout_aws_region", "not an AWS region name"),
    ({"stack_certificate_arn": "my-certificate"}, "stack_certificate_arn", "a certificate ARN"),
    ({"network_min_zones": 1}, "network_min_zones", "whole number >= 2"),
    ({"network_max_zones": -1}, "network_max_zones", "whole number >= 0"),
    ({"network_min_zones": 3, "network_max_zones": 2}, "network_max_zones", "or at least network_min_zones=3"),
    ({"load_balancer_health_check_matcher": "ok"}, "load_balancer_health_check_matcher", "from 200 to 499"),
    ({"load_balancer_health_check_matcher": "500"}, "load_balancer_health_check_matcher", "from 200 to 499"),
    ({"scaling_group_max_size": 100000}, "scaling_group_max_size", "at most scaling_group_max_size_limit=1000"),
    ({"scaling_group_counts_to_reach": {"scale_test_target_count": 9}}, "scale_test_target_count",
     "must be <= scaling_group_max_size=4"),
    ({"scale_test_target_count": 0}, "scale_test_target_count", "whole number >= 1, or null"),
    ({"bake_keep_images": 0}, "bake_keep_images", "whole number >= 1"),
    ({"bake_provision_timeout": -5}, "bake_provision_timeout", "whole number >= 1"),
    ({"bake_poll_interval": 0}, "bake_poll_interval", "whole number >= 1"),
    ({"bake_instance_wait_timeout": "soon"}, "bake_instance_wait_timeout", "whole number >= 1"),
    ({"bake_image_wait_timeout": 0}, "bake_image_wait_timeout", "whole number >= 1"),
    ({"stack_name": "x" * 21}, "stack_name", "at most 20 characters"),
    ({"stack_name": "-demo"}, "stack_name", "not starting or ending with a hyphen"),
    ({"stack_name": "internal-demo"}, "stack_name", "must not start with 'internal-'"),
    ({"stack_name": "de_mo"}, "stack_name", "only letters, digits and hyphens"),
    ({"stack_tags": {"aws:owner": "x"}}, "stack_tags", "reserved prefix 'aws:'"),
    ({"stack_tags": {"k": "v" * 257}}, "stack_tags", "at most 256 characters"),
    ({"stack_instance_type": "t3micro"}, "stack_instance_type", "not an EC2 instance type name"),
    ({"stack_app_port": 0}, "stack_app_port", "port number from 1 to 65535"),
    ({"stack_lock_wait": -1}, "stack_lock_wait", "whole number >= 0"),
    ({"stack_lock_ttl": 0}, "stack_lock_ttl", "whole number >= 1"),
    ({"stack_lock_poll_interval": "often"}, "stack_lock_poll_interval", "whole number >= 1"),
    ({"stack_app_port": 70000}, "stack_app_port", "port number from 1 to 65535"),
    ({"stack_app_port": "eighty"}, "stack_app_port", "port number from 1 to 65535"),
    ({"stack_app_port": True}, "stack_app_port", "port number from 1 to 65535"),
    ({"network_alb_ingress_cidrs": ["10.0.0.300/8"]}, "network_alb_ingress_cidrs", "not a valid CIDR block"),
    ({"network_ssh_cidrs": ["10.0.0.1/24"]}, "network_ssh_cidrs", "not a valid CIDR block"),
    ({"network_ssh_cidrs": ["203.0.113.7"]}, "network_ssh_cidrs", "give the prefix length too"),
    ({"network_ssh_cidrs": ["0.0.0.0/0"]}, "network_ssh_cidrs", "SSH open to the whole internet is refused"),
    ({"network_ssh_cidrs": ["::/0"]}, "network_ssh_cidrs", "network_ssh_allow_world=true"),
    ({"load_balancer_name": "a" * 33}, "load_balancer_name", "at most 32 characters"),
    ({"load_balancer_target_group_name": "tg_1"}, "load_balancer_target_group_name", "only letters, digits and hyphens"),
    ({"load_balancer_health_check_path": "health"}, "load_balancer_health_check_path", "starting with '/'"),
    ({"load_balancer_health_check_interval": 400}, "load_balancer_health_check_interval", "from 5 to 300"),
    ({"load_balancer_health_check_timeout": 10}, "load_balancer_health_check_timeout", "must be shorter than"),
    ({"load_balancer_healthy_threshold": 1}, "load_balancer_healthy_threshold", "from 2 to 10"),
    ({"load_balancer_unhealthy_threshold": 11}, "load_balancer_unhealthy_threshold", "from 2 to 10"),
    ({"load_balancer_deregistration_delay": 4000}, "load_balancer_deregistration_delay", "from 0 to 3600"),
    ({"launch_template_name": "a b"}, "launch_template_name", "3 to 128 characters"),
    ({"launch_template_volume_size": 0}, "launch_template_volume_size", "from 1 to 65536"),
    ({"scaling_group_min_size": 5}, "scaling_group_min_size", "must be <= scaling_group_max_size=4"),
    ({"scaling_group_max_size": 0, "scaling_group_min_size": 0}, "scaling_group_max_size", "must be at least 1"),
    ({"scaling_group_desired_capacity": 6}, "scaling_group_desired_capacity", "must lie between scaling_group_min_size=1"),
    ({"scaling_group_desired_capacity": 0}, "scaling_group_desired_capacity", "must lie between"),
    ({"scaling_group_min_size": -1}, "scaling_group_min_size", "whole number >= 0"),
    ({"scaling_group_target_cpu": 0}, "scaling_group_target_cpu", "above 0 and at most 100"),
    ({"scaling_group_target_cpu": 101}, "scaling_group_target_cpu", "above 0 and at most 100"),
    ({"scaling_group_instance_warmup": -5}, "scaling_group_instance_warmup", "whole number >= 0"),
    ({"scaling_group_health_check_grace_period": "soon"}, "scaling_group_health_check_grace_period", "whole number >= 0"),
    # AWS's naming rules and lengths
    ({"scaleout_aws_region": "eu-wset-1"}, "scaleout_aws_region", "not an AWS region name"),
    ({"scaleout_aws_region": "eu-west-1 "}, "scaleout_aws_region", "not an AWS region name"),
    ({"network_alb_security_group_name": "sg-web"}, "network_alb_security_group_name", "must not start with 'sg-'"),
    ({"network_instance_security_group_name": "a" * 256}, "network_instance_security_group_name", "at most 255 characters"),
    ({"network_instance_security_group_name": "web|tier"}, "network_instance_security_group_name", "only letters, digits, spaces"),
    ({"network_instance_security_group_name": " web"}, "network_instance_security_group_name", "leading or trailing whitespace"),
    ({"bake_image_name_prefix": "web image!"}, "bake_image_name_prefix", "an image name has only letters"),
    ({"bake_image_name_prefix": "w" * 112}, "bake_image_name_prefix", "at most 111 characters"),
    ({"scaling_group_name": "g" * 256}, "scaling_group_name", "at most 255 characters"),
    ({"scaling_group_name": "web-asg\n"}, "scaling_group_name", "leading or trailing whitespace"),
    ({"scaling_group_policy_name": ""}, "scaling_group_policy_name", "non-empty string"),
    ({"launch_template_instance_profile": "arn:aws:iam::123456789012:instance-profile/web"},
     "launch_template_instance_profile", "not its ARN"),
    ({"bake_instance_profile": "my profile"}, "bake_instance_profile", "IAM instance profile name"),
    ({"network_vpc_id": "vpc-xyz"}, "network_vpc_id", "not a VPC id"),
    ({"network_subnet_ids": ["subnet-1"]}, "network_subnet_ids", "not a subnet id"),
    ({"launch_template_security_group_ids": ["web-sg"]}, "launch_template_security_group_ids", "not a security group id"),
    # numbers outside AWS's ranges
    ({"scaling_group_default_cooldown": -1}, "scaling_group_default_cooldown", "whole number >= 0"),
    ({"scaling_group_refresh_min_healthy": 101}, "scaling_group_refresh_min_healthy", "from 0 to 100"),
    ({"scaling_group_poll_interval": 0}, "scaling_group_poll_interval", "whole number >= 1"),
    ({"load_balancer_poll_interval": 0}, "load_balancer_poll_interval", "whole number >= 1"),
    ({"load_balancer_wait_timeout": -1}, "load_balancer_wait_timeout", "whole number >= 1"),
    ({"scaling_group_wait_timeout": 0}, "scaling_group_wait_timeout", "whole number >= 1"),
    ({"scaling_group_refresh_timeout": "1h"}, "scaling_group_refresh_timeout", "whole number >= 1"),
    ({"scaling_group_refresh_poll_interval": 0}, "scaling_group_refresh_poll_interval", "whole number >= 1"),
    ({"scaling_group_profile_propagation_timeout": -1}, "scaling_group_profile_propagation_timeout", "whole number >= 0"),
    ({"scaling_group_profile_propagation_retry_delay": 0}, "scaling_group_profile_propagation_retry_delay", "whole number >= 1"),
    ({"scale_test_duration": 0}, "scale_test_duration", "whole number >= 1"),
    ({"scale_test_timeout": 0}, "scale_test_timeout", "whole number >= 1"),
    ({"scale_test_poll_interval": 0}, "scale_test_poll_interval", "whole number >= 1"),
    ({"scale_test_burners": -1}, "scale_test_burners", "whole number >= 0"),
    ({"launch_template_volume_type": "st1", "launch_template_volume_size": 8}, "launch_template_volume_size",
     "a st1 volume is 125 to 16384 GiB"),
    ({"launch_template_volume_size": 20000}, "launch_template_volume_size", "a gp3 volume is 1 to 16384 GiB"),
    # enumerations
    ({"scaling_group_suspended_processes": ["Lunch"]}, "scaling_group_suspended_processes", "not an Auto Scaling process"),
    ({"scaling_group_suspended_processes": "Launch"}, "scaling_group_suspended_processes", "a list of process names"),
    ({"scaling_group_health_check_type": "HTTP"}, "scaling_group_health_check_type", "must be one of EC2, EBS, ELB, VPC_LATTICE"),
    ({"load_balancer_scheme": "public"}, "load_balancer_scheme", "must be one of internet-facing, internal"),
    ({"bake_instance_type": "t3-micro"}, "bake_instance_type", "not an EC2 instance type name"),
    ({"bake_architecture": "amd64"}, "bake_architecture", "must be one of"),
    ({"launch_template_volume_type": "gp4"}, "launch_template_volume_type", "must be one of"),
    ({"launch_template_cpu_credits": "burst"}, "launch_template_cpu_credits", "must be one of standard, unlimited"),
    # topology
    ({"scaleout_aws_region": "us-east-1"}, "stack_certificate_arn", "cannot serve a load balancer in scaleout_aws_region=us-east-1"),
]


def test_good_settings_have_no_errors():
    assert setting_errors(GOOD) == []


@pytest.mark.parametrize("overrides,variable,rule", BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_each_bad_value_fails_naming_variable_and_rule(overrides, variable, rule):
    errors = setting_errors(dict(GOOD, **overrides))
    assert len(errors) == 1, errors
    assert variable in errors[0]
    assert rule in errors[0]


def test_every_role_with_settings_owns_a_table():
    assert set(TABLES) == {"stack", "network", "load_balancer", "bake", "launch_template", "scaling_group", "scale_test"}


def test_every_variable_of_every_table_is_exercised_by_a_bad_value():
    covered = {name for overrides, _variable, _rule in BAD for name in overrides}
    checked = {name for table in TABLES.values() for name in table["fields"]}
    assert checked - covered == set()


def test_every_rule_of_the_library_is_used_by_a_table():
    used_fields = {rule for table in TABLES.values() for rule in table["fields"].values()}
    used_cross = {cross["rule"] for table in TABLES.values() for cross in table["cross"]}
    assert used_fields == set(FIELD_RULES)
    assert used_cross == set(CROSS_RULES)


def test_a_variable_belongs_to_one_table():
    names = [name for table in TABLES.values() for name in table["fields"]]
    assert len(names) == len(set(names))


def test_a_table_checks_only_its_own_variables():
    network = TABLES["network"]
    assert _setting_errors({"stack_app_port": 0, "load_balancer_name": "a" * 40}, network) == []


@pytest.mark.parametrize(
    "table",
    [None, [], {"fields": {"x": "no_such_rule"}}, {"cross": [{"rule": "capacity"}]}, {"fields": {}, "extra": 1}],
)
def test_a_malformed_table_is_refused(table):
    with pytest.raises(ValueError):
        _setting_errors({}, table)


def test_counts_to_reach_name_the_variable_that_set_them_and_leave_bad_counts_to_their_role():
    table = TABLES["scaling_group"]
    good = {k: GOOD[k] for k in ("scaling_group_min_size", "scaling_group_max_size", "scaling_group_desired_capacity")}
    errors = _setting_errors(dict(good, scaling_group_counts_to_reach={"my_count": "6"}), table)
    assert len(errors) == 1 and errors[0].startswith("my_count=6 must be <= scaling_group_max_size=4")
    assert _setting_errors(dict(good, scaling_group_counts_to_reach={"my_count": "lots"}), table) == []
    assert "must be a dict" in _setting_errors(dict(good, scaling_group_counts_to_reach=[6]), table)[0]


def test_numbers_given_as_strings_are_accepted():
    # Extra vars (-e name=value) arrive as strings.
    as_strings = dict(GOOD, stack_app_port="8080", scaling_group_min_size="1", scaling_group_max_size="4",
                      scaling_group_desired_capacity="3", scaling_group_target_cpu="62.5")
    assert setting_errors(as_strings) == []
    assert "must be <= scaling_group_max_size=4" in setting_errors(dict(as_strings, scaling_group_min_size="5"))[0]


def test_world_ssh_is_accepted_when_explicitly_allowed():
    assert setting_errors(dict(GOOD, network_ssh_cidrs=["0.0.0.0/0"], network_ssh_allow_world=True)) == []


def test_unknown_variables_are_ignored():
    assert setting_errors({"something_else": object()}) == []


def test_rules_needing_several_variables_wait_until_all_are_given():
    assert setting_errors({"scaling_group_min_size": 9}) == []


@pytest.mark.parametrize(
    "low,high,desired,expected",
    [(1, 4, None, 2), (2, 2, None, 2), (0, 10, None, 5), (1, 3, None, 2), (1, 4, 3, 3), (0, 1, None, 0)],
)
def test_desired_capacity_defaults_to_the_midpoint(low, high, desired, expected):
    assert desired_capacity(low, high, desired) == expected


def test_warnings_explain_flapping_and_targets_outside_40_to_80():
    assert setting_warnings(GOOD) == []
    low, high, zero = (
        setting_warnings(dict(GOOD, scaling_group_target_cpu=20)),
        setting_warnings(dict(GOOD, scaling_group_target_cpu=90)),
        setting_warnings(dict(GOOD, scaling_group_instance_warmup=0)),
    )
    assert "below 40" in low[0]
    assert "above 80" in high[0]
    assert "flapping" in zero[0]


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "ap-northeast-2", "ap-southeast-7", "il-central-1",
                                    "mx-central-1", "ca-west-1", "cn-northwest-1", "us-gov-west-1", "us-isob-east-1",
                                    "eu-isoe-west-1", "eusc-de-east-1"])
def test_every_region_name_aws_uses_passes(region):
    assert setting_errors(dict(GOOD, scaleout_aws_region=region, stack_certificate_arn="")) == []


@pytest.mark.parametrize("name", ["web", "demo-web (2)", "a.b_c:d/e#f,g@h[i]+j=k&l;m{n}o!p$q*r", "x" * 255])
def test_security_group_names_aws_allows_pass(name):
    assert setting_errors(dict(GOOD, network_instance_security_group_name=name)) == []


def test_every_suspendable_process_passes():
    processes = ["Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance", "HealthCheck",
                 "InstanceRefresh", "ReplaceUnhealthy", "ScheduledActions"]
    assert setting_errors(dict(GOOD, scaling_group_suspended_processes=processes)) == []
    assert setting_errors(dict(GOOD, scaling_group_suspended_processes=[])) == []


def test_the_longest_image_prefix_still_makes_a_valid_image_name():
    assert setting_errors(dict(GOOD, bake_image_name_prefix="w" * 111)) == []
