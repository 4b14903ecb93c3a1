# A monthly cost budget for everything tagged with the service, alerting the team at each
# threshold of actual and of forecast spend, and a cost anomaly monitor on the same tag.
# The service tag must be activated as a cost-allocation tag (Billing console, once per account).
locals {
  notifications = flatten([
    for threshold in var.alert_thresholds_percent : [
      for kind in ["ACTUAL", "FORECASTED"] : { threshold = threshold, kind = kind }
    ]
  ])
}

resource "aws_budgets_budget" "this" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:service$%s", var.service_tag)]
  }

  dynamic "notification" {
    for_each = local.notifications

    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value.threshold
      threshold_type             = "PERCENTAGE"
      notification_type          = notification.value.kind
      subscriber_email_addresses = var.alert_emails
    }
  }

  tags = var.tags
}

resource "aws_ce_anomaly_monitor" "this" {
  name         = "${var.name}-costs"
  monitor_type = "CUSTOM"

  monitor_specification = jsonencode({
    Tags = {
      Key          = "service"
      Values       = [var.service_tag]
      MatchOptions = ["EQUALS"]
    }
  })

  tags = var.tags
}

resource "aws_ce_anomaly_subscription" "this" {
  name             = "${var.name}-cost-anomalies"
  frequency        = "DAILY"
  monitor_arn_list = [aws_ce_anomaly_monitor.this.arn]

  dynamic "subscriber" {
    for_each = var.alert_emails

    content {
      type    = "EMAIL"
      address = subscriber.value
    }
  }

  threshold_expression {
    dimension {
      key           = "ANOMALY_TOTAL_IMPACT_ABSOLUTE"
      match_options = ["GREATER_THAN_OR_EQUAL"]
      values        = [tostring(var.anomaly_threshold_usd)]
    }
  }

  tags = var.tags
}
