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
@click.option("--clock-speed", default=1.0, show_default=True, type=click.FloatRange(min=0),
              envvar="CONNECTOR_SANDBOX_CLOCK_SPEED",
              help="Simulated seconds per real second (1000: an hour passes in 3.6 s; 0 freezes the clock).")
@click.option("--demo-orders/--no-demo-orders", default=True, show_default=True,
              envvar="CONNECTOR_SANDBOX_DEMO_ORDERS", help="Generate a few orders per hour for the demo seller.")
def sandbox_command(host: str, port: int, clock_speed: float, demo_orders: bool) -> None:
    """Run the local Amazon simulator alone."""
    from flask import current_app

    from .sandbox.server import serve
    from .sandbox.settings import SandboxSettings

    settings = SandboxSettings.from_connector_config(current_app.config)
    settings.clock_speed, settings.demo_orders = clock_speed, demo_orders
    click.echo(f"Amazon simulator on http://{host}:{port}/ (clock speed {clock_speed:g}; Ctrl-C stops it)")
    serve(settings, host, port)


if __name__ == "__main__":
    main()
