"""Amazon marketplace connector for shop carts."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module


def create_app(overrides: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(config_module.load_config(app.instance_path))
    if overrides:
        app.config.update(overrides)
    config_module.check_production_safety(app.config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from . import extensions, database, jobs, i18n
    from .security import embed, inbound, inputs
    from .health import views as health
    from .shops import views as shops, cli as shops_cli, settings as shop_settings, formatting
    from .synclog import views as synclog, cli as synclog_cli
    from .accounts import views as accounts
    from . import dashboard
    from .authorization import views as authorization
    from .lifecycle import cli as lifecycle_cli
    from .security import cli as security_cli
    from .democart import views as democart
    from .webhooks import views as webhooks
    from .orders import views as orders
    from . import stock, stories

    embed.isolate_request_globals(app)
    database.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(app.root_path + "/../migrations"))
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    jobs.init_app(app)
    embed.init_app(app)
    inbound.init_app(app)
    inputs.init_app(app)
    health.init_app(app)
    shops.init_app(app)
    shop_settings.init_app(app)
    formatting.init_app(app)
    synclog.init_app(app)
    accounts.init_app(app)
    dashboard.init_app(app)
    authorization.init_app(app)
    webhooks.init_app(app)
    orders.init_app(app)
    stock.init_app(app)
    stories.init_app(app)
    shops_cli.init_app(app)
    lifecycle_cli.init_app(app)
    security_cli.init_app(app)
    synclog_cli.init_app(app)
    democart.init_app(app)
    if app.config["PROXY_COUNT"]:
        # Behind a reverse proxy: take the client address (rate limits, logs) and scheme from its headers, for every
        # request, webhook deliveries included (their endpoint wraps Flask: this must wrap it in turn).
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app
