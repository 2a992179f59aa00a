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
        ErrorFilters().filters()["setting_errors"](["stack_name"])


def test_select_subnets_converts_numeric_strings_from_templates():
    subnets = [{"availability_zone": "z1", "subnet_id": "s1"}, {"availability_zone": "z2", "subnet_id": "s2"}]
    choice = SubnetFilters().filters()["select_subnets"](subnets, ["z1", "z2"], "t3.micro", "1", "1")
    assert choice["subnet_ids"] == ["s1"]
