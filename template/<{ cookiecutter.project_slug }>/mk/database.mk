# Database migrations: the destructive-step check<% if cookiecutter.database == 'postgresql' %>, and every revision up and down on
# PostgreSQL through the `alembic` command line (the tests do the same through the service)<% endif %>.
# The virtualenv comes from mk/python.mk (included later, hence the literal stamp path).
.PHONY: migrations-check<% if cookiecutter.database == 'postgresql' %> migrations-postgres<% endif %>
migrations-check: .venv/.installed ## Fail on destructive migration steps outside contract revisions
	$(VENV_BIN)/python scripts/check_migrations.py migrations/versions
<%- if cookiecutter.database == 'postgresql' %>

migrations-postgres: .venv/.installed ## Apply every revision up, down and up again on a throwaway PostgreSQL
	APP_DATABASE_URL_REF=env:TEST_DATABASE_URL $(VENV_BIN)/python scripts/throwaway_postgres.py -- \
		bash -c '$(VENV_BIN)/alembic upgrade head && $(VENV_BIN)/alembic downgrade base && $(VENV_BIN)/alembic upgrade head'

CI_CHECKS += migrations-check migrations-postgres
<%- else %>

CI_CHECKS += migrations-check
<%- endif %>
