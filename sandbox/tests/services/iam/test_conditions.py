"""Condition operators (scaleout_sandbox/services/iam/conditions.py), as the IAM User Guide's
"IAM JSON policy elements: Condition operators" describes them."""

import pytest

from scaleout_sandbox.services.iam.conditions import UnsupportedOperator, arn_matches, condition_holds, conditions_hold


def holds(operator, key, wanted, **context):
    return condition_holds(operator, key, wanted, {k.lower(): v if isinstance(v, list) else [v] for k, v in context.items()})


def test_string_operators_and_their_case_rules():
    assert holds("StringEquals", "aws:RequestTag/env", "prod", **{"aws:RequestTag/env": "prod"})
    assert not holds("StringEquals", "aws:RequestTag/env", "prod", **{"aws:RequestTag/env": "Prod"})
    assert holds("StringEqualsIgnoreCase", "aws:RequestTag/env", "prod", **{"aws:RequestTag/env": "Prod"})
    assert holds("stringequals", "AWS:RequestTag/ENV", ["dev", "prod"], **{"aws:requesttag/env": "prod"})  # OR of values
    assert holds("StringLike", "ssm:resourceTag/app", "web-*", **{"ssm:resourceTag/app": "web-1"})
    assert holds("StringLike", "k:k", "a?c", **{"k:k": "abc"}) and not holds("StringLike", "k:k", "a?c", **{"k:k": "abbc"})
    assert holds("StringNotEquals", "k:k", ["a", "b"], **{"k:k": "c"})
    assert not holds("StringNotEquals", "k:k", ["a", "b"], **{"k:k": "a"})
    assert holds("StringNotLike", "k:k", "a*", **{"k:k": "ba"})


def test_missing_keys():
    assert not holds("StringEquals", "k:k", "a")
    assert holds("StringNotEquals", "k:k", "a")  # negated operators hold when the key is missing
    assert holds("StringEqualsIfExists", "k:k", "a")
    assert not holds("StringEqualsIfExists", "k:k", "a", **{"k:k": "b"})
    assert holds("Null", "k:k", "true") and not holds("Null", "k:k", "false")
    assert holds("Null", "k:k", "false", **{"k:k": "x"}) and not holds("Null", "k:k", True, **{"k:k": "x"})


def test_set_operators():
    assert holds("ForAllValues:StringLike", "aws:TagKeys", ["scaleout:*"], **{"aws:TagKeys": ["scaleout:a", "scaleout:b"]})
    assert not holds("ForAllValues:StringLike", "aws:TagKeys", ["scaleout:*"], **{"aws:TagKeys": ["scaleout:a", "Name"]})
    assert holds("ForAllValues:StringEquals", "aws:TagKeys", ["a"])  # no values: true
    assert holds("ForAnyValue:StringEquals", "aws:TagKeys", ["a"], **{"aws:TagKeys": ["b", "a"]})
    assert not holds("ForAnyValue:StringEquals", "aws:TagKeys", ["a"])
    assert holds("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], **{"aws:TagKeys": ["a", "b"]})
    assert not holds("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], **{"aws:TagKeys": ["a", "secret"]})


def test_arn_bool_and_numeric_operators():
    assert arn_matches("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1")
    assert arn_matches("arn:aws:ec2:*:*:image/*", "arn:aws:ec2:us-east-1::image/ami-1")  # "*" matches an empty part
    assert not arn_matches("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:volume/vol-1")
    assert not arn_matches("arn:aws:ec2:us-*:*:*", "arn:aws:iam::123456789012:role/x")
    assert holds("ArnEquals", "iam:PolicyARN", "arn:aws:iam::aws:policy/*", **{"iam:PolicyARN": "arn:aws:iam::aws:policy/X"})
    assert holds("ArnNotLike", "iam:PolicyARN", "arn:aws:iam::aws:policy/*", **{"iam:PolicyARN": "arn:aws:iam::1:policy/X"})
    assert holds("Bool", "aws:SecureTransport", True, **{"aws:SecureTransport": "true"})
    assert not holds("Bool", "aws:SecureTransport", "true", **{"aws:SecureTransport": "false"})
    assert holds("NumericLessThanEquals", "autoscaling:MaxSize", "10", **{"autoscaling:MaxSize": "5"})
    assert not holds("NumericLessThanEquals", "autoscaling:MaxSize", "10", **{"autoscaling:MaxSize": "11"})


def test_a_condition_block_ands_its_operators_and_keys():
    block = {"StringEquals": {"a:x": "1", "a:y": "2"}, "StringLike": {"a:z": "3*"}}
    assert conditions_hold(block, {"a:x": ["1"], "a:y": ["2"], "a:z": ["33"]})
    assert not conditions_hold(block, {"a:x": ["1"], "a:y": ["2"]})
    assert conditions_hold(None, {})


def test_an_unknown_operator_is_refused_loudly():
    with pytest.raises(UnsupportedOperator):
        holds("IpAddress", "aws:SourceIp", "203.0.113.0/24")
    with pytest.raises(UnsupportedOperator):
        holds("ForSomeValues:StringEquals", "aws:TagKeys", "a")
