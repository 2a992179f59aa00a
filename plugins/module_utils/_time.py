# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the collection's one notion of time - ISO 8601 UTC strings from the AWS API's clock (pure).

Times come from the API and the HTTP Date header of its answers (the server's clock), never from
the controller's clock, so clock skew between the two cannot bend a timeline.
"""

from datetime import datetime
from datetime import timezone
from email.utils import parsedate_to_datetime


def parse_time(text):
    """An ISO 8601 string (with Z or an offset) as an aware datetime."""
    if isinstance(text, datetime):
        return text
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def seconds_between(start, end):
    return round((parse_time(end) - parse_time(start)).total_seconds(), 1)


def iso(value):
    """boto3 datetimes (or ISO strings) as ISO 8601 UTC strings ending in Z."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_time(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(header):
    """An HTTP Date header (RFC 7231) as an ISO 8601 UTC string, or None."""
    if not header:
        return None
    try:
        return iso(parsedate_to_datetime(header))
    except (TypeError, ValueError):
        return None


def response_time(response):
    """The server's time from the Date header of a boto3 response, or None."""
    return http_date(response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date"))
