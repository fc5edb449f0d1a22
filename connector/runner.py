"""`connector run`: the whole product on one machine — web app, job consumer and Amazon simulator."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade

from .democart.store import connect_demo_store
from .shops.launch import launch_url
from .shops.operations import all_shops, create_shop

STOP_GRACE_SECONDS = 10
ROOT = Path(__file__).resolve().parent.parent


def ensure_demo_shop(admin_origin: str):
    shops = all_shops()
    if shops:
        return shops[0]
    shop = create_shop("Demo shop", "woocommerce", [admin_origin], contact_email="owner@demo-shop.test")
    click.echo(f"Created the demo shop (key {shop.shop_key}).")
    return shop


def _children(host: str, port: int, sandbox_port: int, env: dict) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    connector = str(bin_dir / "connector")
    commands = {
        "web": [str(bin_dir / "gunicorn"), "--workers", "2", "--threads", "8", "--bind", f"{host}:{port}",
                "--graceful-timeout", "5", "--access-logfile", "-", "wsgi:app"],
        "jobs": [connector, "worker", "--scheduler"],
    }
    if env.get("CONNECTOR_AMAZON_TARGET", "simulator") == "simulator":
        commands["simulator"] = [connector, "sandbox", "--host", host, "--port", str(sandbox_port)]
    return commands


def run_all(host: str, port: int, sandbox_port: int, demo: bool) -> None:
    public_url = f"http://{host}:{port}"
    env = dict(os.environ)
    env.setdefault("CONNECTOR_PUBLIC_URL", public_url)
    env.setdefault("CONNECTOR_SIMULATOR_URL", f"http://{host}:{sandbox_port}")
    # The launch link printed here must point where the web process really listens.
    current_app.config["PUBLIC_URL"] = env["CONNECTOR_PUBLIC_URL"]

    upgrade(directory=str(ROOT / "migrations"))
    # The demo cart admin lives on "localhost" and frames the connector on "127.0.0.1": two sites, as in a real embed.
    demo_origin = f"http://localhost:{port}"
    shop = ensure_demo_shop(demo_origin) if demo else None
    if shop is not None:
        connect_demo_store(shop, env["CONNECTOR_PUBLIC_URL"])

    processes = {name: subprocess.Popen(cmd, env=env, cwd=ROOT) for name, cmd in _children(host, port, sandbox_port, env).items()}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    time.sleep(1.5)
    click.echo("")
    click.echo(f"Connector:        {public_url}/healthz")
    if "simulator" in processes:
        click.echo(f"Amazon simulator: {env['CONNECTOR_SIMULATOR_URL']}/")
    if shop is not None:
        click.echo(f"Demo cart admin:  {demo_origin}/demo-cart/{shop.shop_key}  (frames the connector like a real cart)")
        click.echo(f"Admin launch URL: {launch_url(shop)}")
        click.echo("                  (single use, valid 5 minutes; a new one: connector shops launch-url "
                   f"{shop.shop_key})")
    click.echo("Press Ctrl-C to stop everything.")
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                click.echo(f"The {name} process stopped (exit code {process.returncode}); stopping the rest.", err=True)
                exit_code, stopping = 1, True
                break
        time.sleep(0.5)
    _stop_all(processes)
    click.echo("Stopped.")
    raise SystemExit(exit_code)


def _stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
