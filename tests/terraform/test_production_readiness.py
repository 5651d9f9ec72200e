"""Issue 21, structurally: alarms that reach people, deploys that tell the truth, a safer edge and
data path. Each test reads terraform/ (python-hcl2, offline) and, where the app is involved, the
application code the configuration must agree with.
"""

from __future__ import annotations

import re

import pytest

from tests.terraform.test_terraform_infra import (
    ENVIRONMENTS,
    MODULES_DIR,
    REPO_ROOT,
    TF_ROOT,
    _app_settings_source,
    _containers,
    _env_of,
    _secrets_of,
    block,
    blocks,
    data_sources,
    module_locals,
    parse,
    resource,
    resources,
    root_modules,
    tfvars,
    variable_default,
    variables,
)


def _root_variable(name: str) -> dict:
    return variables(TF_ROOT)[name]


def _validations(body: dict) -> list[str]:
    return [v["condition"] for v in blocks(body, "validation")]


def _regex_of(condition: str) -> re.Pattern[str]:
    match = re.search(r'regex\("((?:[^"\\]|\\.)*)"', condition)
    assert match, condition
    return re.compile(match.group(1).replace("\\\\", "\\"))


def _alarms() -> dict[str, dict]:
    return {
        name: body
        for (_, name), body in resources(
            MODULES_DIR / "monitoring", "aws_cloudwatch_metric_alarm"
        ).items()
    }


def _alarm(name: str) -> dict:
    alarms = _alarms()
    assert name in alarms, f"no alarm {name} in modules/monitoring"
    return alarms[name]


# --- alarms that reach people -----------------------------------------------------------------


def test_alarm_recipients_are_validated_and_required_unless_staging_opts_out():
    emails = _root_variable("alarm_emails")
    [format_check, required] = _validations(emails)
    pattern = _regex_of(format_check)
    for good in ("guardia@kavak.com", "ops+whatsapp@kavak.example"):
        assert pattern.fullmatch(good), good
    for bad in ("", "kavak.com", "a@b", "two words@kavak.com"):
        assert not pattern.fullmatch(bad), bad
    assert required == (
        "${var.alarm_notifications_opt_out || "
        "length(var.alarm_emails) + length(var.alarm_https_endpoints) > 0}"
    )
    [opt_out] = _validations(_root_variable("alarm_notifications_opt_out"))
    assert opt_out == '${!(var.alarm_notifications_opt_out && var.environment == "production")}'
    assert _root_variable("alarm_notifications_opt_out")["default"] is False
    [https] = _validations(_root_variable("alarm_https_endpoints"))
    assert 'startswith(url, "https://")' in https

    production, staging = tfvars("production"), tfvars("staging")
    assert production["alarm_emails"], "production pages someone"
    assert all(pattern.fullmatch(e) for e in production["alarm_emails"])
    assert production.get("alarm_notifications_opt_out", False) is False
    # Staging may page nobody, but only by saying so.
    assert staging["alarm_emails"] or staging["alarm_notifications_opt_out"] is True


def test_the_alarm_topic_delivers_to_email_and_https_and_accepts_cloudwatch_and_prometheus():
    calls = root_modules()["monitoring"]
    assert calls["alarm_emails"] == "${var.alarm_emails}"
    assert calls["alarm_https_endpoints"] == "${var.alarm_https_endpoints}"
    email = resource("monitoring", "aws_sns_topic_subscription", "email")
    https = resource("monitoring", "aws_sns_topic_subscription", "https")
    assert (email["protocol"], email["for_each"]) == ("email", "${toset(var.alarm_emails)}")
    assert (https["protocol"], https["for_each"]) == (
        "https",
        "${toset(var.alarm_https_endpoints)}",
    )
    policy = data_sources(MODULES_DIR / "monitoring", "aws_iam_policy_document")["alarms_topic"]
    publish = next(
        s for s in blocks(policy, "statement") if s["sid"] == "CloudWatchAndPrometheusPublish"
    )
    assert block(publish, "principals")["identifiers"] == [
        "cloudwatch.amazonaws.com",
        "aps.amazonaws.com",
    ]
    assert block(publish, "condition")["variable"] == "aws:SourceAccount"
    # Both services must be able to use the KMS key of the encrypted topic.
    key = data_sources(MODULES_DIR / "kms", "aws_iam_policy_document")["key"]
    services = {
        identifier
        for statement in blocks(key, "statement")
        for principal in blocks(statement, "principals")
        for identifier in principal["identifiers"]
    }
    assert {"cloudwatch.amazonaws.com", "aps.amazonaws.com"} <= services


@pytest.mark.parametrize("service", ["worker-turns", "worker-messages", "beat"])
def test_both_workers_and_beat_alarm_when_no_task_runs(service: str):
    alarm = _alarm("running_tasks")
    assert alarm["for_each"] == "${local.running_task_services}"
    locals_ = module_locals("monitoring")
    assert locals_["running_task_services"] == (
        "${merge(local.worker_services, {beat = var.beat_service_name})}"
    )
    assert locals_["worker_services"] == (
        '${{for queue, service in var.worker_service_names : "worker-${queue}" => service}}'
    )
    assert root_modules()["monitoring"]["worker_service_names"] == {
        "turns": "worker-turns",
        "messages": "worker-messages",
    }
    assert service in locals_["running_task_impact"]
    assert (alarm["namespace"], alarm["metric_name"]) == (
        "ECS/ContainerInsights",
        "RunningTaskCount",
    )
    assert alarm["comparison_operator"] == "LessThanThreshold"
    assert alarm["threshold"] == 1
    assert alarm["treat_missing_data"] == "breaching", "no datapoint: no task reported"
    # Longer than beat's stop-then-start deployment gap (about a minute).
    assert alarm["evaluation_periods"] * alarm["period"] >= 180
    cluster = resource("ecs", "aws_ecs_cluster", "this")
    assert {s["name"]: s["value"] for s in blocks(cluster, "setting")} == {
        "containerInsights": "enabled"
    }


def test_queue_alarms_read_the_metrics_the_exporter_publishes():
    exporter = (REPO_ROOT / "kavak" / "queue_metrics.py").read_text()
    namespace = "${var.queue_metrics_namespace}"
    oldest = _alarm("queue_oldest_message_age")
    depth = _alarm("queue_depth")
    for alarm, metric in ((oldest, "OldestMessageAgeSeconds"), (depth, "QueueDepth")):
        assert alarm["namespace"] == namespace
        assert alarm["metric_name"] == metric
        assert f'"{metric}"' in exporter, f"the exporter does not publish {metric}"
        # One alarm per queue (issue 18): turns and messages (Celery's default queue).
        assert alarm["for_each"] == "${var.celery_queues}"
        assert alarm["dimensions"] == {"Queue": "${each.key}"}
        assert alarm["alarm_name"].startswith("${var.name}-${each.key}-queue-")
        assert alarm["comparison_operator"] == "GreaterThanThreshold"
    assert '{"Queue": stat.queue}' in exporter
    assert set(variable_default("monitoring", "celery_queues")) == {"turns", "messages"}
    # No datapoint means the exporter (or beat's whole task) is down: that must page too.
    assert oldest["treat_missing_data"] == "breaching"
    # One namespace, chosen once in the root, for the exporter and the alarms.
    root_locals = {}
    for entry in parse(TF_ROOT / "main.tf")["locals"]:
        root_locals.update(entry)
    assert root_locals["app_metrics_namespace"] == "Kavak/${local.name}"
    calls = root_modules()
    assert calls["ecs"]["queue_metrics_namespace"] == "${local.app_metrics_namespace}"
    assert calls["monitoring"]["queue_metrics_namespace"] == "${local.app_metrics_namespace}"
    exporter_env = _env_of(_containers()["exporter"])
    assert exporter_env["QUEUE_METRICS_NAMESPACE"] == "${var.queue_metrics_namespace}"


def test_inbound_to_send_p95_alarm_reads_the_exporter_metric():
    alarm = _alarm("whatsapp_inbound_to_send_p95")
    assert alarm["namespace"] == "${var.queue_metrics_namespace}"
    assert alarm["metric_name"] == "WhatsAppInboundToSendP95Seconds"
    assert '"WhatsAppInboundToSendP95Seconds"' in (REPO_ROOT / "kavak/queue_metrics.py").read_text()
    assert alarm["threshold"] == "${var.whatsapp_inbound_to_send_p95_seconds}"
    assert variable_default("monitoring", "whatsapp_inbound_to_send_p95_seconds") <= 60


def test_signature_failures_are_counted_from_the_log_line_the_app_writes():
    metric_filter = resource(
        "monitoring", "aws_cloudwatch_log_metric_filter", "twilio_signature_failures"
    )
    assert metric_filter["log_group_name"] == "${var.web_log_group_name}"
    assert (
        root_modules()["monitoring"]["web_log_group_name"] == '${module.ecs.log_group_names["web"]}'
    )
    match = re.fullmatch(r'\{ \$\.message = "(\w+)\*" \}', metric_filter["pattern"])
    assert match, metric_filter["pattern"]
    # The JSON log line's "message" starts with that word (kavak/logging.py, channels/twilio).
    source = (REPO_ROOT / "channels" / "twilio" / "signature.py").read_text()
    assert f'"{match.group(1)} reason=' in source
    assert '"message": record.getMessage()' in (REPO_ROOT / "kavak" / "logging.py").read_text()
    alarm = _alarm("twilio_signature_failures")
    transformation = block(metric_filter, "metric_transformation")
    assert alarm["metric_name"] == (
        "${aws_cloudwatch_log_metric_filter.twilio_signature_failures.metric_transformation[0].name}"
    )
    assert transformation["namespace"] == alarm["namespace"]
    assert alarm["statistic"] == "Sum"


def test_redis_alarms_on_memory_and_on_any_eviction():
    for name, metric in (
        ("redis_memory", "DatabaseMemoryUsagePercentage"),
        ("redis_evictions", "Evictions"),
    ):
        alarm = _alarm(name)
        assert alarm["for_each"] == "${toset(var.redis_node_ids)}"
        assert alarm["metric_name"] == metric
        assert alarm["dimensions"] == {"CacheClusterId": "${each.value}"}
    evictions = _alarm("redis_evictions")
    assert (evictions["comparison_operator"], evictions["threshold"]) == ("GreaterThanThreshold", 0)


def test_rds_connection_alarm_fires_at_a_share_of_the_configured_max_connections():
    alarm = _alarm("rds_connections")
    assert (
        alarm["threshold"]
        == "${floor(var.rds_max_connections * var.rds_connections_percent / 100)}"
    )
    assert variable_default("monitoring", "rds_connections_percent") == 80
    params = {
        p["name"]: p["value"]
        for p in blocks(resource("rds", "aws_db_parameter_group", "this"), "parameter")
    }
    assert params["max_connections"] == "${tostring(var.max_connections)}"
    assert root_modules()["monitoring"]["rds_max_connections"] == "${module.rds.max_connections}"
    assert root_modules()["rds"]["max_connections"] == "${var.db_max_connections}"
    for env in ENVIRONMENTS:
        values = tfvars(env)
        # Room for every thread that keeps a connection (Django's are per thread): web tasks x
        # gunicorn workers x threads + turn tasks x threads + message tasks x processes + spare.
        vcpu = values["worker_cpu"] // 1024 or 1
        peak = (
            values["web_max_count"]
            * values["web_gunicorn_workers"]
            * values["web_gunicorn_threads"]
            + values["worker_turns_max_count"] * values["turn_worker_threads"]
            + values["worker_messages_max_count"] * vcpu
        )
        assert values["db_max_connections"] * 0.8 > peak + 10, env


def test_every_alarm_notifies_and_has_a_runbook_entry_in_operations():
    operations = (REPO_ROOT / "OPERATIONS.md").read_text(encoding="utf-8")
    section = operations.split("## Alarms and what to do", 1)[1].split("\n## ", 1)[0]
    suffixes = []
    for name, body in _alarms().items():
        assert body["alarm_actions"] == "${local.actions}", name
        assert body["ok_actions"] == "${local.actions}", name
        assert "Runbook: OPERATIONS.md" in body["alarm_description"], name
        alarm_name = body["alarm_name"]
        if "for_each" in body and "${each.key}" in alarm_name:
            workers = ["worker-turns", "worker-messages"]
            keys = {
                "${local.ecs_services}": ["web", *workers],
                "${local.running_task_services}": [*workers, "beat"],
                "${var.celery_queues}": ["turns", "messages"],
            }
            names = [alarm_name.replace("${each.key}", key) for key in keys[body["for_each"]]]
        else:
            names = [alarm_name]
        for full in names:
            suffix = re.sub(r"^\$\{(var\.name|each\.value)\}-", "", full)
            assert "${" not in suffix, full
            suffixes.append(suffix)
    for suffix in suffixes:
        assert f"`<name>-{suffix}`" in section or f"-{suffix}`" in section, (
            f"OPERATIONS.md has no runbook line for the alarm ...-{suffix}"
        )
    # The Prometheus alerts (alert manager -> the same topic) too.
    rules = resource("monitoring", "aws_prometheus_rule_group_namespace", "kavak")["data"]
    for alert in re.findall(
        r"alert = \"(\w+)\"|\"alert\": \"(\w+)\"|alert\s*=\s*\"(\w+)\"", str(rules)
    ):
        assert any(a and a in section for a in alert), alert


def test_prometheus_metrics_are_scraped_by_adot_sidecars_into_amp_and_alerts_go_to_the_topic():
    locals_ = module_locals("ecs")
    config = locals_["adot_config"]
    assert "127.0.0.1:${port}" in config
    assert "web = var.app_port, worker = var.celery_metrics_port" in config
    assert "sigv4auth" in config
    assert "prometheusremotewrite" in config
    assert locals_["web_containers"][1] == "${local.adot_container.web}"
    assert "local.adot_container.worker" in locals_["worker_containers"]  # one per queue
    assert "essential              = false" in (MODULES_DIR / "ecs" / "main.tf").read_text()
    # The sidecar scrapes over localhost, which the app admits without a token.
    settings = _app_settings_source()
    assert (
        'METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32"'
        in settings
    )
    calls = root_modules()
    assert (
        calls["ecs"]["prometheus_remote_write_url"]
        == "${module.monitoring.prometheus_remote_write_url}"
    )
    assert (
        calls["iam"]["prometheus_workspace_arn"] == "${module.monitoring.prometheus_workspace_arn}"
    )
    policy = data_sources(MODULES_DIR / "iam", "aws_iam_policy_document")["prometheus_remote_write"]
    statement = block(policy, "statement")
    assert statement["actions"] == ["aps:RemoteWrite"]
    assert statement["resources"] == ["${var.prometheus_workspace_arn}"]
    manager = resource("monitoring", "aws_prometheus_alert_manager_definition", "this")
    assert "sns_configs" in manager["definition"]
    assert "aws_sns_topic.alarms.arn" in manager["definition"]
    # /metrics itself stays private: no new ingress to web, the ALB still answers 404.
    assert resource("alb", "aws_lb_listener_rule", "metrics_not_public")


# --- deploys that tell the truth --------------------------------------------------------------


@pytest.mark.parametrize("service", ["web", "worker-turns", "worker-messages", "beat"])
def test_deployment_alarms_roll_back_a_healthy_but_broken_release(service: str):
    body = resource("ecs", "aws_ecs_service", service.split("-")[0])
    alarms = block(body, "alarms")
    key = "worker-${each.key}" if service.startswith("worker") else service
    assert alarms == {
        "alarm_names": f'${{var.deployment_alarm_names["{key}"]}}',
        "enable": True,
        "rollback": True,
    }
    assert block(body, "deployment_circuit_breaker") == {"enable": True, "rollback": True}
    assert root_modules()["ecs"]["deployment_alarm_names"] == (
        "${module.monitoring.deployment_alarm_names}"
    )
    outputs = {}
    for entry in parse(MODULES_DIR / "monitoring" / "outputs.tf")["output"]:
        outputs.update(entry)
    value = outputs["deployment_alarm_names"]["value"]
    assert value["web"] == ["${aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name}"]
    if service.startswith("worker-"):  # each worker rolls back on its own queue's age
        queue = service.removeprefix("worker-")
        assert value[service] == [
            f'${{aws_cloudwatch_metric_alarm.queue_oldest_message_age["{queue}"].alarm_name}}'
        ]
    elif service == "beat":
        assert "aws_cloudwatch_metric_alarm.queue_oldest_message_age" in value["beat"]
    else:
        for name in value[service]:
            assert name.startswith("${aws_cloudwatch_metric_alarm.")


def test_the_image_tag_is_a_required_git_sha_never_a_placeholder():
    for declared in (_root_variable("image_tag"), variables(MODULES_DIR / "ecs")["image_tag"]):
        assert "default" not in declared
        [condition] = _validations(declared)
        pattern = _regex_of(condition)
        assert pattern.fullmatch("0123456789abcdef0123456789abcdef01234567")
        for bad in ("bootstrap", "latest", "v1.2.3", "0123456"):
            assert not pattern.fullmatch(bad), bad
    assert root_modules()["ecs"]["image_tag"] == "${var.image_tag}"
    for env in ENVIRONMENTS:
        assert "image_tag" not in tfvars(env), "the pipeline sets it, not the tfvars"
    readme = (TF_ROOT / "README.md").read_text()
    assert 'image_tag = "bootstrap"' not in readme


def test_web_and_worker_containers_have_health_checks():
    containers = _containers()
    web = containers["web"]["healthCheck"]
    assert web == "${local.web_health_check}" or isinstance(web, dict)
    locals_ = module_locals("ecs")
    web_check, worker_check = locals_["web_health_check"], locals_["worker_health_check"]
    assert web_check["command"][0] == "CMD"
    assert "http://127.0.0.1:${var.app_port}/healthz" in " ".join(web_check["command"])
    assert worker_check["command"][0] == "CMD-SHELL"
    ping = worker_check["command"][1]
    assert ping.startswith("celery -A kavak inspect ping")
    assert '--destination "celery@' in ping, "this worker's node, not any worker"
    assert worker_check["startPeriod"] >= 60
    for check in (web_check, worker_check):
        assert check["timeout"] < check["interval"]
        assert check["retries"] >= 2
    assert resource("ecs", "aws_ecs_task_definition", "web")  # rendered with local.web_container
    assert locals_["web_container"]["healthCheck"] == "${local.web_health_check}"
    assert locals_["worker_container"]["healthCheck"] == "${local.worker_health_check}"


def test_the_migrate_task_runs_with_lock_and_statement_timeouts_the_app_applies():
    env = _env_of(_containers()["migrate"])
    assert env["DATABASE_LOCK_TIMEOUT_MS"] == "${tostring(var.migrate_lock_timeout_ms)}"
    assert env["DATABASE_STATEMENT_TIMEOUT_MS"] == "${tostring(var.migrate_statement_timeout_ms)}"
    settings = _app_settings_source()
    assert '"lock_timeout": env.int("DATABASE_LOCK_TIMEOUT_MS"' in settings
    assert '"statement_timeout": env.int("DATABASE_STATEMENT_TIMEOUT_MS"' in settings
    for name in ("web", "worker"):
        assert "DATABASE_LOCK_TIMEOUT_MS" not in _env_of(_containers()[name])


def test_terraform_roles_plan_read_only_and_apply_only_inside_the_github_environment():
    policies = data_sources(MODULES_DIR / "iam", "aws_iam_policy_document")
    plan_trust = block(policies["terraform_plan_assume"], "statement")
    subjects = next(
        c for c in blocks(plan_trust, "condition")
        if c["variable"] == "token.actions.githubusercontent.com:sub"
    )  # fmt: skip
    assert subjects["values"] == [
        "repo:${var.github_repository}:pull_request",
        "repo:${var.github_repository}:ref:refs/heads/main",
    ]
    attachment = resource("iam", "aws_iam_role_policy_attachment", "terraform_plan_read_only")
    assert attachment["policy_arn"].endswith(":iam::aws:policy/ReadOnlyAccess")
    apply = resource("iam", "aws_iam_role", "terraform_apply")
    # The same trust as the deploy role: only jobs running in the GitHub environment.
    assert apply["assume_role_policy"] == "${data.aws_iam_policy_document.deploy_assume.json}"
    iam = policies["terraform_apply_iam"]
    roles = next(s for s in blocks(iam, "statement") if s["sid"] == "ManageEnvironmentRoles")
    assert roles["resources"] == [
        "arn:${local.partition}:iam::${local.account_id}:role/${var.name}-*"
    ]


# --- a safer edge -----------------------------------------------------------------------------


def _waf_rules() -> dict[str, dict]:
    acl = resource("alb", "aws_wafv2_web_acl", "this")
    rules = {rule["name"]: rule for rule in blocks(acl, "rule")}
    for dynamic in blocks(acl, "dynamic"):
        for body in dynamic.values():
            content = block(body, "content")
            rules[content["name"]] = content
    return rules


def _byte_match(statement: dict) -> dict:
    return block(statement, "byte_match_statement")


def test_webhooks_get_their_own_rate_limit_sized_for_twilio():
    rules = _waf_rules()
    rule = rules["rate-limit-webhooks-per-ip"]
    assert "block" in block(rule, "action")
    rate = block(block(rule, "statement"), "rate_based_statement")
    assert rate["limit"] == "${var.webhook_rate_limit_per_5_minutes}"
    assert rate["aggregate_key_type"] == "IP"
    match = _byte_match(block(rate, "scope_down_statement"))
    assert (match["search_string"], match["positional_constraint"]) == (
        "${var.webhook_path_prefix}",
        "STARTS_WITH",
    )
    assert variable_default("alb", "webhook_path_prefix") == "/channels/"
    default = variable_default("alb", "webhook_rate_limit_per_5_minutes")
    assert default > variable_default("alb", "rate_limit_per_5_minutes")
    assert root_modules()["alb"]["webhook_rate_limit_per_5_minutes"] == (
        "${var.webhook_rate_limit_per_5_minutes}"
    )
    # The general limit still excludes the webhooks (their own rule covers them).
    general = block(block(rules["rate-limit-per-ip"], "statement"), "rate_based_statement")
    assert "not_statement" in block(general, "scope_down_statement")


def _negated(statement: dict) -> dict:
    return block(block(statement, "not_statement"), "statement")


def _requires_header(statement: dict) -> str:
    """The header a `not(size of header > 0)` statement requires; its name, lowercase."""
    size = block(_negated(statement), "size_constraint_statement")
    assert (size["comparison_operator"], size["size"]) == ("GT", 0)
    return block(block(size, "field_to_match"), "single_header")["name"]


def _is_meta_path(statement: dict) -> bool:
    match = _byte_match(statement)
    return (match["search_string"], match["positional_constraint"]) == (
        "${var.meta_webhook_path}",
        "STARTS_WITH",
    )


def test_webhook_requests_without_a_twilio_signature_are_blocked_at_the_edge():
    rule = _waf_rules()["twilio-webhook-requires-signature"]
    assert "block" in block(rule, "action")
    parts = blocks(block(block(rule, "statement"), "and_statement"), "statement")
    assert len(parts) == 3
    assert _byte_match(parts[0])["search_string"] == "${var.webhook_path_prefix}"
    assert _is_meta_path(_negated(parts[1])), "Meta's webhook has its own signature rule"
    # WAF matches header names in lowercase.
    assert _requires_header(parts[2]) == "x-twilio-signature"
    source = (REPO_ROOT / "channels" / "twilio" / "signature.py").read_text()
    assert "X-Twilio-Signature" in source


def test_meta_webhook_posts_without_their_signature_are_blocked_at_the_edge():
    """Meta signs every event POST (X-Hub-Signature-256); only the GET handshake is unsigned."""
    rule = _waf_rules()["meta-webhook-requires-signature"]
    assert "block" in block(rule, "action")
    parts = blocks(block(block(rule, "statement"), "and_statement"), "statement")
    assert len(parts) == 3
    assert _is_meta_path(parts[0])
    method = _byte_match(_negated(parts[1]))
    assert (method["search_string"], method["positional_constraint"]) == ("GET", "EXACTLY")
    assert "method" in block(method, "field_to_match")
    assert _requires_header(parts[2]) == "x-hub-signature-256"
    source = (REPO_ROOT / "channels" / "meta" / "signature.py").read_text()
    assert 'SIGNATURE_HEADER = "X-Hub-Signature-256"' in source
    # The path is the app's route, under the webhook prefix (so the webhook rate limit applies).
    path = variable_default("alb", "meta_webhook_path")
    assert path.startswith(variable_default("alb", "webhook_path_prefix"))
    assert (
        'path("channels/", include("channels.urls"))'
        in (REPO_ROOT / "kavak" / "urls.py").read_text()
    )
    route = path.removeprefix("/channels/")
    assert (
        f'path("{route}", MetaWebhookApi.as_view()'
        in (REPO_ROOT / "channels" / "urls.py").read_text()
    )
    priorities = [r["priority"] for r in _waf_rules().values()]
    assert len(priorities) == len(set(priorities)), "two WAF rules share a priority"


def test_the_body_size_rule_blocks_on_the_public_endpoints():
    rule = _waf_rules()["public-body-size"]
    assert "block" in block(rule, "action")
    parts = blocks(block(block(rule, "statement"), "and_statement"), "statement")
    assert len(parts) == 3
    paths = block(parts[0], "regex_match_statement")
    pattern = re.compile(variable_default("alb", "public_body_paths_regex"))
    for path in ("/channels/whatsapp/webhook", "/chat", "/web/chat"):
        assert pattern.search(path), path
    for path in ("/admin/catalog/car/import/", "/chatbot"):
        assert not pattern.search(path), path
    assert paths["regex_string"] == "${var.public_body_paths_regex}"
    # Meta batches events in signed POSTs that may pass the 8 KB the ALB's WAF can inspect
    # (the app caps them at 256 KB): they are left to the app and their signature rule.
    assert _is_meta_path(_negated(parts[1]))
    size = block(parts[2], "size_constraint_statement")
    assert size["comparison_operator"] == "GT"
    assert size["size"] == "${min(var.max_public_body_bytes, local.alb_body_inspection_limit)}"
    body = block(block(size, "field_to_match"), "body")
    assert body["oversize_handling"] == "MATCH", "bodies past the inspection limit are blocked"


def test_waf_logs_redact_authorization_and_cookie_headers():
    logging = resource("alb", "aws_wafv2_web_acl_logging_configuration", "this")
    redacted = {
        block(field, "single_header")["name"] for field in blocks(logging, "redacted_fields")
    }
    assert redacted == {"authorization", "cookie"}


def test_the_admin_can_be_limited_to_an_ip_allow_list():
    rule = _waf_rules()["admin-allow-list"]
    assert "block" in block(rule, "action")
    parts = blocks(block(block(rule, "statement"), "and_statement"), "statement")
    assert _byte_match(parts[0])["search_string"] == "/${var.admin_path}"
    reference = block(
        block(block(parts[1], "not_statement"), "statement"), "ip_set_reference_statement"
    )
    assert reference["arn"] == "${aws_wafv2_ip_set.admin[0].arn}"
    ip_set = resource("alb", "aws_wafv2_ip_set", "admin")
    assert ip_set["count"] == "${length(var.admin_allowed_cidrs) > 0 ? 1 : 0}"
    calls = root_modules()
    assert calls["alb"]["admin_path"] == calls["ecs"]["admin_path"] == "${var.admin_path}"
    assert calls["alb"]["admin_allowed_cidrs"] == "${var.admin_allowed_cidrs}"
    assert _env_of(_containers()["web"])["DJANGO_ADMIN_URL"] == "${var.admin_path}"


def test_the_admin_second_factor_is_on_in_every_container():
    for name, container in _containers().items():
        assert _env_of(container)["ADMIN_OTP_REQUIRED"] == "true", name
    production = (REPO_ROOT / "kavak" / "settings" / "production.py").read_text()
    assert 'ADMIN_OTP_REQUIRED = env.bool("ADMIN_OTP_REQUIRED", default=True)' in production


# --- a safer data path ------------------------------------------------------------------------


def test_redis_never_evicts_broker_messages_or_idempotency_keys():
    group = resource("redis", "aws_elasticache_parameter_group", "this")
    assert {p["name"]: p["value"] for p in blocks(group, "parameter")} == {
        "maxmemory-policy": "noeviction"
    }
    assert group["family"] == "${var.parameter_group_family}"
    assert variable_default("redis", "parameter_group_family") == "redis7"
    replication = resource("redis", "aws_elasticache_replication_group", "this")
    assert replication["parameter_group_name"] == "${aws_elasticache_parameter_group.this.name}"


def test_the_app_connects_as_a_least_privilege_role_with_verify_full():
    locals_ = module_locals("ecs")
    urls = locals_["database_url"]
    tls = locals_["database_tls"]
    assert tls == "sslmode=verify-full&sslrootcert=${var.database_ca_bundle_path}"
    assert urls["app"].startswith("postgres://${var.database_app_username}@")
    assert urls["migrate"].startswith("postgres://${var.database_migrate_username}@")
    assert urls["master"].startswith("postgres://${var.database_master_username}@")
    for url in urls.values():
        assert url.endswith("?${local.database_tls}")
    assert variable_default("ecs", "database_app_username") == "kavak_app"
    assert variable_default("ecs", "database_migrate_username") == "kavak_migrate"
    containers = _containers()
    for name in ("web", "worker", "beat", "exporter"):
        assert _env_of(containers[name])["DATABASE_URL"] == "${local.database_url.app}", name
    assert _env_of(containers["migrate"])["DATABASE_URL"] == "${local.database_url.migrate}"
    assert _env_of(containers["db_roles"])["DATABASE_URL"] == "${local.database_url.master}"
    # The bundle is in the image at that path.
    path = variable_default("ecs", "database_ca_bundle_path")
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    bundle = r"https://truststore\.pki\.rds\.amazonaws\.com/global/global-bundle\.pem"
    assert re.search(rf"^ADD .*{bundle} {re.escape(path)}$", dockerfile, re.M)
    # RDS keeps the master password; the roles' passwords are generated secrets.
    db = resource("rds", "aws_db_instance", "this")
    assert db["manage_master_user_password"] is True
    assert db["master_user_secret_kms_key_id"] == "${var.kms_key_arn}"
    assert "password" not in db
    assert (
        root_modules()["ecs"]["database_master_secret_arn"]
        == "${module.rds.master_user_secret_arn}"
    )
    command = (REPO_ROOT / "kavak" / "management" / "commands" / "db_roles_ensure.py").read_text()
    for name in (
        "DATABASE_APP_ROLE",
        "DATABASE_MIGRATE_ROLE",
        "DATABASE_APP_PASSWORD",
        "DATABASE_MIGRATE_PASSWORD",
    ):
        assert f'"{name}"' in command
        assert name in _env_of(containers["db_roles"]) or name in _secrets_of(
            containers["db_roles"]
        )


def test_the_image_keeps_infrastructure_tests_docs_and_ci_out_and_pins_its_base():
    ignored = {
        line.strip().rstrip("/")
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"terraform", "tests", "docs", ".github", ".ci"} <= ignored
    # Markdown the app reads (knowledge articles) stays in: only top-level docs are ignored.
    assert "*.md" not in ignored
    assert "**/*.md" not in ignored
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    image = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert image
    assert re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", image.group(1))
    froms = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert froms
    assert all(f == "${PYTHON_IMAGE}" for f in froms)


def test_data_retention_is_a_setting_terraform_passes():
    declared = _root_variable("data_retention_days")
    [condition] = _validations(declared)
    assert condition == "${var.data_retention_days == 0 || var.data_retention_days >= 30}"
    assert root_modules()["ecs"]["data_retention_days"] == "${var.data_retention_days}"
    assert (
        _env_of(_containers()["web"])["DATA_RETENTION_DAYS"]
        == "${tostring(var.data_retention_days)}"
    )
    assert 'DATA_RETENTION_DAYS = env.int("DATA_RETENTION_DAYS"' in _app_settings_source()


def test_production_docs_cover_deploy_rollback_alarms_and_costs_with_waf_and_logs():
    text = (REPO_ROOT / "docs" / "PRODUCTION.md").read_text(encoding="utf-8")
    lowered = text.lower()
    for heading in ("## deploy", "## roll back", "## read the alarms", "## monthly cost"):
        assert heading in lowered, heading
    cost = lowered.split("## monthly cost", 1)[1]
    assert "waf" in cost
    assert "log ingestion" in cost
    assert "prometheus" in cost
    assert "data growth" in lowered
