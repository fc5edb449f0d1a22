#!/usr/bin/env bash
# The scaled layout on this machine (local PostgreSQL and Redis): 2 web processes, 3 job consumers, the simulator.
# Options: --postgres URL --redis URL --web-processes N --consumers N --keep (see bench/cluster.py).
source "$(dirname "$0")/../bin/_venv.sh"
exec .venv/bin/python bench/cluster.py "$@"
