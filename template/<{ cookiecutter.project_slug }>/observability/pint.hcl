# pint: lints the Prometheus rules offline (`make rules-check`). Alerts must carry the labels
# Alertmanager routes on and the annotations the on-call engineer needs; scripts/
# check_observability.py then checks that each runbook_url resolves to a runbook.
rule {
  match {
    kind = "alerting"
  }
  label "severity" {
    severity = "bug"
    required = true
    values   = ["page", "ticket"]
  }
  label "team" {
    severity = "bug"
    required = true
    value    = "<{ cookiecutter.owner_team }>"
  }
  label "service" {
    severity = "bug"
    required = true
    value    = "<{ cookiecutter.project_slug }>"
  }
  label "slo" {
    severity = "bug"
    required = true
  }
  annotation "summary" {
    severity = "bug"
    required = true
  }
  annotation "description" {
    severity = "bug"
    required = true
  }
  annotation "runbook_url" {
    severity = "bug"
    required = true
    value    = "https://github.com/<{ cookiecutter.github_org }>/<{ cookiecutter.project_slug }>/blob/main/docs/runbooks/.+[.]md"
  }
  annotation "dashboard_url" {
    severity = "bug"
    required = true
  }
}
