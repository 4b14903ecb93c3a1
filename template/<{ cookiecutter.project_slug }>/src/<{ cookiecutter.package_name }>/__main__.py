"""Command line of the service: ``serve`` (the default)<% if cookiecutter.slack_app %>, ``migrate`` or ``simulate``<% else %> or ``migrate``<% endif %>.

    python -m <{ cookiecutter.package_name }> [serve|migrate [REVISION]<% if cookiecutter.slack_app %>|simulate "/notes add buy milk"<% endif %>]

The container image's entrypoint is the first half of that line; the migration Job adds
``migrate``.<% if cookiecutter.slack_app %> ``simulate`` plays Slack locally (see ``slack_simulator``).<% endif %>
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from <{ cookiecutter.package_name }>.settings import Settings


def describe_settings_errors(error: ValidationError) -> str:
    """One line per problem, naming the variable and the fix; never the value (it may be a
    secret typed where its reference belongs)."""
    lines = ["invalid settings (values are not shown):"]
    for problem in error.errors(include_url=False, include_context=False, include_input=False):
        field = ".".join(str(part) for part in problem["loc"])
        variable = f"APP_{field.upper()}: " if field else ""
        lines.append(f"  {variable}{problem['msg']}")
    return "\n".join(lines)


def _migrate(settings: Settings, revision: str) -> None:
    from <{ cookiecutter.package_name }> import schema
    from <{ cookiecutter.package_name }>.credentials import Credentials
<%- if cookiecutter.database == 'postgresql' %>
    from <{ cookiecutter.package_name }>.database import client_tls, create_engine, display_url
<%- else %>
    from <{ cookiecutter.package_name }>.database import create_engine, display_url
<%- endif %>
    from <{ cookiecutter.package_name }>.telemetry import configure_telemetry, get_logger

    configure_telemetry(settings)
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    logger = get_logger("<{ cookiecutter.package_name }>.migrate")

    async def run() -> None:
        with Credentials(settings) as credentials:
<%- if cookiecutter.database == 'postgresql' %>
            tls = client_tls(settings.database_tls_dir) if settings.database_tls_dir else None
            engine = create_engine(
                credentials.database_url(), tls=tls.context if tls is not None else None
            )
<%- else %>
            engine = create_engine(credentials.database_url())
<%- endif %>
            try:
                before = await schema.current_revisions(engine)
                await schema.upgrade(engine, revision)
                after = await schema.current_revisions(engine)
            finally:
                await engine.dispose()
        logger.info(
            "migrations applied",
            database=display_url(engine),
            before=sorted(before),
            after=sorted(after),
        )

    asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="<{ cookiecutter.package_name }>",
        description="The <{ cookiecutter.project_slug }> service.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve HTTP (the default)")
    migrate = commands.add_parser("migrate", help="apply database migrations (Alembic)")
    migrate.add_argument("revision", nargs="?", default="head", help="target (default: head)")
<%- if cookiecutter.slack_app %>
    simulate_command = commands.add_parser(
        "simulate", help="send a signed slash command to the running service, as Slack would"
    )
    simulate_command.add_argument("line", help='as typed in Slack, e.g. "/notes add buy milk"')
    simulate_command.add_argument("--url", help="the service's URL (default: APP_HOST, APP_PORT)")
<%- endif %>
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as exc:
        print(describe_settings_errors(exc), file=sys.stderr)
        return 2

    if args.command == "migrate":
        _migrate(settings, args.revision)
        return 0
<%- if cookiecutter.slack_app %>

    if args.command == "simulate":
        from <{ cookiecutter.package_name }>.slack_simulator import SimulationError, simulate

        try:
            reply = simulate(settings, args.line, url=args.url)
        except SimulationError as exc:
            print(f"simulate: {exc}", file=sys.stderr)
            return 2
        print(reply.render())
        return 0 if reply.status == 200 else 1
<%- endif %>

    from <{ cookiecutter.package_name }>.server import serve

    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
