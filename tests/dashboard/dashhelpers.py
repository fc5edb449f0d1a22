"""Reading the dashboard the way a person (or a screen reader) does: cards, actions, chart bars."""
from __future__ import annotations

import re
from html import unescape

BAR = re.compile(r'<rect class="chart-bar"[^>]*?data-day="([\d-]+)" data-value="(\d+)"')
SVG = re.compile(r'<svg class="chart-svg".*?data-chart="(\w+)" data-account="(\d+)">(.*?)</svg>', re.S)
HEIGHT = re.compile(r'height="([\d.]+)"\s+data-day="([\d-]+)"')


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def actions(html: str) -> list[str]:
    """The sentences of Actions to take, in order, as plain text."""
    items = re.findall(r'<p class="action-text">(.*?)</p>', html, re.S)
    return [" ".join(unescape(item).split()) for item in items]


def card(html: str, account_id: int) -> str:
    return section(html, f'data-account-card="{account_id}"', "</article>")


def bars(html: str, account_id: int, chart: str) -> dict[str, tuple[int, float]]:
    """day -> (value, bar height in the SVG's 100 units)."""
    for key, account, body in SVG.findall(html):
        if key == chart and int(account) == account_id:
            heights = {day: float(height) for height, day in HEIGHT.findall(body)}
            return {day: (int(value), heights[day]) for day, value in BAR.findall(body)}
    raise AssertionError(f"no {chart} chart for account {account_id}")


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
