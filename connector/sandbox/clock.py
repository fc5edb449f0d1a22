"""The simulator's clock: real time, moved forward by tests, running at a configurable speed.

Speed 1 is real time; 1000 makes a simulated second pass every real millisecond; 0 freezes the clock so only
`advance` moves it. The clock is piecewise linear: every change of speed or offset re-anchors it at the current
simulated instant, so changing speed never makes time jump.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone


def checked_speed(speed: float) -> float:
    speed = float(speed)
    if not math.isfinite(speed) or speed < 0:
        raise ValueError("clock speed must be a finite number >= 0 (1 = real time, 0 = frozen)")
    return speed


class SimulatorClock:
    def __init__(self, speed: float = 1.0, real_time: Callable[[], float] = time.monotonic) -> None:
        self._real_time = real_time
        self._lock = threading.Lock()
        self._start(checked_speed(speed))

    def _start(self, speed: float) -> None:
        self._speed = speed
        self._real_anchor = self._real_time()
        self._wall_anchor = datetime.now(timezone.utc)
        # Simulated monotonic time starts at the process's monotonic time, as it did before the clock had a speed.
        self._monotonic_anchor = self._real_anchor

    def _elapsed(self) -> float:
        return (self._real_time() - self._real_anchor) * self._speed

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        with self._lock:
            return self._wall_anchor + timedelta(seconds=self._elapsed())

    def monotonic(self) -> float:
        with self._lock:
            return self._monotonic_anchor + self._elapsed()

    def set_speed(self, speed: float) -> None:
        speed = checked_speed(speed)
        with self._lock:
            real = self._real_time()
            elapsed = (real - self._real_anchor) * self._speed
            self._wall_anchor += timedelta(seconds=elapsed)
            self._monotonic_anchor += elapsed
            self._real_anchor = real
            self._speed = speed

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._wall_anchor += timedelta(seconds=seconds)
            self._monotonic_anchor += seconds

    def reset(self, speed: float) -> None:
        """Back to the real time of day, at `speed`."""
        speed = checked_speed(speed)
        with self._lock:
            self._start(speed)
