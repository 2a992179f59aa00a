"""The Condition element of an IAM policy statement, as AWS evaluates it (pure).

Source: IAM User Guide, "IAM JSON policy elements: Condition operators" and "Condition with
multiple context keys or values" (reference_policies_elements_condition_operators,
reference_policies_condition-logic-multiple-context-keys-or-values, reference_policies_condition-
single-vs-multi-valued-context-keys):

* condition key names are case-insensitive; the values of String* operators are case-sensitive
  (except ``...IgnoreCase``), ``StringLike`` takes ``*`` and ``?``; ``Arn*`` compare each of the six
  ARN parts (``ArnEquals`` and ``ArnLike`` both take wildcards);
* several values for one key are OR-ed; several keys in one operator, and several operators, are
  AND-ed;
* a key missing from the request makes the condition false - except for negated operators
  (``StringNotEquals``, ``ArnNotLike``, ...), which are then true, ``...IfExists`` (true when the key is
  missing) and ``Null`` (``true``: the key must be missing);
* multivalued keys (``aws:TagKeys``): ``ForAllValues:`` is true when every request value matches (and
  when there is none), ``ForAnyValue:`` when at least one does; without a qualifier a request value
  matching is enough (none for a negated operator).

Not modelled (the collection's policy uses none): policy variables (``${aws:username}``),
``IpAddress``, ``Binary``, and the date operators compare ISO 8601 strings only.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping, Optional, Sequence

Context = Mapping[str, Sequence[str]]  # lower-case key -> values (a single-valued key: one value)


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def glob(pattern: str, flags: int = 0) -> "re.Pattern":
    """AWS's wildcards: ``*`` any run of characters, ``?`` one character."""
    return re.compile("^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$", flags | re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """ARN matching as in Resource and ArnLike: part by part for the first five parts, case-sensitive."""
    if pattern == "*":
        return True
    wanted, got = pattern.split(":", 5), arn.split(":", 5)
    if len(wanted) != 6 or len(got) != 6:
        return bool(glob(pattern).match(arn))
    return all(glob(w).match(g) for w, g in zip(wanted, got))


def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _compare_numbers(test: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def compare(got: str, wanted: str) -> bool:
        a, b = _number(got), _number(wanted)
        return a is not None and b is not None and test(a, b)

    return compare


# operator -> (test of one request value against one policy value, negated?)
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "stringequals": lambda got, wanted: got == wanted,
    "stringequalsignorecase": lambda got, wanted: got.lower() == wanted.lower(),
    "stringlike": lambda got, wanted: bool(glob(wanted).match(got)),
    "arnequals": lambda got, wanted: arn_matches(wanted, got),
    "arnlike": lambda got, wanted: arn_matches(wanted, got),
    "bool": lambda got, wanted: got.lower() == str(wanted).lower(),
    "numericequals": _compare_numbers(lambda a, b: a == b),
    "numericlessthan": _compare_numbers(lambda a, b: a < b),
    "numericlessthanequals": _compare_numbers(lambda a, b: a <= b),
    "numericgreaterthan": _compare_numbers(lambda a, b: a > b),
    "numericgreaterthanequals": _compare_numbers(lambda a, b: a >= b),
    "dateequals": lambda got, wanted: got == wanted,
    "datelessthan": lambda got, wanted: got < wanted,
    "datelessthanequals": lambda got, wanted: got <= wanted,
    "dategreaterthan": lambda got, wanted: got > wanted,
    "dategreaterthanequals": lambda got, wanted: got >= wanted,
}
_NEGATED = {
    "stringnotequals": "stringequals",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "stringnotlike": "stringlike",
    "arnnotequals": "arnequals",
    "arnnotlike": "arnlike",
    "numericnotequals": "numericequals",
    "datenotequals": "dateequals",
}


class UnsupportedOperator(ValueError):
    pass


def _parse(operator: str) -> tuple[Optional[str], str, bool]:
    """'ForAllValues:StringLikeIfExists' -> ('forallvalues', 'stringlike', True)."""
    qualifier, _, name = operator.rpartition(":")
    qualifier = qualifier.lower() or None
    name = name.lower()
    if_exists = name.endswith("ifexists") and name != "null"
    if if_exists:
        name = name[: -len("ifexists")]
    if qualifier not in (None, "forallvalues", "foranyvalue") or (name not in _POSITIVE and name not in _NEGATED and name != "null"):
        raise UnsupportedOperator(operator)
    return qualifier, name, if_exists


def _one_value(name: str, got: str, wanted: list) -> bool:
    """One request value against the policy's values (OR-ed; a negated operator: it matches none)."""
    if name in _NEGATED:
        test = _POSITIVE[_NEGATED[name]]
        return not any(test(got, _text(w)) for w in wanted)
    test = _POSITIVE[name]
    return any(test(got, _text(w)) for w in wanted)


def _text(value) -> str:
    """A policy value as AWS reads it: JSON true/false and numbers as their text."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def condition_holds(operator: str, key: str, wanted, context: Context) -> bool:
    """One operator over one key."""
    qualifier, name, if_exists = _parse(operator)
    wanted = _as_list(wanted)
    values = context.get(key.lower())
    present = values is not None and len(values) > 0
    if name == "null":
        return any((str(w).lower() == "true") != present for w in wanted)
    if qualifier == "forallvalues":
        return not present or all(_one_value(name, v, wanted) for v in values)
    if qualifier == "foranyvalue":
        return present and any(_one_value(name, v, wanted) for v in values)
    if not present:
        return if_exists or name in _NEGATED
    if name in _NEGATED:
        return all(_one_value(name, v, wanted) for v in values)
    return any(_one_value(name, v, wanted) for v in values)


def conditions_hold(condition: Optional[dict], context: Context) -> bool:
    """A statement's whole Condition block (AND of every operator and key)."""
    for operator, keys in (condition or {}).items():
        for key, wanted in (keys or {}).items():
            if not condition_holds(operator, key, wanted, context):
                return False
    return True
