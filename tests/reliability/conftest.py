"""The reliability suite: the scaled layout (gunicorn with 2 web processes, 3 consumers, the simulator) on private
PostgreSQL and Redis servers that the tests may restart. Run by bin/test after the SQLite and PostgreSQL passes."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from services import PrivatePostgres, PrivateRedis, free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from cluster import Cluster  # noqa: E402


@pytest.fixture(scope="session")
def services():
    postgres, redis = PrivatePostgres(), PrivateRedis()
    postgres.start()
    redis.start()
    yield postgres, redis
    redis.stop()
    postgres.stop()
    postgres.remove()


@pytest.fixture
def cluster(services, tmp_path):
    postgres, redis = services
    running = Cluster(postgres_url=postgres.url, redis_url=redis.url, web_port=free_port(),
                      simulator_port=free_port(), workdir=tmp_path / "cluster")
    running.prepare()
    running.start()
    yield running
    running.stop()
    running.drop()


@pytest.fixture
def cluster_db(cluster):
    engine = create_engine(cluster.database_url.replace("postgresql://", "postgresql+psycopg://", 1),
                           pool_pre_ping=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def world(services, tmp_path_factory):
    """A cluster for the module with fast recovery, the simulator in this process and a fake WooCommerce."""
    from world import World, new_cluster

    cluster = new_cluster(services, tmp_path_factory.mktemp("cluster") / "cluster")
    running = World(cluster, tmp_path_factory.mktemp("app"))
    cluster.start()
    yield running
    cluster.stop()
    running.close()
    cluster.drop()


def create_shop(cluster, host: str = "generic", name: str = "Reliability shop") -> dict:
    return json.loads(cluster.connector("shops", "create", "--host", host, "--name", name,
                                        "--admin-origin", "https://reliability.example", "--json"))
