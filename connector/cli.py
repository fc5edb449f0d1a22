"""The `connector` command: the Flask CLI bound to this app, plus run, worker and sandbox."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from . import create_app


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False)
def main() -> None:
    """Amazon marketplace connector for shop carts."""


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--sandbox-port", default=5050, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="Do not create the demo shop.")
def run_command(host: str, port: int, sandbox_port: int, no_demo: bool) -> None:
    """Run everything on the embedded default: web app, job consumer and Amazon simulator."""
    from .runner import run_all

    run_all(host=host, port=port, sandbox_port=sandbox_port, demo=not no_demo)


@main.command("worker")
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--no-periodic", is_flag=True, help="Do not run the scheduler in this consumer.")
def worker_command(workers: int, no_periodic: bool) -> None:
    """Run a job consumer."""
    from .jobs.consumer import run_consumer

    run_consumer(workers=workers, periodic=not no_periodic)


@main.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5050, show_default=True, type=int)
@click.option("--feed-delay", type=click.FloatRange(min=0),
              help="Seconds of simulator time from createFeed until a feed is DONE; 0 processes feeds at once.")
def sandbox_command(host: str, port: int, feed_delay: float | None) -> None:
    """Run the local Amazon simulator alone."""
    from flask import current_app

    from .sandbox.server import serve
    from .sandbox.settings import SandboxSettings

    click.echo(f"Amazon simulator on http://{host}:{port}/ (Ctrl-C stops it)")
    settings = SandboxSettings.from_connector_config(current_app.config)
    if feed_delay is not None:
        settings.feed_processing_seconds = feed_delay
    serve(settings, host, port)


if __name__ == "__main__":
    main()
