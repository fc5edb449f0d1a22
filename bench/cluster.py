"""The scaled layout on one machine: PostgreSQL and Redis, gunicorn with several web processes, several job
consumers (exactly one of them the scheduler), and the Amazon simulator. The reliability tests drive it from Python
(kill a consumer, restart it, restart the databases); `bench/cluster.sh` starts it by hand.

The connector gets its own PostgreSQL database and Redis database number, so a cluster never touches anything else.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class Cluster:
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    redis_url: str = "redis://127.0.0.1:6379/7"
    web_port: int = 8800
    simulator_port: int = 8850
    web_processes: int = 2
    consumers: int = 3
    workdir: Path = field(default_factory=lambda: Path("/tmp/connector-cluster"))
    database: str = field(default_factory=lambda: f"connector_cluster_{secrets.token_hex(4)}")
    extra_env: dict[str, str] = field(default_factory=dict)
    simulator: bool = True  # False: the caller runs the simulator on simulator_port (in its own process)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.simulator_port}"

    @property
    def database_url(self) -> str:
        return self.postgres_url.rsplit("/", 1)[0] + "/" + self.database

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "CONNECTOR_DATABASE_URL": self.database_url,
            "CONNECTOR_REDIS_URL": self.redis_url,
            "CONNECTOR_SECRET_KEY": self.secret_key,
            "CONNECTOR_ENCRYPTION_KEYS": self.encryption_key,
            # Loopback only, so plain http: production mode (which insists on https) is not used here.
            "CONNECTOR_PUBLIC_URL": self.url,
            "CONNECTOR_SIMULATOR_URL": self.simulator_url,
            "CONNECTOR_LWA_CLIENT_SECRET": "amzn1.oa2-cs.v1.cluster-simulator-secret",
        })
        env.update(self.extra_env)
        return env

    def prepare(self) -> None:
        """A fresh database with the migrations applied, an empty Redis database, fresh keys."""
        self.secret_key = secrets.token_urlsafe(48)
        self.encryption_key = Fernet.generate_key().decode()
        shutil.rmtree(self.workdir, ignore_errors=True)
        (self.workdir / "logs").mkdir(parents=True)
        admin = create_engine(self.postgres_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        self.connector("db", "upgrade")

    def connector(self, *args: str) -> str:
        """Run a `connector` command against this cluster's configuration; returns its output."""
        done = subprocess.run([str(BIN / "connector"), *args], env=self.env(), cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"connector {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.workdir / "logs" / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, env=self.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def start(self) -> None:
        if self.simulator:
            self._spawn("simulator", [str(BIN / "connector"), "sandbox", "--port", str(self.simulator_port),
                                      "--no-demo-orders"])
        self._spawn("web", [str(BIN / "gunicorn"), "--workers", str(self.web_processes), "--threads", "8",
                            "--bind", f"127.0.0.1:{self.web_port}", "--graceful-timeout", "5", "wsgi:app"])
        for number in range(self.consumers):
            self.start_consumer(number)
        self.wait_until_healthy()

    def start_consumer(self, number: int, scheduler: bool | None = None) -> str:
        """Start consumer `number` (consumer-0 is the scheduler unless told otherwise); returns its name."""
        command = [str(BIN / "connector"), "worker", "--workers", "4"]
        if number == 0 if scheduler is None else scheduler:
            command.append("--scheduler")
        name = f"consumer-{number}"
        self._spawn(name, command)
        return name

    def consumer_names(self) -> list[str]:
        return sorted(name for name in self.processes if name.startswith("consumer-"))

    def name_of_pid(self, pid: int) -> str | None:
        return next((name for name, process in self.processes.items() if process.pid == pid), None)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def kill_and_restart_consumer(self, name: str) -> None:
        """SIGKILL the consumer (no chance to finish or release anything) and start it again, as a supervisor
        would; the scheduler comes back as the scheduler."""
        scheduler = "--scheduler" in self.processes[name].args
        self.kill(name)
        self.start_consumer(int(name.rsplit("-", 1)[1]), scheduler=scheduler)

    def wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if (requests.get(f"{self.url}/healthz", timeout=2).ok
                        and requests.get(f"{self.simulator_url}/_sim/clock", timeout=2).ok):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the cluster did not become healthy; see {self.workdir / 'logs'}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def drop(self) -> None:
        admin = create_engine(self.postgres_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Start the scaled layout on this machine; Ctrl-C stops it.")
    parser.add_argument("--postgres", default=Cluster.postgres_url)
    parser.add_argument("--redis", default=Cluster.redis_url)
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--consumers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database when stopping")
    options = parser.parse_args()
    cluster = Cluster(postgres_url=options.postgres, redis_url=options.redis, web_processes=options.web_processes,
                      consumers=options.consumers)
    cluster.prepare()
    cluster.start()
    shop = cluster.connector("shops", "create", "--host", "generic", "--name", "Cluster shop",
                             "--admin-origin", "https://cluster-shop.example", "--json")
    print(f"Connector (gunicorn, {cluster.web_processes} processes): {cluster.url}/healthz")
    print(f"Amazon simulator: {cluster.simulator_url}/")
    print(f"{cluster.consumers} job consumers (consumer-0 is the scheduler); logs in {cluster.workdir / 'logs'}")
    print(f"Database {cluster.database_url}, Redis {cluster.redis_url}")
    print(f"A shop to play with:\n{shop}")
    print("Ctrl-C stops everything.")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the children on a plain kill too
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        if not options.keep:
            cluster.drop()


if __name__ == "__main__":
    main()
