"""How many examples each fuzz test tries: small by default so the suite stays fast; a recorded fuzzing run sets
CONNECTOR_FUZZ_SCALE (say 20) to multiply every budget (see docs/reliability.md, "Fuzzing")."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def fuzz_settings(examples: int) -> settings:
    scale = float(os.environ.get("CONNECTOR_FUZZ_SCALE", "1"))
    return settings(max_examples=max(1, int(examples * scale)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
