"""Pagination of the list APIs the sandbox implements: NextToken is the offset of the next page."""

from __future__ import annotations

from typing import Optional


def offset_page(items: list, key: str, limit: int, token: Optional[str]) -> dict:
    """{key: one page of items, "NextToken": where the next one starts (only if there is one)}."""
    offset = int(token) if token and str(token).isdigit() else 0
    result = {key: items[offset:offset + limit]}
    if len(items) > offset + limit:
        result["NextToken"] = str(offset + limit)
    return result
