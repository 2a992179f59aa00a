# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rules every user-facing setting must satisfy, as pure functions.

Private to the collection. Each rule names the variable and the rule in its message, so that a bad
value fails before any API call with a message the user can act on. The roles call these through
the C(setting_errors) and C(setting_warnings) filters, which pass a dict of variable name to value.

This module is the library of rules, by name; each role owns its table (C(<role>_setting_rules) in
C(roles/<role>/vars/main.yml)), which says which rule checks which of its variables. A field rule
runs when its variable is present; a cross rule runs when every variable it reads is present.
"""

import ipaddress
import re

# ALB and target group names: at most 32 characters, letters, digits and hyphens, no leading or
# trailing hyphen (CreateLoadBalancer / CreateTargetGroup). Stack-derived names add up to 12.
ELB_NAME_MAX = 32
STACK_NAME_MAX = 20
_STACK_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_INSTANCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
_LAUNCH_TEMPLATE_NAME_RE = re.compile(r"^[a-zA-Z0-9().\-/_]{3,128}$")
WORLD_CIDRS = ("0.0.0.0/0", "::/0")
# Region names of every AWS partition (the shapes of botocore's partition regexes): a name that fits
# none of them has no endpoint, so every API call would fail to connect. The middle word is a
# compass direction in every region AWS has named (eu-west-1, ap-northeast-2, il-central-1,
# eusc-de-east-1), so a misspelt one ("eu-wset-1") is refused here, naming the variable, instead
# of failing later to resolve an endpoint that does not exist.
_DIRECTION = r"(?:north|south|east|west|central|northeast|northwest|southeast|southwest)"
_REGION_RE = re.compile(
    r"^(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-{d}-\d+"  # aws
    r"|cn-{d}-\d+"  # aws-cn
    r"|us-gov-{d}-\d+"  # aws-us-gov
    r"|us-iso[a-z]?-{d}-\d+|eu-isoe-{d}-\d+"  # aws-iso, aws-iso-b, aws-iso-f, aws-iso-e
    r"|eusc-[a-z]+-{d}-\d+)$".format(d=_DIRECTION)  # aws-eusc
)
# Certificates an HTTPS listener accepts: ACM certificates, or IAM server certificates.
_CERTIFICATE_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:(?:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+|iam::\d{12}:server-certificate/\S+)$"
)
# An Application Load Balancer's HTTP success codes: 200 to 499, one code, a list or a range.
_MATCHER_RE = re.compile(r"^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$")
# The largest max size accepted unless scaling_group_max_size_limit says otherwise: a guard against a
# typo (100000 for 10) that would let the group, and its desired capacity, launch thousands of instances.
GROUP_MAX_SIZE_LIMIT = 1000
# An Application Load Balancer needs subnets in at least two zones.
ALB_MIN_ZONES = 2


def _as_int(value):
    """The whole number a setting holds, or None. Extra vars (-e) arrive as strings, so "5" is 5."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.match(r"^\s*-?\d+\s*$", value):
        return int(value)
    return None


def _as_number(value):
    """The number a setting holds (int, float or numeric string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def check_stack_name(name, value):
    if not isinstance(value, str) or not value:
        return ["%s: must be a non-empty string" % name]
    errors = []
    if len(value) > STACK_NAME_MAX:
        errors.append(
            "%s=%r: at most %d characters (ALB and target group names derived from it must stay within %d)"
            % (name, value, STACK_NAME_MAX, ELB_NAME_MAX)
        )
    if not _STACK_NAME_RE.match(value):
        errors.append("%s=%r: only letters, digits and hyphens, not starting or ending with a hyphen" % (name, value))
    if value.lower().startswith("internal-"):
        errors.append("%s=%r: must not start with 'internal-' (reserved by Elastic Load Balancing)" % (name, value))
    return errors


def check_elb_name(name, value):
    if not isinstance(value, str) or not value:
        return ["%s: must be a non-empty string" % name]
    errors = []
    if len(value) > ELB_NAME_MAX:
        errors.append("%s=%r: at most %d characters (Elastic Load Balancing limit), got %d" % (name, value, ELB_NAME_MAX, len(value)))
    if not _STACK_NAME_RE.match(value):
        errors.append("%s=%r: only letters, digits and hyphens, not starting or ending with a hyphen" % (name, value))
    if value.lower().startswith("internal-"):
        errors.append("%s=%r: must not start with 'internal-' (reserved by Elastic Load Balancing)" % (name, value))
    return errors


def check_launch_template_name(name, value):
    if not isinstance(value, str) or not _LAUNCH_TEMPLATE_NAME_RE.match(value):
        return ["%s=%r: 3 to 128 characters from letters, digits and ( ) . - / _" % (name, value)]
    return []


def check_port(name, value):
    if _as_int(value) is None or not 1 <= _as_int(value) <= 65535:
        return ["%s=%r: must be a port number from 1 to 65535" % (name, value)]
    return []


def check_cidr(name, value):
    if not isinstance(value, str):
        return ["%s=%r: must be a CIDR block such as 203.0.113.7/32" % (name, value)]
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        return ["%s=%r: not a valid CIDR block (%s); write it like 203.0.113.7/32" % (name, value, exc)]
    if "/" not in value:
        return ["%s=%r: give the prefix length too, for example %s/32" % (name, value, value)]
    return []


def check_cidr_list(name, value):
    if not isinstance(value, list):
        return ["%s: must be a list of CIDR blocks" % name]
    return [error for cidr in value for error in check_cidr(name, cidr)]


def check_instance_type(name, value):
    if not isinstance(value, str) or not _INSTANCE_TYPE_RE.match(value):
        return ["%s=%r: not an EC2 instance type name (family.size, for example t3.micro)" % (name, value)]
    return []


def check_tags(name, value):
    if not isinstance(value, dict):
        return ["%s: must be a dict of tag key to value" % name]
    errors = []
    if len(value) > 40:
        # AWS allows 50 tags per resource; the collection adds its own.
        errors.append("%s: at most 40 tags (AWS allows 50 per resource and the collection adds its own)" % name)
    for key, val in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            errors.append("%s: tag key %r must be 1 to 128 characters" % (name, key))
        elif key.lower().startswith("aws:"):
            errors.append("%s: tag key %r uses the reserved prefix 'aws:'" % (name, key))
        if not isinstance(val, str) or len(val) > 256:
            errors.append("%s: tag %r must have a string value of at most 256 characters" % (name, key))
    return errors


def check_non_negative_int(name, value):
    if _as_int(value) is None or _as_int(value) < 0:
        return ["%s=%r: must be a whole number >= 0" % (name, value)]
    return []


def _int_at_least(low, what=""):
    def check(name, value):
        if _as_int(value) is None or _as_int(value) < low:
            return ["%s=%r: must be a whole number >= %d%s" % (name, value, low, what)]
        return []

    return check


check_positive_int = _int_at_least(1)


def check_region(name, value):
    if not isinstance(value, str) or not value.strip():
        return ["%s=%r: must be set to the AWS region to build in, for example eu-west-1" % (name, value)]
    if not _REGION_RE.match(value):
        return ["%s=%r: not an AWS region name (for example eu-west-1, us-east-1, ap-northeast-2)" % (name, value)]
    return []


def check_certificate_arn(name, value):
    if value is None or value == "":
        return []
    if not isinstance(value, str) or not _CERTIFICATE_ARN_RE.match(value):
        return [
            "%s=%r: must be empty (HTTP only) or a certificate ARN, from ACM (arn:aws:acm:<region>:<account>:certificate/<id>) "
            "or an IAM server certificate (arn:aws:iam::<account>:server-certificate/<name>)" % (name, value)
        ]
    return []


def check_http_matcher(name, value):
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    ok = text is not None and _MATCHER_RE.match(text) is not None
    if ok:
        for part in text.split(","):
            codes = [int(code) for code in part.split("-")]
            ok = ok and all(200 <= code <= 499 for code in codes) and codes[0] <= codes[-1]
    if not ok:
        return [
            "%s=%r: must be HTTP status codes from 200 to 499: one code (200), a list (200,202) "
            "or a range (200-299)" % (name, value)
        ]
    return []


def _int_range(low, high, what=""):
    def check(name, value):
        if _as_int(value) is None or not low <= _as_int(value) <= high:
            return ["%s=%r: must be a whole number from %d to %d%s" % (name, value, low, high, what)]
        return []

    return check


def check_target_value(name, value):
    if _as_number(value) is None or not 0 < _as_number(value) <= 100:
        return ["%s=%r: must be a CPU percentage above 0 and at most 100" % (name, value)]
    return []


def check_health_check_path(name, value):
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 1024:
        return ["%s=%r: must be a URL path starting with '/' (at most 1024 characters)" % (name, value)]
    return []


def check_capacity(values, prefix="scaling_group_"):
    """min <= desired <= max, 1 <= max <= max_size_limit (default GROUP_MAX_SIZE_LIMIT). A desired of None
    means the midpoint (see desired_capacity)."""
    raw = dict((k, values.get(prefix + k)) for k in ("min_size", "desired_capacity", "max_size"))
    low, high = _as_int(raw["min_size"]), _as_int(raw["max_size"])
    errors = []
    for key in ("min_size", "max_size"):
        if _as_int(raw[key]) is None or _as_int(raw[key]) < 0:
            errors.append("%s%s=%r: must be a whole number >= 0" % (prefix, key, raw[key]))
    if errors:
        return errors
    if high < 1:
        errors.append("%smax_size=%d: must be at least 1" % (prefix, high))
    if low > high:
        errors.append("%smin_size=%d must be <= %smax_size=%d" % (prefix, low, prefix, high))
    raw_limit = values.get(prefix + "max_size_limit")
    limit = GROUP_MAX_SIZE_LIMIT if raw_limit is None or raw_limit == "" else _as_int(raw_limit)
    if limit is None or limit < 1:
        errors.append("%smax_size_limit=%r: must be a whole number >= 1" % (prefix, raw_limit))
    elif high > limit:
        errors.append(
            "%smax_size=%d: at most %smax_size_limit=%d, a guard against a typo that would let the group launch "
            "that many instances (raise %smax_size_limit if you mean it)" % (prefix, high, prefix, limit, prefix)
        )
    want = raw["desired_capacity"]
    if want is not None and want != "":
        if _as_int(want) is None:
            errors.append("%sdesired_capacity=%r: must be a whole number or null (midpoint of min and max)" % (prefix, want))
        elif not low <= _as_int(want) <= high:
            errors.append(
                "%sdesired_capacity=%d must lie between %smin_size=%d and %smax_size=%d" % (prefix, _as_int(want), prefix, low, prefix, high)
            )
    return errors


def check_ssh(values, prefix="network_"):
    """SSH is off by default; when on, only from an operator CIDR, never the world unless explicitly allowed."""
    cidrs = values.get(prefix + "ssh_cidrs") or []
    if not isinstance(cidrs, list):
        return ["%sssh_cidrs: must be a list of CIDR blocks" % prefix]
    errors = check_cidr_list(prefix + "ssh_cidrs", cidrs)
    for cidr in cidrs:
        if cidr in WORLD_CIDRS and not values.get(prefix + "ssh_allow_world"):
            errors.append(
                "%sssh_cidrs contains %s: SSH open to the whole internet is refused; give your own address "
                "(for example 203.0.113.7/32) or set %sssh_allow_world=true if you really mean it" % (prefix, cidr, prefix)
            )
    return errors


def check_zone_counts(values, prefix="network_"):
    """max_zones is 0 (every zone) or leaves room for min_zones."""
    low, high = _as_int(values.get(prefix + "min_zones")), _as_int(values.get(prefix + "max_zones"))
    if low is not None and high is not None and 0 < high < low:
        return [
            "%smax_zones=%d must be 0 (every zone that qualifies) or at least %smin_zones=%d" % (prefix, high, prefix, low)
        ]
    return []


def check_optional_positive_int(name, value):
    if value is None or value == "":
        return []
    if _as_int(value) is None or _as_int(value) < 1:
        return ["%s=%r: must be a whole number >= 1, or null (the group's max size)" % (name, value)]
    return []


def check_counts_to_reach(values, prefix="scaling_group_"):
    """Counts that other stages wait for (variable name -> count) fit within the max size.

    The variable names are the ones the user set (the site playbook passes C(scale_test_target_count)),
    so that the message names them; a count that is not a whole number is left to its own role's rule."""
    counts = values.get(prefix + "counts_to_reach") or {}
    high = _as_int(values.get(prefix + "max_size"))
    if not isinstance(counts, dict):
        return ["%scounts_to_reach: must be a dict of variable name to instance count" % prefix]
    errors = []
    for name in sorted(counts):
        want = _as_int(counts[name])
        if want is not None and high is not None and want > high:
            errors.append(
                "%s=%d must be <= %smax_size=%d: the group never has more instances than its max size, so "
                "waiting for %d could only time out" % (name, want, prefix, high, want)
            )
    return errors


def check_health_check_timing(values, prefix="load_balancer_health_check_"):
    interval, timeout = _as_int(values.get(prefix + "interval")), _as_int(values.get(prefix + "timeout"))
    if interval is not None and timeout is not None and timeout >= interval:
        return ["%stimeout=%d must be shorter than %sinterval=%d" % (prefix, timeout, prefix, interval)]
    return []


# --- AWS's own constraints on names, numbers and enumerations -------------------------------------
# Each constraint is AWS's documented one for the API call that receives the setting (sources in
# docs/usage.md, "What the settings must satisfy"); the sandbox refuses the same values with AWS's
# error codes (docs/sandbox.md, "Parameter validation"), so a value that passes here passes there.

# CreateSecurityGroup GroupName: up to 255 characters, a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*,
# and not starting with sg- (AWS: "Group names may not be in the format sg-*").
SECURITY_GROUP_NAME_MAX = 255
_SECURITY_GROUP_NAME_RE = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$")
# CreateImage Name: 3-128 letters, digits, ( ) [ ] space . / - ' @ _ (InvalidAMIName.Malformed).
IMAGE_NAME_MIN, IMAGE_NAME_MAX = 3, 128
_IMAGE_NAME_RE = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]+$")
# What the bake appends to bake_image_name_prefix: "-" and a UTC timestamp, 20190102T030405Z.
IMAGE_NAME_SUFFIX_LEN = len("-20190102T030405Z")
# Auto Scaling names (AutoScalingGroupName, PolicyName): XmlStringMaxLen255, 1-255 characters.
AUTOSCALING_NAME_MAX = 255
# IAM instanceProfileNameType: [\w+=,.@-]+, 1-128 characters.
_IAM_NAME_RE = re.compile(r"^[\w+=,.@-]+$")
INSTANCE_PROFILE_NAME_MAX = 128
# Resource ids as EC2 writes them: a prefix and 8 or 17 hex digits.
_RESOURCE_ID_RE = {prefix: re.compile(r"^%s-(?:[0-9a-f]{8}|[0-9a-f]{17})$" % prefix) for prefix in ("sg", "subnet", "vpc")}

# SuspendProcesses ScalingProcesses: the nine process types of the Auto Scaling API reference.
SCALING_PROCESSES = ("Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance",
                     "HealthCheck", "InstanceRefresh", "ReplaceUnhealthy", "ScheduledActions")
# CreateAutoScalingGroup HealthCheckType: "The valid values are EC2, EBS, ELB, and VPC_LATTICE".
HEALTH_CHECK_TYPES = ("EC2", "EBS", "ELB", "VPC_LATTICE")
# CreateLoadBalancer Scheme (LoadBalancerSchemeEnum).
LOAD_BALANCER_SCHEMES = ("internet-facing", "internal")
# RegisterImage / DescribeImages architecture values (ArchitectureValues).
ARCHITECTURES = ("i386", "x86_64", "arm64", "x86_64_mac", "arm64_mac")
# CreditSpecification CpuCredits for a burstable instance.
CPU_CREDIT_OPTIONS = ("standard", "unlimited")
# EBS VolumeType and the volume sizes each allows, in GiB (LaunchTemplateEbsBlockDeviceRequest VolumeSize).
VOLUME_SIZES = {"gp2": (1, 16384), "gp3": (1, 16384), "io1": (4, 16384), "io2": (4, 65536),
                "st1": (125, 16384), "sc1": (125, 16384), "standard": (1, 1024)}


def _stray_whitespace(name, value):
    if isinstance(value, str) and value != value.strip():
        return ["%s=%r: has leading or trailing whitespace (a stray space or newline from a copy and paste?)" % (name, value)]
    return []


def check_security_group_name(name, value):
    if not isinstance(value, str) or not value:
        return ["%s: must be a non-empty string" % name]
    errors = _stray_whitespace(name, value)
    if len(value) > SECURITY_GROUP_NAME_MAX:
        errors.append("%s=%r: at most %d characters (CreateSecurityGroup), got %d" % (name, value, SECURITY_GROUP_NAME_MAX, len(value)))
    if value.lower().startswith("sg-"):
        errors.append("%s=%r: must not start with 'sg-' (reserved by EC2 for security group ids)" % (name, value))
    if not _SECURITY_GROUP_NAME_RE.match(value):
        errors.append("%s=%r: only letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* (CreateSecurityGroup)" % (name, value))
    return errors


def check_image_name_prefix(name, value):
    """The prefix of the baked images' names: with the bake's timestamp suffix, a valid AMI name."""
    if not isinstance(value, str) or not value:
        return ["%s: must be a non-empty string" % name]
    errors = _stray_whitespace(name, value)
    longest = IMAGE_NAME_MAX - IMAGE_NAME_SUFFIX_LEN
    if len(value) > longest:
        errors.append(
            "%s=%r: at most %d characters: the bake appends '-<UTC timestamp>' (%d) and an image name has at most %d"
            % (name, value, longest, IMAGE_NAME_SUFFIX_LEN, IMAGE_NAME_MAX))
    if not _IMAGE_NAME_RE.match(value):
        errors.append("%s=%r: an image name has only letters, digits, spaces and ( ) [ ] . / - ' @ _ (CreateImage)" % (name, value))
    return errors


def check_autoscaling_name(name, value):
    if not isinstance(value, str) or not value:
        return ["%s: must be a non-empty string" % name]
    errors = _stray_whitespace(name, value)
    if len(value) > AUTOSCALING_NAME_MAX:
        errors.append("%s=%r: at most %d characters (Auto Scaling names), got %d" % (name, value, AUTOSCALING_NAME_MAX, len(value)))
    return errors


def check_instance_profile_name(name, value):
    """An instance profile's name (empty: the collection makes its own). A name, not an ARN."""
    if value is None or value == "":
        return []
    if not isinstance(value, str) or not 1 <= len(value) <= INSTANCE_PROFILE_NAME_MAX or not _IAM_NAME_RE.match(value):
        hint = " (give the profile's name, not its ARN)" if isinstance(value, str) and value.startswith("arn:") else ""
        return ["%s=%r: an IAM instance profile name is 1 to %d characters from letters, digits and _+=,.@-%s"
                % (name, value, INSTANCE_PROFILE_NAME_MAX, hint)]
    return []


def _resource_ids(prefix, what):
    pattern = _RESOURCE_ID_RE[prefix]

    def check(name, value):
        values = value if isinstance(value, list) else [value]
        if value is None or value == "" or value == []:
            return []
        bad = [v for v in values if not isinstance(v, str) or not pattern.match(v)]
        if bad:
            return ["%s: %s is not a %s id (%s- and 8 or 17 hexadecimal digits, for example %s-0123456789abcdef0)"
                    % (name, ", ".join(repr(v) for v in bad), what, prefix, prefix)]
        return []

    return check


def _one_of(allowed, what, optional=False):
    def check(name, value):
        if optional and (value is None or value == ""):
            return []
        if value not in allowed:
            return ["%s=%r: must be one of %s (%s)" % (name, value, ", ".join(allowed), what)]
        return []

    return check


def check_scaling_processes(name, value):
    """None keeps what the group has; a list names processes to suspend (an empty list resumes all)."""
    if value is None:
        return []
    if not isinstance(value, list):
        return ["%s: must be a list of process names, or null" % name]
    unknown = [p for p in value if p not in SCALING_PROCESSES]
    if unknown:
        return ["%s: %s not an Auto Scaling process (the processes: %s; names are case-sensitive)"
                % (name, ", ".join(repr(p) for p in unknown), ", ".join(SCALING_PROCESSES))]
    return []


def check_volume(values, prefix="launch_template_"):
    """The root volume's size fits its type (each EBS type has its own size range)."""
    kind, raw = values.get(prefix + "volume_type"), values.get(prefix + "volume_size")
    size = _as_int(raw)
    if kind not in VOLUME_SIZES or raw is None or raw == "" or size is None or not 1 <= size <= 65536:
        return []  # the field rules report those
    low, high = VOLUME_SIZES[kind]
    if not low <= size <= high:
        return ["%svolume_size=%d: a %s volume is %d to %d GiB (%svolume_type=%s)" % (prefix, size, kind, low, high, prefix, kind)]
    return []


def check_certificate_region(values):
    """An ACM certificate serves load balancers of its own region only."""
    arn, region = values.get("stack_certificate_arn"), values.get("scaleout_aws_region")
    if not isinstance(arn, str) or not isinstance(region, str) or not _CERTIFICATE_ARN_RE.match(arn) or ":acm:" not in arn:
        return []
    if not _REGION_RE.match(region):
        return []  # check_region reports it
    cert_region = arn.split(":")[3]
    if region and cert_region != region:
        return ["stack_certificate_arn=%r: an ACM certificate in %s cannot serve a load balancer in scaleout_aws_region=%s; "
                "request or import the certificate in %s" % (arn, cert_region, region, region)]
    return []


# Rules that check one variable, by the name the roles' tables use.
FIELD_RULES = {
    "region": check_region,
    "stack_name": check_stack_name,
    "tags": check_tags,
    "instance_type": check_instance_type,
    "port": check_port,
    "certificate_arn": check_certificate_arn,
    "cidr_list": check_cidr_list,
    "alb_min_zones": _int_at_least(ALB_MIN_ZONES, " (an Application Load Balancer spans two or more zones)"),
    "non_negative_int": check_non_negative_int,
    "positive_int": check_positive_int,
    "optional_positive_int": check_optional_positive_int,
    "elb_name": check_elb_name,
    "health_check_path": check_health_check_path,
    "health_check_interval": _int_range(5, 300, " seconds"),
    "health_check_timeout": _int_range(2, 120, " seconds"),
    "health_check_threshold": _int_range(2, 10),
    "deregistration_delay": _int_range(0, 3600, " seconds"),
    "http_matcher": check_http_matcher,
    "launch_template_name": check_launch_template_name,
    "volume_size": _int_range(1, 65536, " GiB (the range of each volume type: launch_template_volume_type)"),
    "cpu_target": check_target_value,
    "security_group_name": check_security_group_name,
    "image_name_prefix": check_image_name_prefix,
    "autoscaling_name": check_autoscaling_name,
    "instance_profile_name": check_instance_profile_name,
    "security_group_ids": _resource_ids("sg", "security group"),
    "subnet_ids": _resource_ids("subnet", "subnet"),
    "vpc_id": _resource_ids("vpc", "VPC"),
    "scaling_processes": check_scaling_processes,
    "health_check_type": _one_of(HEALTH_CHECK_TYPES, "CreateAutoScalingGroup HealthCheckType"),
    "load_balancer_scheme": _one_of(LOAD_BALANCER_SCHEMES, "CreateLoadBalancer Scheme"),
    "architecture": _one_of(ARCHITECTURES, "the image architectures of EC2"),
    "cpu_credits": _one_of(CPU_CREDIT_OPTIONS, "CreditSpecification CpuCredits"),
    "volume_type": _one_of(tuple(VOLUME_SIZES), "EBS volume types"),
    "percent": _int_range(0, 100, " (a percentage)"),
}

# Rules that read several variables (by fixed names), by the name the roles' tables use.
CROSS_RULES = {
    "capacity": check_capacity,
    "counts_to_reach": check_counts_to_reach,
    "ssh": check_ssh,
    "zone_counts": check_zone_counts,
    "health_check_timing": check_health_check_timing,
    "volume": check_volume,
    "certificate_region": check_certificate_region,
}


def check_rule_table(rules):
    """Raise ValueError unless `rules` is a role's table: {"fields": {variable: rule}, "cross": [{"rule", "variables"}]}."""
    if not isinstance(rules, dict) or set(rules) - {"fields", "cross"}:
        raise ValueError("a rule table is a dict with the keys 'fields' and 'cross', got %r" % (rules,))
    unknown = sorted(set((rules.get("fields") or {}).values()) - set(FIELD_RULES))
    for cross in rules.get("cross") or []:
        if not isinstance(cross, dict) or cross.get("rule") not in CROSS_RULES or not isinstance(cross.get("variables"), list):
            unknown.append(repr(cross))
    if unknown:
        raise ValueError("unknown rules in the table: %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(FIELD_RULES) + sorted(CROSS_RULES))))


def setting_errors(values, rules):
    """Every violation in `values` (variable name -> value) of the rules of `rules` (a role's table), as
    messages naming variable and rule. Variables the table does not name are ignored."""
    check_rule_table(rules)
    errors = []
    fields = rules.get("fields") or {}
    for name in sorted(values):
        if name in fields:
            errors.extend(FIELD_RULES[fields[name]](name, values[name]))
    for cross in rules.get("cross") or []:
        if all(n in values for n in cross["variables"]):
            errors.extend(CROSS_RULES[cross["rule"]](values))
    return errors


def setting_warnings(values):
    """Legal but risky values, with the reason (the walkthrough's flapping, slow reaction)."""
    warnings = []
    target = _as_number(values.get("scaling_group_target_cpu"))
    if target is not None and 0 < target <= 100 and not 40 <= target <= 80:
        if target < 40:
            warnings.append(
                "scaling_group_target_cpu=%s is below 40: the group scales out at light load and keeps more "
                "instances than it needs (cost); 50 to 75 is the usual range" % target
            )
        else:
            warnings.append(
                "scaling_group_target_cpu=%s is above 80: the group reacts only when instances are nearly "
                "saturated, so users see slow responses before new capacity is in service" % target
            )
    if _as_int(values.get("scaling_group_instance_warmup")) == 0:
        warnings.append(
            "scaling_group_instance_warmup=0: new instances feed the CPU average while still booting, so with "
            "CPU hovering near the target the group scales out and in over and over (flapping); keep a warmup "
            "about as long as an instance needs to boot and serve"
        )
    return warnings


def desired_capacity(min_size, max_size, desired=None):
    """The desired capacity to create a group with: the given one, or the midpoint of min and max (rounded down, as 1/4 gives 2)."""
    if desired is not None:
        return desired
    return min_size + (max_size - min_size) // 2
