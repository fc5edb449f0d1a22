"""The services a benchmark runs on: a throwaway PostgreSQL database and Redis database, the connector's settings
for every process it starts, and gunicorn serving bench_app."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg
import redis
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def exit_on_terminate() -> None:
    """A terminated benchmark still stops the servers it started (their context managers run)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    name = f"connector_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connector_env(database_url: str, redis_url: str, public_url: str, simulator_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "CONNECTOR_DATABASE_URL": database_url, "CONNECTOR_REDIS_URL": redis_url,
        "CONNECTOR_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "CONNECTOR_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "CONNECTOR_PUBLIC_URL": public_url,
        "CONNECTOR_SIMULATOR_URL": simulator_url, "PYTHONPATH": str(ROOT),
    })
    return env


def flush_redis(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()


def apply(env: dict[str, str]) -> None:
    """Make this process use the same settings as the processes it starts."""
    os.environ.update({key: value for key, value in env.items() if key.startswith("CONNECTOR_")})


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> Iterator[subprocess.Popen]:
    """The production server as `connector run` starts it (sync workers with threads), serving bench_app."""
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads), "--bind",
               f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(ROOT / "bench"), "bench_app:app"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        _wait_for(port)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def process(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen]:
    child = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        yield child
    finally:
        child.terminate()
        child.wait(timeout=30)


def _wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")
