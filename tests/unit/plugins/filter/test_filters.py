import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.scaleout.webtier.plugins.filter.select_subnets import FilterModule as SubnetFilters
from ansible_collections.scaleout.webtier.plugins.filter.setting_errors import FilterModule as ErrorFilters
from ansible_collections.scaleout.webtier.plugins.filter.setting_warnings import FilterModule as WarningFilters


def test_filters_are_registered_under_their_file_names():
    assert list(SubnetFilters().filters()) == ["select_subnets"]
    assert list(ErrorFilters().filters()) == ["setting_errors"]
    assert list(WarningFilters().filters()) == ["setting_warnings"]


def test_select_subnets_rejects_a_string_of_zones():
    with pytest.raises(AnsibleFilterError, match="offered_zones must be a list"):
        SubnetFilters().filters()["select_subnets"]([], "ap-northeast-2a")


def test_setting_errors_rejects_a_non_dict():
    with pytest.raises(AnsibleFilterError, match="expects a dict"):
        ErrorFilters().filters()["setting_errors"](["stack_name"], {"fields": {}, "cross": []})


def test_setting_errors_checks_with_the_given_table_and_refuses_an_unknown_rule():
    check = ErrorFilters().filters()["setting_errors"]
    assert check({"stack_app_port": 0}, {"fields": {"stack_app_port": "port"}})[0].startswith("stack_app_port=0")
    assert check({"stack_app_port": 0}, {"fields": {}}) == []
    with pytest.raises(AnsibleFilterError, match="unknown rules"):
        check({}, {"fields": {"stack_app_port": "no_such_rule"}})


def test_select_subnets_converts_numeric_strings_from_templates():
    subnets = [{"availability_zone": "z1", "subnet_id": "s1"}, {"availability_zone": "z2", "subnet_id": "s2"}]
    choice = SubnetFilters().filters()["select_subnets"](subnets, ["z1", "z2"], "t3.micro", "1", "1")
    assert choice["subnet_ids"] == ["s1"]


def test_asg_tags_sorted_by_key_and_propagated():
    from ansible_collections.scaleout.webtier.plugins.filter.asg_tags import asg_tags

    assert asg_tags({"b": "2", "a": "1"}) == [{"a": "1", "propagate_at_launch": True}, {"b": "2", "propagate_at_launch": True}]
    assert asg_tags({"a": "1"}, False) == [{"a": "1", "propagate_at_launch": False}]
    with pytest.raises(AnsibleFilterError, match="expects a dict"):
        asg_tags([("a", "1")])


def test_desired_capacity_filter_midpoint_and_explicit():
    from ansible_collections.scaleout.webtier.plugins.filter.desired_capacity import desired_capacity

    assert desired_capacity(1, 4) == 2
    assert desired_capacity("1", "4", "3") == 3
    with pytest.raises(AnsibleFilterError, match="whole numbers"):
        desired_capacity("one", 4)


def test_group_drift_filter_wraps_bad_input_as_filter_errors():
    from ansible_collections.scaleout.webtier.plugins.filter.group_drift import group_drift

    with pytest.raises(AnsibleFilterError, match="expects a group"):
        group_drift([], {})
    with pytest.raises(AnsibleFilterError, match="lack"):
        group_drift({}, {"min_size": 1})
