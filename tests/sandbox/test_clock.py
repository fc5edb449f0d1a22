"""The simulator's clock runs at a settable speed on top of advancing, without jumps when the speed changes."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
from click.testing import CliRunner

from connector.cli import main
from connector.sandbox.clock import SimulatorClock
from connector.sandbox.settings import SandboxSettings
from connector.sandbox.state import SandboxState


class RealTime:
    """The real time a clock reads, moved by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def test_speed_scales_time_and_changing_it_never_jumps():
    real = RealTime()
    clock = SimulatorClock(1000, real_time=real)
    start, start_monotonic = clock.now(), clock.monotonic()
    assert abs((start - datetime.now(timezone.utc)).total_seconds()) < 5
    real.seconds += 1.5
    assert (clock.now() - start).total_seconds() == pytest.approx(1500)
    assert clock.monotonic() - start_monotonic == pytest.approx(1500)

    before = clock.now()
    clock.set_speed(1)
    assert clock.now() == before
    real.seconds += 2
    assert (clock.now() - before).total_seconds() == pytest.approx(2)

    clock.set_speed(0)
    frozen = clock.now()
    real.seconds += 3600
    assert clock.now() == frozen
    clock.advance(60)
    assert (clock.now() - frozen).total_seconds() == pytest.approx(60)
    assert clock.monotonic() - start_monotonic == pytest.approx(1500 + 2 + 60)

    clock.reset(1)
    assert clock.speed == 1 and abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 5


@pytest.mark.parametrize("speed", [-1, float("inf"), float("nan")])
def test_impossible_speeds_are_refused(speed):
    with pytest.raises(ValueError, match="clock speed"):
        SimulatorClock(speed)


def test_the_settings_speed_applies_from_the_start_and_after_reset():
    settings = SandboxSettings.for_tests()
    settings.clock_speed = 50
    state = SandboxState(settings)
    assert state.clock.speed == 50
    state.set_clock_speed(0)
    state.reset()
    assert state.clock.speed == 50


def test_clock_controls_over_http(sandbox):
    sandbox.reset()
    url = f"{sandbox.url}/_sim/clock"
    assert requests.get(url, timeout=5).json()["speed"] == 1
    frozen = requests.post(url, json={"speed": 0}, timeout=5).json()
    moved = requests.post(url, json={"advance_seconds": 3600}, timeout=5).json()
    elapsed = datetime.fromisoformat(moved["now"]) - datetime.fromisoformat(frozen["now"])
    assert elapsed.total_seconds() == 3600 and moved["speed"] == 0
    assert requests.post(url, json={"speed": -2}, timeout=5).status_code == 400
    assert requests.post(url, json={"speed": "fast"}, timeout=5).status_code == 400
    sandbox.reset()
    assert requests.get(url, timeout=5).json()["speed"] == 1


def test_the_sandbox_command_takes_a_clock_speed():
    runner = CliRunner()
    assert "--clock-speed" in runner.invoke(main, ["sandbox", "--help"]).output
    refused = runner.invoke(main, ["sandbox", "--clock-speed", "-5"])
    assert refused.exit_code == 2 and "clock-speed" in refused.output
