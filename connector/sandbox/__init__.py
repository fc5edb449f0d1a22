"""A local stand-in for Amazon: Seller Central consent, Login with Amazon, and the SP-API operations we call."""
from __future__ import annotations

from flask import Flask, g

from .settings import SandboxSettings
from .state import SandboxState


def create_sandbox_app(settings: SandboxSettings) -> Flask:
    from . import consent, controls, lwa, spapi
    from . import feed_controls, feed_lifecycle, listing_controls, presigned

    app = Flask(__name__, template_folder="templates")
    state = SandboxState(settings)
    app.extensions["sandbox_state"] = state

    @app.before_request
    def remember_generation() -> None:
        g.sim_generation = state.generation

    for blueprint in (consent.bp, lwa.bp, spapi.bp, controls.bp):
        app.register_blueprint(blueprint)
    for blueprint in (presigned.bp, feed_controls.bp, listing_controls.bp):
        app.register_blueprint(blueprint)
    feed_lifecycle.start_worker(state)
    return app
