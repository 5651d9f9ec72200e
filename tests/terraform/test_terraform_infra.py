"""Structural tests of terraform/ (issues 8 and 21).

`terraform plan` cannot run offline, so these tests parse every file with
python-hcl2 and assert the security and reliability invariants directly on the
configuration. They need no Django and no database.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
TF_ROOT = REPO_ROOT / "terraform"
MODULES_DIR = TF_ROOT / "modules"
ENVS_DIR = TF_ROOT / "environments"

EXPECTED_MODULES = {
    "kms",
    "network",
    "alb",
    "ecs",
    "rds",
    "redis",
    "ecr",
    "secrets",
    "iam",
    "monitoring",
}
ENVIRONMENTS = ("staging", "production")
# Each container gets only the secrets it uses: {container: {variable: secret of modules/secrets}}.
# Web and worker get Meta's only while whatsapp_providers lists a Meta number; the resolver below
# shows every container as it runs once everything optional is configured.
_APP = {"DJANGO_SECRET_KEY", "DATABASE_PASSWORD", "REDIS_PASSWORD"}
_CHANNELS = {"TWILIO_AUTH_TOKEN", "OPENAI_API_KEY", "RETENTION_HASH_KEY"}
META_SECRETS = ("META_APP_SECRET", "META_VERIFY_TOKEN", "META_ACCESS_TOKEN")
EXPECTED_SECRETS = {
    "web": {n: n for n in (*_APP, *_CHANNELS, *META_SECRETS, "METRICS_TOKEN")},
    "worker": {n: n for n in (*_APP, *_CHANNELS, *META_SECRETS)},
    # Beat only talks to the broker; its exporter also reads the database.
    "beat": {n: n for n in ("DJANGO_SECRET_KEY", "REDIS_PASSWORD")},
    "exporter": {n: n for n in _APP},
    # The migrate task connects as kavak_migrate.
    "migrate": {
        "DJANGO_SECRET_KEY": "DJANGO_SECRET_KEY",
        "DATABASE_PASSWORD": "DATABASE_MIGRATE_PASSWORD",
    },
    "db_roles": {
        "DJANGO_SECRET_KEY": "DJANGO_SECRET_KEY",
        "DATABASE_PASSWORD": "<rds master secret>",
        "DATABASE_APP_PASSWORD": "DATABASE_PASSWORD",
        "DATABASE_MIGRATE_PASSWORD": "DATABASE_MIGRATE_PASSWORD",
    },
}
REQUIRED_SECRETS = {
    "DJANGO_SECRET_KEY",
    "DATABASE_PASSWORD",
    "DATABASE_MIGRATE_PASSWORD",
    "REDIS_PASSWORD",
    "TWILIO_AUTH_TOKEN",
    "OPENAI_API_KEY",
    "METRICS_TOKEN",
    "RETENTION_HASH_KEY",
    *META_SECRETS,
}
CONTAINERS = ("web", "worker", "beat", "exporter", "migrate", "db_roles")
# Task definition -> the containers it runs (sidecars resolved separately).
TASK_CONTAINERS = {
    "web": ["${local.web_container}", "${local.adot_container.web}"],
    # Per queue: the shared worker container with the queue's command, and the sidecar
    # (test_each_worker_service_consumes_its_own_queue).
    "worker": [],
    "beat": ["${local.beat_container}", "${local.exporter_container}"],
    "migrate": ["${local.migrate_container}"],
    "db_roles": ["${local.db_roles_container}"],
}
CELERY_METRICS_PORT = 9808
SECRET_NAME_PATTERN = re.compile(
    r"SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|PRIVATE", re.IGNORECASE
)
# A URL with user:password@ (a password that leaked into a plain URL).
URL_WITH_PASSWORD = re.compile(r"://[^/@\s:]*:[^/@\s]+@")
MODERN_TLS_POLICIES = {
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
}

_OPTIONS = SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)


# --- helpers -------------------------------------------------------------------


@cache
def parse(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)


def hcl_files() -> list[Path]:
    return sorted(
        p
        for p in TF_ROOT.rglob("*")
        if p.suffix in {".tf", ".tfvars", ".hcl", ".tfbackend"} and ".terraform" not in p.parts
    )


def tf_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.tf"))


def resources(directory: Path, rtype: str | None = None) -> dict[tuple[str, str], dict]:
    """{(type, name): body} of every resource in a module directory."""
    found: dict[tuple[str, str], dict] = {}
    for path in tf_files(directory):
        for entry in parse(path).get("resource", []):
            for type_, named in entry.items():
                for name, body in named.items():
                    if rtype is None or type_ == rtype:
                        found[(type_, name)] = body
    return found


def all_resources(rtype: str) -> dict[tuple[str, str, str], dict]:
    """{(module_dir, type, name): body} across terraform/."""
    found = {}
    for directory in sorted({p.parent for p in TF_ROOT.rglob("*.tf")}):
        for (type_, name), body in resources(directory, rtype).items():
            found[(str(directory.relative_to(TF_ROOT)), type_, name)] = body
    return found


def data_sources(directory: Path, dtype: str) -> dict[str, dict]:
    found = {}
    for path in tf_files(directory):
        for entry in parse(path).get("data", []):
            for type_, named in entry.items():
                if type_ == dtype:
                    found.update(named)
    return found


def resource(module: str, rtype: str, name: str) -> dict:
    found = resources(MODULES_DIR / module, rtype)
    assert (rtype, name) in found, f"{rtype}.{name} missing from modules/{module}"
    return found[(rtype, name)]


def module_locals(module: str) -> dict:
    merged: dict = {}
    for path in tf_files(MODULES_DIR / module):
        for block in parse(path).get("locals", []):
            merged.update(block)
    return merged


def variables(directory: Path) -> dict[str, dict]:
    found = {}
    for path in tf_files(directory):
        for entry in parse(path).get("variable", []):
            found.update(entry)
    return found


def variable_default(module: str, name: str) -> Any:
    declared = variables(MODULES_DIR / module)
    assert name in declared, f"variable {name} missing in modules/{module}"
    assert "default" in declared[name], f"variable {name} of modules/{module} has no default"
    return declared[name]["default"]


def blocks(body: dict, key: str) -> list[dict]:
    """Nested blocks come as a list of dicts (or a single dict)."""
    value = body.get(key, [])
    if isinstance(value, dict):
        return [value]
    return list(value)


def block(body: dict, key: str) -> dict:
    found = blocks(body, key)
    assert len(found) == 1, f"expected exactly one {key} block, found {len(found)}"
    return found[0]


def root_modules() -> dict[str, dict]:
    """The module calls of the one root every environment applies."""
    found = {}
    for path in tf_files(TF_ROOT):
        for entry in parse(path).get("module", []):
            found.update(entry)
    return found


def env_modules(env: str) -> dict[str, dict]:
    """What an environment deploys: the root's module calls (the same for every environment)."""
    assert env in ENVIRONMENTS
    return root_modules()


def tfvars(env: str) -> dict:
    return parse(ENVS_DIR / f"{env}.tfvars")


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a parsed document, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def ref(expression: str) -> str:
    """'${aws_security_group.alb.id}' -> 'aws_security_group.alb.id'."""
    match = re.fullmatch(r"\$\{(.+)\}", str(expression).strip())
    assert match, f"expected a single reference, got {expression!r}"
    return match.group(1).strip()


# --- parsing and layout --------------------------------------------------------


def test_terraform_tree_exists():
    assert TF_ROOT.is_dir()
    assert {p.name for p in MODULES_DIR.iterdir() if p.is_dir()} >= EXPECTED_MODULES
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", ".terraform.lock.hcl"):
        assert (TF_ROOT / name).is_file(), f"terraform/{name} missing"
    for env in ENVIRONMENTS:
        assert (ENVS_DIR / f"{env}.tfvars").is_file()
        assert (ENVS_DIR / f"{env}.s3.tfbackend").is_file()
    assert len(hcl_files()) >= 40


@pytest.mark.parametrize("path", hcl_files(), ids=lambda p: str(p.relative_to(TF_ROOT)))
def test_every_hcl_file_parses(path: Path):
    parsed = parse(path)
    assert isinstance(parsed, dict)
    assert parsed, f"{path} parsed to nothing"


@pytest.mark.parametrize("module", sorted(EXPECTED_MODULES))
def test_module_has_standard_files(module: str):
    directory = MODULES_DIR / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (directory / name).is_file(), f"modules/{module}/{name} missing"
    versions = parse(directory / "versions.tf")["terraform"][0]
    aws = versions["required_providers"][0]["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert aws["version"].startswith("~> 5."), "AWS provider 5.x syntax is required"


def test_every_variable_and_output_is_described():
    for path in TF_ROOT.rglob("*.tf"):
        parsed = parse(path)
        for kind in ("variable", "output"):
            for entry in parsed.get(kind, []):
                for name, body in entry.items():
                    assert body.get("description"), f"{kind} {name} in {path} has no description"


# --- environments --------------------------------------------------------------


def test_one_root_serves_every_environment():
    """No per-environment copy of the code: an environment is a tfvars and a backend file."""
    assert not list(ENVS_DIR.rglob("*.tf")), "environments/ holds only tfvars and backends"
    assert not [p for p in ENVS_DIR.iterdir() if p.is_dir()]
    assert {p.name for p in ENVS_DIR.iterdir()} == {
        f"{env}.{kind}" for env in ENVIRONMENTS for kind in ("tfvars", "s3.tfbackend")
    }
    modules = root_modules()
    assert set(modules) == EXPECTED_MODULES, sorted(modules)
    for name, body in modules.items():
        assert body["source"] == f"./modules/{name}"
        assert "count" not in body
        assert "for_each" not in body


def test_environments_set_the_same_variables():
    staging, production = tfvars("staging"), tfvars("production")
    optional = {"alarm_notifications_opt_out"}  # staging's explicit opt-out only
    assert set(staging) - optional == set(production) - optional, set(staging) ^ set(production)
    declared = variables(TF_ROOT)
    assert set(staging) | set(production) <= set(declared)
    required = {name for name, body in declared.items() if "default" not in body}
    # The image tag is the one required variable no tfvars holds: the pipeline sets it.
    assert required - set(staging) == {"image_tag"}
    assert required - set(production) == {"image_tag"}
    assert staging["environment"] == "staging"
    assert production["environment"] == "production"


def test_each_environment_is_pinned_to_its_own_account_and_state():
    declared = variables(TF_ROOT)
    [validation] = declared["aws_account_id"]["validation"]
    assert validation["condition"] == '${can(regex("^[0-9]{12}$", var.aws_account_id))}'
    provider = parse(TF_ROOT / "versions.tf")["provider"][0]["aws"]
    assert provider["allowed_account_ids"] == ["${var.aws_account_id}"]
    accounts = {env: tfvars(env)["aws_account_id"] for env in ENVIRONMENTS}
    for env, account in accounts.items():
        assert re.fullmatch(r"\d{12}", account), env
        backend = parse(ENVS_DIR / f"{env}.s3.tfbackend")
        # State lives in the environment's own account, under its own key.
        assert backend["bucket"] == tfvars(env)["terraform_state_bucket"]
        assert account in backend["bucket"]
    # Separate accounts: each creates its own GitHub OIDC provider.
    assert accounts["staging"] != accounts["production"]
    for env in ENVIRONMENTS:
        assert tfvars(env)["create_github_oidc_provider"] is True
    assert root_modules()["iam"]["create_github_oidc_provider"] == (
        "${var.create_github_oidc_provider}"
    )


def test_terraform_version_allows_cross_variable_validation():
    for path in [TF_ROOT / "versions.tf", *MODULES_DIR.glob("*/versions.tf")]:
        required = parse(path)["terraform"][0]["required_version"]
        assert required == ">= 1.9.0", f"{path}: {required}"


def test_production_is_protected_and_multi_az():
    prod = tfvars("production")
    assert prod["deletion_protection"] is True
    assert prod["multi_az"] is True
    assert prod["single_nat_gateway"] is False
    assert prod["redis_num_cache_nodes"] >= 2, "Redis needs a replica for automatic failover"
    assert prod["web_min_count"] >= 2
    assert prod["worker_turns_min_count"] >= 2
    assert prod["worker_messages_min_count"] >= 2
    assert len(prod["availability_zones"]) >= 2
    assert prod["db_backup_retention_days"] >= 7


# What the root's variable validations refuse, evaluated by Terraform itself: a scratch root
# of terraform/variables.tf alone needs no provider and no credentials, so `terraform plan`
# runs offline and checks every validation against an environment's tfvars plus the
# overrides of each case.
GIT_SHA = "0123456789abcdef0123456789abcdef01234567"
# (environment, -var overrides, the start of the error_message Terraform must print)
REFUSED = [
    ("production", {"deletion_protection": "false"}, "Production keeps deletion protection"),
    ("production", {"multi_az": "false"}, "Production runs RDS Multi-AZ"),
    ("production", {"single_nat_gateway": "true"}, "Production keeps one NAT gateway per AZ"),
    ("production", {"redis_num_cache_nodes": "1"}, "Production runs Redis with a replica"),
    ("production", {"web_min_count": "1"}, "Production runs at least two web tasks"),
    ("production", {"worker_turns_min_count": "1"}, "Production runs at least two worker-turns"),
    ("production", {"worker_messages_min_count": "1"}, "Production runs at least two worker-mess"),
    ("production", {"db_backup_retention_days": "3"}, "Production keeps at least 7 days"),
    ("production", {"alarm_emails": "[]"}, "Alarms must reach someone"),
    ("production", {"alarm_notifications_opt_out": "true"}, "Production cannot opt out"),
    ("production", {"web_max_count": "12"}, "Every gthread thread and every turn thread"),
    ("staging", {"turn_worker_threads": "128"}, "Every gthread thread and every turn thread"),
    ("staging", {"alarm_notifications_opt_out": "false"}, "Alarms must reach someone"),
    ("staging", {"web_min_count": "3"}, "web_min_count must be at least 1 and at most"),
    ("staging", {"availability_zones": '["us-east-1a"]'}, "The ALB and the subnets need at least"),
    ("staging", {"worker_cpu": "768"}, "worker_cpu must be a Fargate CPU size"),
    ("staging", {"db_backup_retention_days": "0"}, "db_backup_retention_days must be between"),
    ("staging", {"image_tag": "latest"}, "image_tag must be"),
    # Issue 20's settings, refused by Terraform as the app's settings would refuse them at start.
    ("staging", {"llm_rollout_percent": "101"}, "llm_rollout_percent must be a whole number"),
    ("staging", {"llm_rollout_percent": "12.5"}, "llm_rollout_percent must be a whole number"),
    ("staging", {"retention_transcript_days": "10"}, "retention_transcript_days must be null"),
    ("staging", {"retention_delivery_days": "29"}, "retention_delivery_days must be null"),
    ("staging", {"retention_closed_lead_days": "7"}, "retention_closed_lead_days must be 0"),
    ("staging", {"retention_batch_size": "5"}, "retention_batch_size must be a whole number"),
    ("staging", {"whatsapp_providers": "+525598765432=meta:abc"}, "whatsapp_providers must be"),
    ("staging", {"whatsapp_providers": "5215500000000=twilio"}, "whatsapp_providers must be"),
    ("staging", {"meta_staff_template": "kavak asesor"}, "meta_staff_template must be empty"),
    ("staging", {"meta_sales_template": "kavak_aviso_ventas"}, "meta_sales_template must be"),
]
# ...and what they accept (the app's own examples).
ACCEPTED = {
    "llm_rollout_percent": "0",
    "retention_transcript_days": "180",
    "retention_delivery_days": "0",
    "retention_closed_lead_days": "730",
    "retention_batch_size": "10000",
    "whatsapp_providers": "+525598765432=meta:109876543210987,+5215500000000=twilio",
    "meta_sales_template": "kavak_aviso_ventas:es_MX",
    "meta_staff_template": "kavak_asesor:es",
}


@pytest.fixture(scope="module")
def variables_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    terraform = shutil.which("terraform")
    assert terraform, "terraform is not on PATH (CI's test job installs it: setup-terraform)"
    root = tmp_path_factory.mktemp("variables-root")
    shutil.copy(TF_ROOT / "variables.tf", root / "variables.tf")
    subprocess.run(
        [terraform, "init", "-input=false", "-no-color"],
        cwd=root,
        env=_terraform_env(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return root


def _terraform_env() -> dict[str, str]:
    """No TF_VAR_* of the caller's shell may satisfy (or break) a validation."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}


def plan_variables(root: Path, env: str, overrides: dict[str, str]) -> tuple[int, str]:
    args = ["terraform", "plan", "-input=false", "-lock=false", "-refresh=false", "-no-color"]
    args += [f"-var-file={ENVS_DIR / f'{env}.tfvars'}", f"-var=image_tag={GIT_SHA}"]
    args += [f"-var={name}={value}" for name, value in overrides.items()]
    done = subprocess.run(
        args, cwd=root, env=_terraform_env(), capture_output=True, text=True, timeout=120
    )
    # Terraform wraps its messages: compare with single spaces.
    return done.returncode, " ".join((done.stdout + done.stderr).split())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_passes_every_variable_validation(variables_root: Path, env: str):
    code, output = plan_variables(variables_root, env, {})
    assert code == 0, output


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_accepts_the_issue_20_settings(variables_root: Path, env: str):
    code, output = plan_variables(variables_root, env, ACCEPTED)
    assert code == 0, output


@pytest.mark.parametrize(
    ("env", "overrides", "message"),
    REFUSED,
    ids=[f"{env}-{'-'.join(o)}" for env, o, _ in REFUSED],
)
def test_the_root_refuses_what_an_environment_must_not_run(
    variables_root: Path, env: str, overrides: dict[str, str], message: str
):
    """A -var on the command line cannot turn production's protections off either."""
    code, output = plan_variables(variables_root, env, overrides)
    assert code != 0, output
    assert "Invalid value for variable" in output
    assert message in output, output


def test_every_production_difference_is_a_validated_variable():
    """Each protection production holds over staging is refused by a validation, not only by
    the values in production.tfvars (which test_production_is_protected_and_multi_az reads)."""
    declared = variables(TF_ROOT)
    guarded = {
        name
        for name, body in declared.items()
        for rule in blocks(body, "validation")
        if "var.environment" in rule["condition"]
    } - {"environment"}
    assert guarded >= {
        "alarm_notifications_opt_out",
        "deletion_protection",
        "multi_az",
        "single_nat_gateway",
        "redis_num_cache_nodes",
        "web_min_count",
        "worker_turns_min_count",
        "worker_messages_min_count",
        "db_backup_retention_days",
    }
    refused = {name for env, overrides, _ in REFUSED if env == "production" for name in overrides}
    assert guarded <= refused, "every environment rule has a case in REFUSED"


def test_meta_webhook_url_output_is_the_wafs_meta_path():
    outputs = {k: v for entry in parse(TF_ROOT / "outputs.tf")["output"] for k, v in entry.items()}
    path = variable_default("alb", "meta_webhook_path")
    assert outputs["meta_webhook_url"]["value"] == f"https://${{var.domain_name}}{path}"


def test_environment_variables_reach_rds_unchanged():
    for env in ENVIRONMENTS:
        rds_call = env_modules(env)["rds"]
        assert rds_call["max_connections"] == "${var.db_max_connections}"
        assert rds_call["multi_az"] == "${var.multi_az}"
        assert rds_call["deletion_protection"] == "${var.deletion_protection}"
    db = resource("rds", "aws_db_instance", "this")
    assert db["multi_az"] == "${var.multi_az}"
    assert db["deletion_protection"] == "${var.deletion_protection}"


def test_remote_state_backend_is_s3_with_dynamodb_lock():
    terraform_block = parse(TF_ROOT / "versions.tf")["terraform"][0]
    backend = terraform_block["backend"][0]
    assert "s3" in backend, "state must live in the S3 backend"
    keys = set()
    for env in ENVIRONMENTS:
        config = parse(ENVS_DIR / f"{env}.s3.tfbackend")
        for key in ("bucket", "key", "region", "dynamodb_table"):
            assert config.get(key), f"{env}.s3.tfbackend lacks {key}"
        assert config["encrypt"] is True
        assert env in config["key"]
        keys.add(config["key"])
    assert len(keys) == len(ENVIRONMENTS), "each environment needs its own state key"
    readme = (TF_ROOT / "README.md").read_text(encoding="utf-8")
    assert "dynamodb create-table" in readme
    assert "LockID" in readme


def test_outputs_include_twilio_webhook_url():
    outputs = {}
    for entry in parse(TF_ROOT / "outputs.tf")["output"]:
        outputs.update(entry)
    assert (
        outputs["twilio_webhook_url"]["value"]
        == "https://${var.domain_name}/channels/whatsapp/webhook"
    )
    assert "github_actions_variables" in outputs


# --- network and security groups ----------------------------------------------


def test_vpc_spans_two_azs_with_public_and_private_subnets_nat_and_igw():
    net = resources(MODULES_DIR / "network")
    assert ("aws_internet_gateway", "this") in net
    assert ("aws_nat_gateway", "this") in net
    public, private = net[("aws_subnet", "public")], net[("aws_subnet", "private")]
    assert public["count"] == private["count"] == "${local.az_count}"
    assert public["map_public_ip_on_launch"] is False
    assert private["map_public_ip_on_launch"] is False
    validation = block(variables(MODULES_DIR / "network")["availability_zones"], "validation")
    assert ">= 2" in validation["condition"]
    route = net[("aws_route", "private_nat")]
    assert "nat_gateway_id" in route, "private subnets must route through NAT"
    assert "gateway_id" not in route, "private subnets must not route to the Internet gateway"


def test_security_groups_are_defined_only_in_network_module_without_inline_rules():
    groups = all_resources("aws_security_group")
    assert groups, "no security groups found"
    for (directory, _, name), body in groups.items():
        assert directory == "modules/network", f"security group {name} outside modules/network"
        assert "ingress" not in body, f"inline ingress rules in {name}"
        assert "egress" not in body, f"inline egress rules in {name}"
    assert not all_resources("aws_security_group_rule"), (
        "use aws_vpc_security_group_*_rule in modules/network"
    )
    for rtype in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        for directory, _, name in all_resources(rtype):
            assert directory == "modules/network", f"{rtype}.{name} outside modules/network"


def _ingress_rules() -> dict[str, list[dict]]:
    """Ingress rules grouped by the security group they open."""
    locals_ = module_locals("network")
    app_groups = {ref(v).split(".")[1] for v in locals_["app_security_groups"].values()}
    grouped: dict[str, list[dict]] = {}
    for (_, name), body in resources(
        MODULES_DIR / "network", "aws_vpc_security_group_ingress_rule"
    ).items():
        target = body["security_group_id"]
        sources: set[str]
        if "referenced_security_group_id" in body:
            source = body["referenced_security_group_id"]
            if source == "${each.value}":
                assert body["for_each"] == "${local.app_security_groups}"
                sources = app_groups
            else:
                sources = {ref(source).split(".")[1]}
        else:
            sources = set()
        cidrs = {body.get("cidr_ipv4"), body.get("cidr_ipv6"), body.get("prefix_list_id")} - {None}
        grouped.setdefault(ref(target).split(".")[1], []).append(
            {
                "name": name,
                "sources": sources,
                "cidrs": cidrs,
                "from": body["from_port"],
                "to": body["to_port"],
            }
        )
    return grouped


def test_only_the_alb_accepts_internet_traffic():
    grouped = _ingress_rules()
    # The workers take no inbound traffic at all: their metrics port listens on
    # 127.0.0.1 for the ADOT sidecar of the same task (issue 18).
    assert set(grouped) == {"alb", "web", "rds", "redis"}, f"groups with ingress: {sorted(grouped)}"
    for group, rules in grouped.items():
        for rule in rules:
            if group == "alb":
                assert rule["cidrs"] == {"0.0.0.0/0"}
                assert (rule["from"], rule["to"]) in {(80, 80), (443, 443)}
            else:
                assert not rule["cidrs"], f"{group} rule {rule['name']} is open to {rule['cidrs']}"
    assert {(r["from"], r["to"]) for r in grouped["alb"]} == {(80, 80), (443, 443)}


def test_app_accepts_traffic_only_from_alb():
    web_rules = _ingress_rules()["web"]
    assert web_rules
    for rule in web_rules:
        assert rule["sources"] == {"alb"}
        assert (rule["from"], rule["to"]) == ("${var.app_port}", "${var.app_port}")
    assert variable_default("network", "app_port") == 8000
    # The workers take no inbound traffic (their metrics stay inside the task).
    assert "worker" not in _ingress_rules()


@pytest.mark.parametrize(("store", "port"), [("rds", 5432), ("redis", 6379)])
def test_data_stores_accept_traffic_only_from_app_tasks(store: str, port: int):
    rules = _ingress_rules()[store]
    sources = set().union(*(rule["sources"] for rule in rules))
    assert sources == {"web", "worker"}
    for rule in rules:
        assert (rule["from"], rule["to"]) == (port, port)


def test_services_and_data_stores_use_the_intended_security_groups():
    call = env_modules("production")
    assert call["alb"]["security_group_id"] == "${module.network.alb_security_group_id}"
    assert call["ecs"]["web_security_group_id"] == "${module.network.web_security_group_id}"
    assert call["ecs"]["worker_security_group_id"] == "${module.network.worker_security_group_id}"
    assert call["rds"]["security_group_id"] == "${module.network.rds_security_group_id}"
    assert call["redis"]["security_group_id"] == "${module.network.redis_security_group_id}"
    for name in ("rds", "redis", "ecs"):
        assert call[name]["private_subnet_ids"] == "${module.network.private_subnet_ids}"
    assert call["alb"]["public_subnet_ids"] == "${module.network.public_subnet_ids}"
    web = resource("ecs", "aws_ecs_service", "web")
    worker = resource("ecs", "aws_ecs_service", "worker")
    assert worker["for_each"] == "${local.worker_queues}"
    assert block(web, "network_configuration")["security_groups"] == [
        "${var.web_security_group_id}"
    ]
    assert block(worker, "network_configuration")["security_groups"] == [
        "${var.worker_security_group_id}"
    ]
    outputs = {}
    for entry in parse(MODULES_DIR / "network" / "outputs.tf")["output"]:
        outputs.update(entry)
    for group in ("alb", "web", "worker", "rds", "redis"):
        assert (
            outputs[f"{group}_security_group_id"]["value"] == f"${{aws_security_group.{group}.id}}"
        )


def test_default_security_group_is_locked_down():
    default = resource("network", "aws_default_security_group", "this")
    assert "ingress" not in default
    assert "egress" not in default


# --- RDS -----------------------------------------------------------------------


def test_rds_is_private_encrypted_backed_up_and_tls_only():
    db = resource("rds", "aws_db_instance", "this")
    assert db["publicly_accessible"] is False
    assert db["storage_encrypted"] is True
    assert db["kms_key_id"] == "${var.kms_key_arn}"
    assert db["engine"] == "postgres"
    assert db["backup_retention_period"] == "${var.backup_retention_days}"
    validation = block(variables(MODULES_DIR / "rds")["backup_retention_days"], "validation")
    assert ">= 1" in validation["condition"]
    assert db["skip_final_snapshot"] == "${!var.deletion_protection}"
    assert db["db_name"] == "kavak"
    assert db["username"] == "kavak"
    params = {
        p["name"]: p["value"]
        for p in blocks(resource("rds", "aws_db_parameter_group", "this"), "parameter")
    }
    assert params.get("rds.force_ssl") == "1", "RDS must reject connections without TLS"
    assert db["parameter_group_name"] == "${aws_db_parameter_group.this.name}"


def test_no_database_or_cache_is_public_anywhere():
    for rtype in ("aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance"):
        for key, body in all_resources(rtype).items():
            assert body.get("publicly_accessible") is False, (
                f"{key} must set publicly_accessible = false"
            )
    for key, value in walk([parse(p) for p in TF_ROOT.rglob("*.tf")]):
        if key in {"publicly_accessible", "map_public_ip_on_launch", "assign_public_ip"}:
            assert value is False, f"{key} = {value!r}"


# --- Redis ---------------------------------------------------------------------


def test_redis_is_encrypted_in_transit_and_at_rest_with_auth_token():
    redis = resource("redis", "aws_elasticache_replication_group", "this")
    assert redis["at_rest_encryption_enabled"] is True
    assert redis["transit_encryption_enabled"] is True
    assert redis["kms_key_id"] == "${var.kms_key_arn}"
    assert redis["auth_token"] == "${var.auth_token}"
    assert redis["automatic_failover_enabled"] == "${var.num_cache_nodes > 1}"
    assert redis["multi_az_enabled"] == "${var.num_cache_nodes > 1}"
    for env in ENVIRONMENTS:
        assert env_modules(env)["redis"]["auth_token"] == "${module.secrets.redis_auth_token}"
    assert not all_resources("aws_elasticache_cluster"), (
        "use the replication group (supports TLS and AUTH)"
    )


# --- ALB -----------------------------------------------------------------------


def test_http_listener_redirects_to_https_with_301():
    http = resource("alb", "aws_lb_listener", "http")
    assert http["port"] == 80
    assert http["protocol"] == "HTTP"
    action = block(http, "default_action")
    assert action["type"] == "redirect"
    redirect = block(action, "redirect")
    assert redirect == {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}
    listeners = resources(MODULES_DIR / "alb", "aws_lb_listener")
    assert set(listeners) == {("aws_lb_listener", "http"), ("aws_lb_listener", "https")}


def test_https_listener_uses_acm_certificate_and_modern_tls():
    https = resource("alb", "aws_lb_listener", "https")
    assert https["port"] == 443
    assert https["protocol"] == "HTTPS"
    policy = https["ssl_policy"]
    if policy == "${var.ssl_policy}":
        policy = variable_default("alb", "ssl_policy")
    assert policy in MODERN_TLS_POLICIES, f"TLS policy {policy} is not modern"
    assert https["certificate_arn"] == "${aws_acm_certificate_validation.this.certificate_arn}"
    cert = resource("alb", "aws_acm_certificate", "this")
    assert cert["validation_method"] == "DNS"
    assert block(https, "default_action")["target_group_arn"] == "${aws_lb_target_group.web.arn}"


def test_alb_is_public_hardened_and_health_checks_healthz():
    alb = resource("alb", "aws_lb", "this")
    assert alb["internal"] is False
    assert alb["load_balancer_type"] == "application"
    assert alb["drop_invalid_header_fields"] is True
    assert block(alb, "access_logs")["enabled"] is True
    target_group = resource("alb", "aws_lb_target_group", "web")
    assert target_group["target_type"] == "ip"
    assert target_group["port"] == "${var.app_port}"
    health = block(target_group, "health_check")
    assert health["path"] == "${var.health_check_path}"
    assert variable_default("alb", "health_check_path") == "/healthz"
    assert resources(MODULES_DIR / "alb", "aws_wafv2_web_acl_association")


# --- ECS -----------------------------------------------------------------------


_LOCAL_REF = re.compile(r"\$\{local\.(\w+)((?:\.\w+)*)\}")
_LOCAL_CONCAT = re.compile(r"\$\{concat\(((?:\s*local\.\w+\s*,?)+)\)\}")
# `[for k, v in local.map : { name = k, value = v } if v != ""]`: optional variables,
# present in the task definition only when set (ECS drops empty values).
_LOCAL_NONEMPTY_FOR = re.compile(
    r'\$\{\[for (\w+), (\w+) in local\.(\w+) : \{name = \1, value = \2\} if \2 != ""\]\}'
)
# `[for n in local.names : { name = n, valueFrom = var.secret_arns[n] } if local.flag]`: secrets
# a container gets only while a feature is configured (Meta's, while a number is on Meta).
_LOCAL_SECRETS_IF = re.compile(
    r"\$\{\[for (\w+) in local\.(\w+) : \{name = \1, valueFrom = var\.secret_arns\[\1\]\}"
    r" if local\.(\w+)\]\}"
)


def resolve_local(value: Any, locals_: dict) -> Any:
    """'${local.x}', '${local.x.y}' and '${concat(local.a, local.b)}' -> what they name.

    Lists are resolved item by item. An optional-variable list (``_LOCAL_NONEMPTY_FOR``)
    resolves to every entry of its map, and a feature's secrets (``_LOCAL_SECRETS_IF``) to all
    of them, i.e. the container once every optional variable is configured.
    ``local.logs.<key>`` (a for-expression over ``log_groups``) resolves to the awslogs
    configuration it builds.
    """
    if isinstance(value, list):
        return [resolve_local(item, locals_) for item in value]
    if not isinstance(value, str):
        return value
    match = _LOCAL_REF.fullmatch(value.strip())
    if match:
        name, path = match.group(1), [p for p in match.group(2).split(".") if p]
        if name == "logs" and len(path) == 1:
            return _log_configuration(path[0], locals_)
        node = locals_[name]
        for part in path:
            node = resolve_local(node, locals_)[part]
        return resolve_local(node, locals_)
    match = _LOCAL_NONEMPTY_FOR.fullmatch(value.strip())
    if match:
        source = locals_[match.group(3)]
        assert isinstance(source, dict), f"local.{match.group(3)} is not a map"
        return [{"name": name, "value": item} for name, item in source.items()]
    match = _LOCAL_SECRETS_IF.fullmatch(value.strip())
    if match:
        names = locals_[match.group(2)]
        assert isinstance(names, list), f"local.{match.group(2)} is not a list"
        return [{"name": n, "valueFrom": f'${{var.secret_arns["{n}"]}}'} for n in names]
    match = _LOCAL_CONCAT.fullmatch(value.strip())
    if match:
        merged: list = []
        for name in match.group(1).split(","):
            part = resolve_local(f"${{{name.strip()}}}", locals_)
            assert isinstance(part, list), f"{name} is not a list"
            merged.extend(part)
        return merged
    return value


def _log_configuration(key: str, locals_: dict) -> dict:
    logs = locals_["logs"]
    assert logs == (
        '${{for key, group in local.log_groups : key => {logDriver = "awslogs", options = '
        "{awslogs-group = group, awslogs-region = var.aws_region, awslogs-stream-prefix = key}}}}"
    )
    assert key in locals_["log_groups"], key
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": locals_["log_groups"][key],
            "awslogs-region": "${var.aws_region}",
            "awslogs-stream-prefix": key,
        },
    }


def _containers() -> dict[str, dict]:
    """Every application container (sidecars apart), with its locals resolved."""
    locals_ = module_locals("ecs")
    containers = {}
    for name in CONTAINERS:
        container = dict(locals_[f"{name}_container"])
        for key in ("environment", "secrets", "entryPoint", "mountPoints", "logConfiguration"):
            if key in container:
                container[key] = resolve_local(container[key], locals_)
        containers[name] = container
    for task, members in TASK_CONTAINERS.items():
        body = resource("ecs", "aws_ecs_task_definition", task)
        if task == "worker":  # one task definition per Celery queue (worker_queues)
            assert body["for_each"] == "${local.worker_queues}"
            assert (
                body["container_definitions"] == "${jsonencode(local.worker_containers[each.key])}"
            )
            assert body["family"] == "${var.name}-worker-${each.key}"
        elif len(members) == 1:
            assert body["container_definitions"] == f"${{jsonencode([local.{task}_container])}}"
        else:
            assert body["container_definitions"] == f"${{jsonencode(local.{task}_containers)}}"
            assert locals_[f"{task}_containers"] == members
        assert body["requires_compatibilities"] == ["FARGATE"]
        assert body["network_mode"] == "awsvpc"
    return containers


def _secrets_of(container: dict) -> dict[str, str]:
    return {item["name"]: item["valueFrom"] for item in container["secrets"]}


def test_containers_run_the_expected_commands():
    containers = _containers()
    assert containers["web"]["command"] == [
        "gunicorn",
        "kavak.wsgi:application",
        "-c",
        "kavak/gunicorn.conf.py",
    ]
    assert "command" not in containers["worker"], "each queue's command comes from worker_queues"
    assert containers["migrate"]["command"] == [
        "timeout",
        "${tostring(var.migrate_timeout_seconds)}",
        "python",
        "manage.py",
        "migrate",
        "--noinput",
    ]
    assert containers["db_roles"]["command"] == ["python", "manage.py", "db_roles_ensure"]
    assert containers["exporter"]["command"] == [
        "python",
        "manage.py",
        "export_queue_metrics",
        "--interval",
        "${tostring(var.queue_metrics_interval_seconds)}",
    ]
    assert containers["beat"]["command"] == [
        "celery",
        "-A",
        "kavak",
        "beat",
        "-l",
        "INFO",
        "--schedule",
        "/tmp/celerybeat-schedule",  # noqa: S108 - the task's own scratch volume, not a host /tmp
    ]
    assert containers["web"]["portMappings"][0]["containerPort"] == "${var.app_port}"
    assert variable_default("ecs", "app_port") == 8000
    for name, container in containers.items():
        logs = container["logConfiguration"]
        if name == "exporter":  # beat's log group, its own stream prefix
            assert logs.startswith("${merge(local.logs.beat, {options = merge(")
            assert 'awslogs-stream-prefix = "queue-metrics"' in logs
        else:
            assert logs["logDriver"] == "awslogs"
        assert container["readonlyRootFilesystem"] is True
        # Never a placeholder: every app container runs the image tag the pipeline set.
        assert container["image"] == "${local.image}"
    assert module_locals("ecs")["image"] == "${var.ecr_repository_url}:${var.image_tag}"


def test_each_container_gets_only_the_secrets_it_uses_never_as_environment():
    arns = {name: f'${{var.secret_arns["{name}"]}}' for name in REQUIRED_SECRETS}
    arns["<rds master secret>"] = "${var.database_master_secret_arn}:password::"
    for name, container in _containers().items():
        env_names = [item["name"] for item in container["environment"]]
        leaked = [n for n in env_names if SECRET_NAME_PATTERN.search(n)]
        assert not leaked, f"{name}: secret-looking variables in plain environment: {leaked}"
        for item in container["environment"]:
            assert not URL_WITH_PASSWORD.search(str(item["value"])), (
                f"{name}: password inside {item['name']}"
            )
        secrets = _secrets_of(container)
        assert len(secrets) == len(container["secrets"]), f"{name}: a secret named twice"
        expected = {var: arns[source] for var, source in EXPECTED_SECRETS[name].items()}
        assert secrets == expected, f"{name}: secrets {sorted(secrets)}"
        assert not set(secrets) & set(env_names)
    # The channels' secrets go only where the channels run.
    containers = _containers()
    for name in ("beat", "exporter", "migrate", "db_roles"):
        env = _env_of(containers[name])
        assert env["WHATSAPP_ENABLED"] == env["LLM_ENABLED"] == "false", name


def test_no_secret_looking_name_in_any_environment_block():
    """Belt and braces: any `environment` list anywhere in terraform/."""
    checked = 0
    for path in TF_ROOT.rglob("*.tf"):
        for key, value in walk(parse(path)):
            if key.endswith("environment") and isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and "name" in item:
                        checked += 1
                        assert not SECRET_NAME_PATTERN.search(item["name"]), (
                            f"{path}: {item['name']}"
                        )
                        assert "value" in item
                        assert "valueFrom" not in item
    assert checked >= 20


def test_plain_environment_matches_the_application_contract():
    locals_ = module_locals("ecs")
    env = {item["name"]: item["value"] for item in locals_["shared_environment"]}
    assert env["DJANGO_SETTINGS_MODULE"] == "kavak.settings.production"
    assert env["DJANGO_LOG_FORMAT"] == "json"
    assert env["REDIS_URL"].startswith("rediss://")
    assert env["REDIS_URL"].endswith("/0")
    assert env["CELERY_BROKER_URL"].startswith("rediss://")
    assert env["CELERY_BROKER_URL"].endswith("/1")
    assert env["PUBLIC_BASE_URL"] == "${local.public_base_url}"
    assert env["ADMIN_OTP_REQUIRED"] == "true"
    assert env["DJANGO_ADMIN_URL"] == "${var.admin_path}"
    assert locals_["public_base_url"] == "https://${var.domain_name}"
    expected = {
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_WHATSAPP_NUMBER",
        "AXES_IPWARE_PROXY_COUNT",
        "DATA_RETENTION_DAYS",
        *RETENTION_ENVIRONMENT,
    }
    assert expected <= set(env)
    channels = {item["name"]: item["value"] for item in locals_["channels_environment"]}
    assert channels == {
        "LLM_ENABLED": '${var.llm_enabled ? "true" : "false"}',
        "WHATSAPP_ENABLED": '${var.whatsapp_enabled ? "true" : "false"}',
        "LLM_ROLLOUT_PERCENT": "${tostring(var.llm_rollout_percent)}",
    }


def test_secrets_manager_holds_every_container_secret_encrypted():
    locals_ = module_locals("secrets")
    assert set(locals_["generated"]) | set(locals_["external"]) == REQUIRED_SECRETS
    assert {"DATABASE_PASSWORD", "DATABASE_MIGRATE_PASSWORD"} <= set(locals_["generated"])
    secret = resource("secrets", "aws_secretsmanager_secret", "this")
    assert secret["for_each"] == "${local.all}"
    assert secret["kms_key_id"] == "${var.kms_key_arn}"
    for env in ENVIRONMENTS:
        assert env_modules(env)["ecs"]["secret_arns"] == "${module.secrets.secret_arns}"


@pytest.mark.parametrize("service", ["web", "worker"])
def test_services_roll_back_failed_deployments_and_stay_private(service: str):
    body = resource("ecs", "aws_ecs_service", service)
    breaker = block(body, "deployment_circuit_breaker")
    assert breaker["enable"] is True
    assert breaker["rollback"] is True
    assert block(body, "network_configuration")["assign_public_ip"] is False
    assert block(body, "network_configuration")["subnets"] == "${var.private_subnet_ids}"
    assert body["deployment_minimum_healthy_percent"] == 100


def test_web_service_is_behind_the_alb_target_group():
    web = resource("ecs", "aws_ecs_service", "web")
    lb = block(web, "load_balancer")
    assert lb["container_name"] == "web"
    assert lb["container_port"] == "${var.app_port}"
    assert lb["target_group_arn"] == "${var.target_group_arn}"
    assert env_modules("production")["ecs"]["target_group_arn"] == "${module.alb.target_group_arn}"


def test_autoscaling_on_cpu_and_alb_request_count():
    policies = resources(MODULES_DIR / "ecs", "aws_appautoscaling_policy")
    by_metric: dict[str, set[str]] = {}
    for (_, name), body in policies.items():
        if name in ("worker_backlog", "worker_queue_age"):
            continue  # the queue policies (test_each_worker_service_scales_on_its_own_queue)
        assert body["policy_type"] == "TargetTrackingScaling"
        config = block(body, "target_tracking_scaling_policy_configuration")
        metric = block(config, "predefined_metric_specification")
        target = ref(body["resource_id"]).split(".")[1].split("[")[0]  # worker[each.key]
        by_metric.setdefault(metric["predefined_metric_type"], set()).add(target)
        if metric["predefined_metric_type"] == "ALBRequestCountPerTarget":
            assert (
                metric["resource_label"] == "${var.alb_arn_suffix}/${var.target_group_arn_suffix}"
            )
    assert by_metric.get("ECSServiceAverageCPUUtilization") == {"web", "worker"}
    assert by_metric.get("ALBRequestCountPerTarget") == {"web"}
    targets = resources(MODULES_DIR / "ecs", "aws_appautoscaling_target")
    web = targets[("aws_appautoscaling_target", "web")]
    assert web["resource_id"] == "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.web.name}"
    worker = targets[("aws_appautoscaling_target", "worker")]
    assert worker["for_each"] == "${local.worker_queues}"
    assert (
        worker["resource_id"]
        == "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.worker[each.key].name}"
    )
    assert worker["min_capacity"] == "${each.value.min_count}"
    assert worker["max_capacity"] == "${each.value.max_count}"


def test_cluster_has_container_insights():
    cluster = resource("ecs", "aws_ecs_cluster", "this")
    settings = {s["name"]: s["value"] for s in blocks(cluster, "setting")}
    assert settings == {"containerInsights": "enabled"}


# --- ECR, logs, IAM --------------------------------------------------------------


def test_ecr_scans_on_push_with_immutable_tags():
    repo = resource("ecr", "aws_ecr_repository", "this")
    assert block(repo, "image_scanning_configuration")["scan_on_push"] is True
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert block(repo, "encryption_configuration")["encryption_type"] == "KMS"
    assert resources(MODULES_DIR / "ecr", "aws_ecr_lifecycle_policy")


def test_every_log_group_has_retention_and_kms():
    groups = all_resources("aws_cloudwatch_log_group")
    assert len(groups) >= 5
    for key, body in groups.items():
        assert "retention_in_days" in body, f"{key} keeps logs forever"
        assert body["retention_in_days"] != 0
        assert body.get("kms_key_id"), f"{key} is not KMS-encrypted"
    rds = resource("rds", "aws_db_instance", "this")
    rds_groups = {b["name"] for (_, _, n), b in groups.items() if n in {"postgresql", "upgrade"}}
    assert {
        f"/aws/rds/instance/${{var.name}}/{kind}" for kind in rds["enabled_cloudwatch_logs_exports"]
    } == rds_groups


def test_task_execution_role_is_least_privilege():
    policy = data_sources(MODULES_DIR / "iam", "aws_iam_policy_document")["execution"]
    statements = {s["sid"]: s for s in blocks(policy, "statement")}
    assert statements["ReadSecrets"]["actions"] == ["secretsmanager:GetSecretValue"]
    assert statements["ReadSecrets"]["resources"] == (
        "${concat(values(var.secret_arns), var.extra_secret_arns)}"
    )
    # The only secret outside modules/secrets: RDS's own master secret (db-roles task).
    assert root_modules()["iam"]["extra_secret_arns"] == ["${module.rds.master_user_secret_arn}"]
    for sid, statement in statements.items():
        for action in statement["actions"]:
            assert not action.endswith(":*"), f"{sid} grants {action}"
            assert action != "*", f"{sid} grants everything"
        if statement["resources"] == ["*"]:
            assert statement["actions"] == ["ecr:GetAuthorizationToken"], f"{sid} on every resource"
    assert not all_resources("aws_iam_user")
    assert not all_resources("aws_iam_access_key")
    for key, body in all_resources("aws_iam_role_policy_attachment").items():
        assert "AdministratorAccess" not in body["policy_arn"], key


def test_deploy_role_trusts_only_this_repository_environment_via_oidc():
    assume = data_sources(MODULES_DIR / "iam", "aws_iam_policy_document")["deploy_assume"]
    statement = block(assume, "statement")
    assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    conditions = {c["variable"]: c for c in blocks(statement, "condition")}
    assert conditions["token.actions.githubusercontent.com:aud"]["values"] == ["sts.amazonaws.com"]
    sub = conditions["token.actions.githubusercontent.com:sub"]
    assert sub["test"] == "StringEquals"
    assert sub["values"] == ["repo:${var.github_repository}:environment:${var.github_environment}"]
    for env in ENVIRONMENTS:
        assert env_modules(env)["iam"]["github_environment"] == "${var.environment}"


# --- monitoring ------------------------------------------------------------------


def _alarm_metrics() -> dict[str, dict]:
    alarms = resources(MODULES_DIR / "monitoring", "aws_cloudwatch_metric_alarm")
    assert alarms
    metrics: dict[str, dict] = {}
    for (_, name), body in alarms.items():
        assert body["alarm_actions"] == "${local.actions}", f"alarm {name} notifies nobody"
        names = set()
        if "metric_name" in body:
            names.add((body["namespace"], body["metric_name"]))
        for query in blocks(body, "metric_query"):
            for metric in blocks(query, "metric"):
                names.add((metric["namespace"], metric["metric_name"]))
        metrics[name] = {"metrics": names, "body": body}
    assert module_locals("monitoring")["actions"] == ["${aws_sns_topic.alarms.arn}"]
    return metrics


def _find_alarm(namespace: str, metric: str) -> list[dict]:
    return [a["body"] for a in _alarm_metrics().values() if (namespace, metric) in a["metrics"]]


def test_alb_5xx_rate_counts_target_and_load_balancer_errors_with_missing_data_as_zero():
    [alarm] = _find_alarm("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count")
    queries = {q["id"]: q for q in blocks(alarm, "metric_query")}
    raw = {qid: block(q, "metric") for qid, q in queries.items() if "metric" in q}
    assert {qid: m["metric_name"] for qid, m in raw.items()} == {
        "target5xx": "HTTPCode_Target_5XX_Count",
        # The load balancer's own 5xx: 502 (bad gateway), 503 (no target), 504 (timeout).
        "elb5xx": "HTTPCode_ELB_5XX_Count",
        "requests": "RequestCount",
    }
    for metric in raw.values():
        assert metric["stat"] == "Sum"
        assert metric["dimensions"] == {"LoadBalancer": "${var.alb_arn_suffix}"}
    expressions = {qid: q["expression"] for qid, q in queries.items() if "expression" in q}
    # A minute without 5xx has no datapoint; a sum with a missing term is missing, so each
    # raw metric is FILLed with 0 before it is added: load-balancer errors alone still count.
    assert expressions["errors"] == "FILL(target5xx, 0) + FILL(elb5xx, 0)"
    # Requests refused before a target was chosen are not in RequestCount: the denominator is
    # never below the errors (the rate never exceeds 100 %).
    assert expressions["total"] == "IF(FILL(requests, 0) > errors, FILL(requests, 0), errors)"
    assert expressions["rate"] == "IF(errors > 0, 100 * errors / total, 0)"
    returned = [qid for qid, q in queries.items() if q.get("return_data") is True]
    assert returned == ["rate"]
    for name in re.findall(r"\b[a-z]\w*5xx|\brequests\b", " ".join(expressions.values())):
        assert name in raw
    for qid in raw:
        assert f"FILL({qid}, 0)" in " ".join(expressions.values()), f"{qid} is never FILLed"
    assert alarm["comparison_operator"] == "GreaterThanThreshold"
    assert alarm["threshold"] == "${var.alb_5xx_rate_percent}"


def test_latency_alarm_uses_p95_of_target_response_time():
    [alarm] = _find_alarm("AWS/ApplicationELB", "TargetResponseTime")
    assert alarm["extended_statistic"] == "p95"


@pytest.mark.parametrize(
    ("namespace", "metric"),
    [
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/ECS", "CPUUtilization"),
        ("AWS/ECS", "MemoryUtilization"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/RDS", "DatabaseConnections"),
        ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
    ],
)
def test_required_alarm_exists(namespace: str, metric: str):
    assert _find_alarm(namespace, metric), f"no alarm on {namespace} {metric}"


def test_ecs_alarms_cover_web_and_worker():
    for metric in ("CPUUtilization", "MemoryUtilization"):
        [alarm] = _find_alarm("AWS/ECS", metric)
        assert alarm["for_each"] == "${local.ecs_services}"
    locals_ = module_locals("monitoring")
    assert (
        locals_["ecs_services"] == "${merge({web = var.web_service_name}, local.worker_services)}"
    )
    assert "worker_service_names" in locals_["worker_services"]


def test_alarm_topic_is_encrypted():
    topic = resource("monitoring", "aws_sns_topic", "alarms")
    assert topic["kms_master_key_id"] == "${var.kms_key_arn}"


# --- checkov skips ----------------------------------------------------------------


def test_every_checkov_skip_is_inline_and_justified():
    skip = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")
    found = 0
    for path in TF_ROOT.rglob("*.tf"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = skip.search(line)
            if match:
                found += 1
                check_id, reason = match.groups()
                assert re.fullmatch(r"CKV2?_AWS_\d+", check_id), (
                    f"{path}:{number} bad id {check_id}"
                )
                assert reason, f"{path}:{number} skip {check_id} lacks a reason"
                assert len(reason.strip()) >= 30, (
                    f"{path}:{number} skip {check_id}: reason too short"
                )
    assert found, "expected the documented skips"
    for config in (".checkov.yml", ".checkov.yaml"):
        assert not (REPO_ROOT / config).exists(), "no global checkov config: skips stay inline"


def test_readme_covers_operations():
    readme = (TF_ROOT / "README.md").read_text(encoding="utf-8").lower()
    for heading in (
        "## prerequisites",
        "## first deploy",
        "## rolling back",
        "## rotating secrets",
        "cost",
    ):
        assert heading in readme, f"terraform/README.md lacks {heading!r}"
    assert "staging" in readme
    assert "production" in readme


def test_image_declares_the_scratch_volumes_of_read_only_containers():
    """ECS bind mounts are root-owned 0755 unless the image declares the path as a VOLUME.

    The image runs as a non-root user; with a read-only root filesystem, /tmp must
    come from the image's VOLUME (mode 1777) or gunicorn finds no temp directory.
    """
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    declared: set[str] = set()
    for match in re.finditer(r"^\s*VOLUME\s+(.+)$", dockerfile, re.MULTILINE):
        declared.update(re.findall(r"/[\w./-]*", match.group(1)))
    locals_ = module_locals("ecs")
    for name, container in _containers().items():
        if container.get("readonlyRootFilesystem") is not True:
            continue
        mounts = container.get("mountPoints", [])
        if mounts == "${local.tmp_mount}":
            mounts = locals_["tmp_mount"]
        for mount in mounts:
            assert mount["containerPath"] in declared, (
                f"{name}: {mount['containerPath']} is mounted writable but the Dockerfile "
                f'does not declare VOLUME ["{mount["containerPath"]}"]'
            )


# --- Celery beat -------------------------------------------------------------------


def _env_locals(env: str) -> dict:
    assert env in ENVIRONMENTS
    merged: dict = {}
    for path in tf_files(TF_ROOT):
        for block_ in parse(path).get("locals", []):
            merged.update(block_)
    return merged


def _env_outputs(env: str) -> dict:
    assert env in ENVIRONMENTS
    outputs: dict = {}
    for entry in parse(TF_ROOT / "outputs.tf")["output"]:
        outputs.update(entry)
    return outputs


def _runs_celery_beat(container: dict) -> bool:
    command = container.get("command", [])
    return isinstance(command, list) and command[:4] == ["celery", "-A", "kavak", "beat"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_exactly_one_celery_beat_that_never_runs_twice(env: str):
    # The environment deploys the ECS module once, and that module has exactly one
    # service whose task runs `celery beat`.
    ecs_call = env_modules(env)["ecs"]
    assert ecs_call["source"] == "./modules/ecs"
    assert "count" not in ecs_call
    assert "for_each" not in ecs_call
    beat_containers = [name for name, c in _containers().items() if _runs_celery_beat(c)]
    assert beat_containers == ["beat"], f"celery beat runs in {beat_containers}"
    services = resources(MODULES_DIR / "ecs", "aws_ecs_service")
    beat_services = [
        name
        for (_, name), body in services.items()
        if body["task_definition"] == "${aws_ecs_task_definition.beat.arn}"
    ]
    assert beat_services == ["beat"]

    beat = services[("aws_ecs_service", "beat")]
    assert "count" not in beat
    assert "for_each" not in beat
    assert beat["desired_count"] == 1
    # Stop the old scheduler before starting the new one: never two at once.
    assert beat["deployment_maximum_percent"] == 100
    assert beat["deployment_minimum_healthy_percent"] == 0
    breaker = block(beat, "deployment_circuit_breaker")
    assert breaker == {"enable": True, "rollback": True}
    # Terraform keeps desired_count at 1 (only the image is left to CI).
    assert block(beat, "lifecycle")["ignore_changes"] == ["task_definition"]
    assert "load_balancer" not in beat
    network = block(beat, "network_configuration")
    assert network["assign_public_ip"] is False
    assert network["subnets"] == "${var.private_subnet_ids}"
    assert network["security_groups"] == ["${var.worker_security_group_id}"]
    # No autoscaling of any kind on beat.
    for body in resources(MODULES_DIR / "ecs", "aws_appautoscaling_target").values():
        assert "aws_ecs_service.beat" not in body["resource_id"]
    for body in resources(MODULES_DIR / "ecs", "aws_appautoscaling_policy").values():
        assert "beat" not in body["resource_id"]
    # CI may update it (deploy role) and knows its names (GitHub variables).
    assert "beat" in _env_locals(env)["service_names"]
    assert env_modules(env)["iam"]["service_names"] == "${local.service_names}"
    variables_out = _env_outputs(env)["github_actions_variables"]["value"]
    assert variables_out["ECS_BEAT_SERVICE"] == "${module.ecs.beat_service_name}"
    assert variables_out["ECS_BEAT_FAMILY"] == '${module.ecs.task_families["beat"]}'


def test_beat_task_shares_the_worker_image_but_not_its_channels_or_secrets():
    containers = _containers()
    beat, worker = containers["beat"], containers["worker"]
    assert beat["image"] == worker["image"] == "${local.image}"
    beat_env, worker_env = _env_of(beat), _env_of(worker)
    # Same configuration, except that beat calls neither Twilio nor the model (so it has no
    # rollout share either) and serves no metrics port.
    assert set(beat_env) == set(worker_env) - {"CELERY_METRICS_PORT", "LLM_ROLLOUT_PERCENT"}
    for name, value in beat_env.items():
        if name not in ("WHATSAPP_ENABLED", "LLM_ENABLED"):
            assert value == worker_env[name], name
    assert set(_secrets_of(beat)) == {"DJANGO_SECRET_KEY", "REDIS_PASSWORD"}
    assert beat["readonlyRootFilesystem"] is True
    assert "portMappings" not in beat, "beat serves nothing"
    # The schedule file is written to the writable scratch volume (root is read-only).
    command = beat["command"]
    schedule = command[command.index("--schedule") + 1]
    [scratch] = [m["containerPath"] for m in beat["mountPoints"]]
    assert schedule.startswith(f"{scratch}/")
    assert beat["mountPoints"] == module_locals("ecs")["tmp_mount"]
    log_groups = module_locals("ecs")["log_groups"]
    assert log_groups["beat"] == "/ecs/${var.name}/beat"
    assert beat["logConfiguration"]["options"]["awslogs-group"] == "/ecs/${var.name}/beat"
    task = resource("ecs", "aws_ecs_task_definition", "beat")
    assert task["family"] == "${var.name}-beat"
    assert block(task, "volume")["name"] == "tmp"


# --- metrics -------------------------------------------------------------------------


def _env_of(container: dict) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container["environment"]}


def test_web_and_worker_write_prometheus_samples_to_the_scratch_volume():
    containers = _containers()
    for name in ("web", "worker", "beat"):
        env = _env_of(containers[name])
        assert env["PROMETHEUS_MULTIPROC_DIR"] == "${local.prometheus_multiproc_dir}", name
    directory = module_locals("ecs")["prometheus_multiproc_dir"]
    # Same directory as the image default (Dockerfile ENV), on the writable scratch volume.
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    image_default = re.search(r"PROMETHEUS_MULTIPROC_DIR=(\S+)", dockerfile)
    assert image_default
    assert directory == image_default.group(1)
    [scratch] = [m["containerPath"] for m in module_locals("ecs")["tmp_mount"]]
    assert directory.startswith(f"{scratch}/")
    assert "CELERY_METRICS_PORT" not in _env_of(containers["web"])
    # Every other variable is the shared environment, unchanged.
    shared = {
        item["name"] for item in resolve_local("${local.app_environment}", module_locals("ecs"))
    }
    assert shared >= {item["name"] for item in module_locals("ecs")["shared_environment"]}
    assert set(_env_of(containers["web"])) == shared | {"PROMETHEUS_MULTIPROC_DIR"}
    assert set(_env_of(containers["worker"])) == shared | {
        "PROMETHEUS_MULTIPROC_DIR",
        "CELERY_METRICS_PORT",
    }


def test_prometheus_directory_exists_before_the_application_imports():
    """prometheus_client fails on import when PROMETHEUS_MULTIPROC_DIR is missing.

    Each task starts with an empty /tmp: gunicorn creates the directory in
    on_starting (web); every other container goes through an entry point that
    creates it and execs the command.
    """
    containers = _containers()
    gunicorn_conf = (REPO_ROOT / "kavak" / "gunicorn.conf.py").read_text(encoding="utf-8")
    assert "os.makedirs(_METRICS_DIR" in gunicorn_conf
    assert containers["web"]["command"][-1] == "kavak/gunicorn.conf.py"
    for name in ("worker", "beat", "migrate"):
        entry = containers[name]["entryPoint"]
        assert entry[:2] == ["sh", "-c"], name
        script = entry[2]
        assert 'mkdir -p "$PROMETHEUS_MULTIPROC_DIR"' in script
        assert script.rstrip().endswith('exec "$@"'), "the command must replace the shell"
        assert len(entry) == 4, "entry point: sh -c <script> <$0>, then the command"


def test_worker_metrics_port_stays_inside_the_task():
    """CELERY_METRICS_PORT listens on 127.0.0.1 (CELERY_METRICS_BIND's default): only the ADOT
    sidecar of the same task scrapes it, so no port mapping and no security group rule."""
    containers = _containers()
    worker = containers["worker"]
    assert _env_of(worker)["CELERY_METRICS_PORT"] == "${tostring(var.celery_metrics_port)}"
    assert "CELERY_METRICS_BIND" not in _env_of(worker), "the loopback default applies"
    assert "portMappings" not in worker
    assert variable_default("ecs", "celery_metrics_port") == CELERY_METRICS_PORT
    assert "celery_metrics_port" not in variables(MODULES_DIR / "network")
    for env in ENVIRONMENTS:
        assert _env_locals(env)["celery_metrics_port"] == CELERY_METRICS_PORT
        calls = env_modules(env)
        assert calls["ecs"]["celery_metrics_port"] == "${local.celery_metrics_port}"
        assert "celery_metrics_port" not in calls["network"]
    rules = resources(MODULES_DIR / "network", "aws_vpc_security_group_ingress_rule")
    assert not [name for (_, name) in rules if "worker" in name]
    # Never through the load balancer: the only target group serves the web port,
    # only the web service is registered in it, and the ALB may only reach web.
    for (_, name), body in resources(MODULES_DIR / "alb", "aws_lb_target_group").items():
        assert body["port"] == "${var.app_port}", f"target group {name}"
    for (_, name), body in resources(MODULES_DIR / "ecs", "aws_ecs_service").items():
        if name != "web":
            assert "load_balancer" not in body, f"{name} is behind the ALB"
    alb_egress = [
        body
        for body in resources(
            MODULES_DIR / "network", "aws_vpc_security_group_egress_rule"
        ).values()
        if body["security_group_id"] == "${aws_security_group.alb.id}"
    ]
    assert alb_egress
    for body in alb_egress:
        assert body["referenced_security_group_id"] == "${aws_security_group.web.id}"
        assert body["from_port"] == body["to_port"] == "${var.app_port}"


def test_metrics_token_is_a_generated_secret_injected_into_web_only():
    locals_ = module_locals("secrets")
    assert "METRICS_TOKEN" in locals_["generated"], "generated (shared with the scraper)"
    assert "METRICS_TOKEN" not in locals_["external"]
    containers = _containers()
    web_secrets = {item["name"]: item["valueFrom"] for item in containers["web"]["secrets"]}
    assert web_secrets["METRICS_TOKEN"] == '${var.secret_arns["METRICS_TOKEN"]}'
    for name in ("worker", "beat", "migrate"):
        assert "METRICS_TOKEN" not in {item["name"] for item in containers[name]["secrets"]}
    for name, container in containers.items():
        assert "METRICS_TOKEN" not in _env_of(container), f"{name}: token in plain environment"
    # The execution role reads every secret of the module, METRICS_TOKEN included.
    for env in ENVIRONMENTS:
        assert env_modules(env)["iam"]["secret_arns"] == "${module.secrets.secret_arns}"


def test_metrics_path_is_not_routable_from_the_internet():
    rules = resources(MODULES_DIR / "alb", "aws_lb_listener_rule")
    blocking = []
    forward_priorities = []
    for (_, name), body in rules.items():
        assert body["listener_arn"] == "${aws_lb_listener.https.arn}", f"rule {name}"
        action = block(body, "action")
        if action["type"] == "forward":
            forward_priorities.append(body["priority"])
            continue
        paths = [
            value
            for condition in blocks(body, "condition")
            for pattern in blocks(condition, "path_pattern")
            for value in pattern["values"]
        ]
        if "/metrics" in paths:
            assert action["type"] == "fixed-response"
            fixed = block(action, "fixed_response")
            assert str(fixed["status_code"]) == "404"
            blocking.append(body)
    assert len(blocking) == 1, "exactly one rule answers /metrics on the HTTPS listener"
    [rule] = blocking
    assert isinstance(rule["priority"], int)
    assert rule["priority"] >= 1
    # Evaluated before any forward rule; the listener's default action (forward
    # to the web target group) always comes last.
    assert all(rule["priority"] < p for p in forward_priorities)
    default = block(resource("alb", "aws_lb_listener", "https"), "default_action")
    assert default["type"] == "forward"
    # Plain HTTP forwards nothing: it only redirects to HTTPS, where the rule applies.
    http_default = block(resource("alb", "aws_lb_listener", "http"), "default_action")
    assert http_default["type"] == "redirect"


# --- stop timeouts -----------------------------------------------------------------


def test_worker_gets_the_fargate_maximum_stop_timeout_and_web_the_default():
    containers = _containers()
    assert containers["worker"]["stopTimeout"] == 120, "ECS/Fargate maximum"
    # ECS default (30 s) for web, stated or implied; gunicorn's graceful timeout fits.
    assert containers["web"].get("stopTimeout", 30) == 30
    gunicorn_conf = (REPO_ROOT / "kavak" / "gunicorn.conf.py").read_text(encoding="utf-8")
    graceful = re.search(r'GUNICORN_GRACEFUL_TIMEOUT", "(\d+)"', gunicorn_conf)
    assert graceful
    assert int(graceful.group(1)) < 30
    for container in containers.values():
        assert container.get("stopTimeout", 30) <= 120


def test_readme_documents_beat_metrics_and_the_metrics_token():
    readme = (TF_ROOT / "README.md").read_text(encoding="utf-8")
    assert "beat" in readme.lower()
    assert "CELERY_METRICS_PORT" in readme
    assert "PROMETHEUS_MULTIPROC_DIR" in readme
    rotation = readme.split("## Rotating secrets", 1)[1].split("\n## ", 1)[0]
    assert "METRICS_TOKEN" in rotation
    assert "for s in web worker-turns worker-messages beat" in rotation, "restarts every service"
    cost = readme.lower().split("## monthly cost estimate", 1)[1].split("\n## ", 1)[0]
    assert "beat" in cost


# --- WhatsApp channel and admin client address ----------------------------------------

APP_SERVICES = ("web", "worker", "beat")
WHATSAPP_ENVIRONMENT = {
    "WHATSAPP_ENABLED": '${var.whatsapp_enabled ? "true" : "false"}',
    "TWILIO_ACCOUNT_SID": "${var.twilio_account_sid}",
    "TWILIO_WHATSAPP_NUMBER": "${var.twilio_whatsapp_number}",
}
TEMPLATE_CONTENT_SIDS = {
    "TWILIO_SALES_TEMPLATE_CONTENT_SID": "twilio_sales_template_content_sid",
    "TWILIO_STAFF_TEMPLATE_CONTENT_SID": "twilio_staff_template_content_sid",
    "TWILIO_CSAT_CONTENT_SID": "twilio_csat_content_sid",
}
# Passed only when set (ECS drops empty values): {container variable: variable of the root}.
OPTIONAL_SETTINGS = {
    **TEMPLATE_CONTENT_SIDS,
    "META_SALES_TEMPLATE": "meta_sales_template",
    "META_STAFF_TEMPLATE": "meta_staff_template",
    "WHATSAPP_PROVIDERS": "whatsapp_providers",
}
NEW_ECS_INPUTS = (
    "whatsapp_enabled",
    "twilio_whatsapp_number",
    *TEMPLATE_CONTENT_SIDS.values(),
)


def _validation_regex(module: str, name: str) -> re.Pattern[str]:
    """The pattern of a `can(regex("...", var.name))` validation, as Python sees it."""
    [validation] = variables(MODULES_DIR / module)[name]["validation"]
    match = re.fullmatch(
        rf'\$\{{can\(regex\("((?:[^"\\]|\\.)*)", var\.{name}\)\)\}}', validation["condition"]
    )
    assert match, f"{name}: expected can(regex(...)), got {validation['condition']!r}"
    return re.compile(match.group(1).replace("\\\\", "\\"))


def _app_settings_source() -> str:
    """Every settings module (base.py imports one per concern), in a stable order."""
    paths = sorted((REPO_ROOT / "kavak" / "settings").glob("*.py"))
    return "".join(path.read_text(encoding="utf-8") for path in paths)


@pytest.mark.parametrize("service", ["web", "worker"])
def test_whatsapp_channel_is_configured_as_plain_environment(service: str):
    """WHATSAPP_ENABLED=true makes the app require the SID, the number and the token."""
    container = _containers()[service]
    env = _env_of(container)
    for name, value in WHATSAPP_ENVIRONMENT.items():
        assert env.get(name) == value, f"{service}: {name}={env.get(name)!r}"
    secret_names = {item["name"] for item in container["secrets"]}
    assert "TWILIO_AUTH_TOKEN" in secret_names, "the token comes from Secrets Manager"
    assert not secret_names & set(WHATSAPP_ENVIRONMENT)
    assert "TWILIO_AUTH_TOKEN" not in env


def test_whatsapp_variables_of_the_ecs_module():
    declared = variables(MODULES_DIR / "ecs")
    assert declared["whatsapp_enabled"]["type"] == "bool"
    assert variable_default("ecs", "whatsapp_enabled") is True
    number = declared["twilio_whatsapp_number"]
    assert number["type"] == "string"
    assert "default" not in number, "every environment names its own sender"
    pattern = _validation_regex("ecs", "twilio_whatsapp_number")
    for good in ("whatsapp:+5215500000000", "whatsapp:+14155238886"):
        assert pattern.fullmatch(good), good
    bad_numbers = (
        "",
        "+5215500000000",
        "whatsapp:5215500000000",
        "whatsapp:+0123456",
        "sms:+14155238886",
    )
    for bad in bad_numbers:
        assert not pattern.fullmatch(bad), bad
    sid = _validation_regex("ecs", "twilio_account_sid")
    assert sid.fullmatch("AC" + "0" * 32)
    assert not sid.fullmatch("")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environments_pass_the_whatsapp_settings_to_ecs(env: str):
    ecs_call = env_modules(env)["ecs"]
    declared = variables(TF_ROOT)
    for name in NEW_ECS_INPUTS:
        assert ecs_call[name] == f"${{var.{name}}}", f"{env}: ecs.{name}"
        assert name in declared, f"{env}: variable {name} missing"
    assert declared["whatsapp_enabled"]["default"] is True
    assert "default" not in declared["twilio_whatsapp_number"]
    for name in TEMPLATE_CONTENT_SIDS.values():
        assert declared[name]["default"] == ""
    values = tfvars(env)
    assert values["whatsapp_enabled"] is True
    assert _validation_regex("ecs", "twilio_whatsapp_number").fullmatch(
        values["twilio_whatsapp_number"]
    )
    assert _validation_regex("ecs", "twilio_account_sid").fullmatch(values["twilio_account_sid"])


@pytest.mark.parametrize("service", APP_SERVICES)
def test_axes_trusts_exactly_one_proxy_the_alb(service: str):
    env = _env_of(_containers()[service])
    assert env["AXES_IPWARE_PROXY_COUNT"] == "1", "the ALB is the only proxy in front of the app"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_template_content_sids_reach_the_containers_when_set(service: str):
    container = _containers()[service]
    env = _env_of(container)
    for name, variable in TEMPLATE_CONTENT_SIDS.items():
        assert env.get(name) == f"${{var.{variable}}}", f"{service}: {name}"
    assert not {item["name"] for item in container["secrets"]} & set(TEMPLATE_CONTENT_SIDS)


def test_template_content_sids_are_optional_and_must_be_content_sids():
    declared = variables(MODULES_DIR / "ecs")
    for variable in TEMPLATE_CONTENT_SIDS.values():
        assert declared[variable]["type"] == "string"
        assert variable_default("ecs", variable) == ""
        [validation] = declared[variable]["validation"]
        assert validation["condition"] == (
            f'${{var.{variable} == "" || startswith(var.{variable}, "HX")}}'
        )
    locals_ = module_locals("ecs")
    assert locals_["optional_settings"] == {
        name: f"${{var.{variable}}}" for name, variable in OPTIONAL_SETTINGS.items()
    }
    # Only set ones reach the task definition: ECS drops empty values and the AWS
    # provider would plan a new revision on every run.
    optional = locals_["optional_environment"]
    match = _LOCAL_NONEMPTY_FOR.fullmatch(optional)
    assert match, optional
    assert match.group(3) == "optional_settings"
    assert not set(OPTIONAL_SETTINGS) & {item["name"] for item in locals_["shared_environment"]}


def test_new_environment_variables_are_read_by_the_application():
    settings = _app_settings_source()
    for name in (*WHATSAPP_ENVIRONMENT, "AXES_IPWARE_PROXY_COUNT", *TEMPLATE_CONTENT_SIDS):
        assert f'"{name}"' in settings, f"kavak/settings/ does not read {name}"
    assert re.search(r'TWILIO_WHATSAPP_NUMBER = env_required\("TWILIO_WHATSAPP_NUMBER"', settings)


# --- the two Celery queues (issue 18) ---------------------------------------------

QUEUE_COMMANDS = {
    "turns": [
        "celery", "-A", "kavak", "worker", "-Q", "turns", "-P", "threads",
        "-c", "${tostring(var.turn_worker_threads)}", "-l", "INFO",
    ],
    "messages": [
        "celery", "-A", "kavak", "worker", "-Q", "messages",
        "-c", "${tostring(local.worker_vcpus)}", "-l", "INFO",
    ],
}  # fmt: skip


def test_each_worker_service_consumes_its_own_queue():
    locals_ = module_locals("ecs")
    queues = locals_["worker_queues"]
    assert set(queues) == {"turns", "messages"}
    for queue, command in QUEUE_COMMANDS.items():
        assert queues[queue]["command"] == command, queue
    assert locals_["worker_vcpus"] == "${max(1, floor(var.worker_cpu / 1024))}"
    assert variable_default("ecs", "turn_worker_threads") == 64
    # Every queue's task definition runs the shared worker container with its command, and
    # the ADOT sidecar; its logs go to the worker group under a prefix naming the queue.
    containers = locals_["worker_containers"]
    assert "for queue, config in local.worker_queues" in containers
    assert "merge(local.worker_container, {command = config.command" in containers
    assert "environment = concat(local.worker_environment, config.environment)" in containers
    assert queues["turns"]["environment"] == [
        {"name": "DATABASE_POOL_MAX_SIZE", "value": "${tostring(var.turn_worker_db_pool_size)}"}
    ]
    assert queues["messages"]["environment"] == []  # prefork: a connection per process
    assert 'awslogs-stream-prefix = "worker-${queue}"' in containers
    assert "local.adot_container.worker" in containers
    service = resource("ecs", "aws_ecs_service", "worker")
    assert service["for_each"] == "${local.worker_queues}"
    assert service["name"] == "worker-${each.key}"
    assert service["desired_count"] == "${each.value.min_count}"
    assert block(service, "alarms")["alarm_names"] == (
        '${var.deployment_alarm_names["worker-${each.key}"]}'
    )
    assert _env_locals("production")["service_names"] == [
        "web",
        "worker-turns",
        "worker-messages",
        "beat",
    ]


def test_each_worker_service_scales_on_its_own_queue():
    policies = resources(MODULES_DIR / "ecs", "aws_appautoscaling_policy")
    backlog = policies[("aws_appautoscaling_policy", "worker_backlog")]
    assert backlog["for_each"] == "${local.worker_queues}"
    config = block(backlog, "target_tracking_scaling_policy_configuration")
    assert config["target_value"] == "${each.value.backlog_per_task}"
    metrics = {
        m["id"]: m for m in blocks(block(config, "customized_metric_specification"), "metrics")
    }
    depth = block(block(metrics["depth"], "metric_stat"), "metric")
    assert depth["namespace"] == "${var.queue_metrics_namespace}"
    assert depth["metric_name"] == "QueueDepth"  # what kavak/queue_metrics.py publishes
    assert blocks(depth, "dimensions") == [{"name": "Queue", "value": "${each.key}"}]
    tasks = block(block(metrics["tasks"], "metric_stat"), "metric")
    assert tasks["metric_name"] == "RunningTaskCount"
    assert metrics["backlog_per_task"]["expression"] == "IF(tasks > 0, depth / tasks, depth)"
    assert metrics["backlog_per_task"]["return_data"] is True
    age = policies[("aws_appautoscaling_policy", "worker_queue_age")]
    assert age["policy_type"] == "StepScaling"
    [trigger] = resources(MODULES_DIR / "ecs", "aws_cloudwatch_metric_alarm").values()
    assert trigger["metric_name"] == "OldestMessageAgeSeconds"
    assert trigger["dimensions"] == {"Queue": "${each.key}"}
    assert trigger["threshold"] == "${each.value.scale_out_age_s}"
    assert trigger["alarm_actions"] == [
        "${aws_appautoscaling_policy.worker_queue_age[each.key].arn}"
    ]
    for env in ENVIRONMENTS:
        values = tfvars(env)
        for queue in ("turns", "messages"):
            assert 1 <= values[f"worker_{queue}_min_count"] <= values[f"worker_{queue}_max_count"]
        assert values["web_gunicorn_workers"] >= 1
        assert values["web_gunicorn_threads"] > 1, "gthread workers: a waiting turn holds a thread"


def test_web_gunicorn_workers_and_threads_come_from_variables():
    shared = {e["name"]: e["value"] for e in module_locals("ecs")["shared_environment"]}
    assert shared["GUNICORN_WORKERS"] == "${tostring(var.web_gunicorn_workers)}"
    assert shared["GUNICORN_THREADS"] == "${tostring(var.web_gunicorn_threads)}"
    assert variable_default("ecs", "web_gunicorn_workers") == 2
    assert variable_default("ecs", "web_gunicorn_threads") == 32
    for env in ENVIRONMENTS:
        call = env_modules(env)["ecs"]
        assert call["web_gunicorn_workers"] == "${var.web_gunicorn_workers}"
        assert call["web_gunicorn_threads"] == "${var.web_gunicorn_threads}"
        assert call["turn_worker_threads"] == "${var.turn_worker_threads}"


def test_the_sales_email_goes_through_ses_from_the_verified_sender_only():
    """Issue 18: production settings refuse to start without a delivering EMAIL_URL; Terraform
    gives every container EMAIL_URL=ses://<region>, the verified sender and the sales inbox, and
    the task role may send only from that identity, as that From address."""
    email = {e["name"]: e["value"] for e in module_locals("ecs")["email_environment"]}
    assert email["EMAIL_URL"] == "ses://${var.aws_region}"
    assert email["LEAD_EMAIL_NOTIFICATIONS"] == '${var.lead_email_notifications ? "true" : "false"}'
    assert "var.email_from_address" in email["DEFAULT_FROM_EMAIL"]
    assert email["SALES_NOTIFICATION_EMAILS"] == '${join(",", var.sales_notification_emails)}'
    for name in CONTAINERS:
        assert set(email) <= set(_env_of(_containers()[name])), name
    root = resources(TF_ROOT, "aws_sesv2_email_identity")[("aws_sesv2_email_identity", "sender")]
    assert root["email_identity"] == "${var.email_from_address}"
    assert root["count"] == "${var.lead_email_notifications ? 1 : 0}"
    iam_call = root_modules()["iam"]
    assert iam_call["ses_identity_arn"] == (
        '${var.lead_email_notifications ? aws_sesv2_email_identity.sender[0].arn : ""}'
    )
    policy = data_sources(MODULES_DIR / "iam", "aws_iam_policy_document")["ses_send"]
    statement = block(policy, "statement")
    assert statement["actions"] == ["ses:SendRawEmail", "ses:SendEmail"]
    assert statement["resources"] == ["${var.ses_identity_arn}"]
    condition = block(statement, "condition")
    assert (condition["variable"], condition["values"]) == (
        "ses:FromAddress",
        ["${var.email_from_address}"],
    )
    attached = resource("iam", "aws_iam_role_policy", "ses_send")
    assert attached["role"] == "${aws_iam_role.task.id}"
    for env in ENVIRONMENTS:
        values = tfvars(env)
        assert "@" in values["email_from_address"]
        assert values["sales_notification_emails"]


# --- issue 20: Meta's secrets, retention of personal data, gradual LLM rollout -----------------

RETENTION_ENVIRONMENT = {
    "RETENTION_TRANSCRIPT_DAYS": (
        "${tostring(coalesce(var.retention_transcript_days, var.data_retention_days))}"
    ),
    "RETENTION_DELIVERY_DAYS": (
        "${tostring(coalesce(var.retention_delivery_days, var.data_retention_days))}"
    ),
    "RETENTION_CLOSED_LEAD_DAYS": "${tostring(var.retention_closed_lead_days)}",
    "RETENTION_BATCH_SIZE": "${tostring(var.retention_batch_size)}",
}
ISSUE_20_VARIABLES = (
    "retention_transcript_days",
    "retention_delivery_days",
    "retention_closed_lead_days",
    "retention_batch_size",
    "llm_rollout_percent",
    "whatsapp_providers",
    "meta_sales_template",
    "meta_staff_template",
)


def test_issue_20_variables_reach_ecs_unchanged():
    declared_root, declared_ecs = variables(TF_ROOT), variables(MODULES_DIR / "ecs")
    call = root_modules()["ecs"]
    for name in ISSUE_20_VARIABLES:
        assert call[name] == f"${{var.{name}}}", f"ecs.{name}"
        assert declared_root[name]["type"] == declared_ecs[name]["type"], name
        assert declared_root[name].get("default") == declared_ecs[name].get("default"), name
        assert blocks(declared_root[name], "validation"), f"{name}: the root validates it"
    # null = follow data_retention_days, as the app's RETENTION_*_DAYS default to it.
    assert declared_root["retention_transcript_days"]["default"] is None
    assert declared_root["retention_delivery_days"]["default"] is None
    settings = _app_settings_source()
    assert '_retention_days("RETENTION_TRANSCRIPT_DAYS", DATA_RETENTION_DAYS)' in settings
    assert '_retention_days("RETENTION_DELIVERY_DAYS", DATA_RETENTION_DAYS)' in settings
    assert 'env.int("LLM_ROLLOUT_PERCENT", default=100)' in settings
    assert declared_root["llm_rollout_percent"]["default"] == 100


@pytest.mark.parametrize("name", CONTAINERS)
def test_retention_limits_reach_every_container_and_the_rollout_share_the_channels(name: str):
    env = _env_of(_containers()[name])
    for setting, value in RETENTION_ENVIRONMENT.items():
        assert env.get(setting) == value, f"{name}: {setting}"
    if name in ("web", "worker"):
        assert env["LLM_ROLLOUT_PERCENT"] == "${tostring(var.llm_rollout_percent)}"
    else:  # the model never runs there
        assert "LLM_ROLLOUT_PERCENT" not in env


def test_meta_secrets_reach_web_and_worker_only_with_a_meta_number():
    locals_ = module_locals("ecs")
    assert locals_["meta_enabled"] == '${strcontains(var.whatsapp_providers, "=meta:")}'
    assert locals_["meta_secret_names"] == list(META_SECRETS)
    match = _LOCAL_SECRETS_IF.fullmatch(locals_["meta_secrets"])
    assert match, locals_["meta_secrets"]
    assert (match.group(2), match.group(3)) == ("meta_secret_names", "meta_enabled")
    assert locals_["web_secrets"] == "${concat(local.web_own_secrets, local.meta_secrets)}"
    assert locals_["worker_secrets"] == "${concat(local.worker_own_secrets, local.meta_secrets)}"
    for name in ("beat_secrets", "exporter_secrets", "migrate_secrets", "db_roles_secrets"):
        assert "meta" not in str(locals_[name]), name
    # The app requires exactly these three once a number is on Meta (and WhatsApp is on).
    settings = _app_settings_source()
    for secret in META_SECRETS:
        assert f'{secret} = env_required("{secret}", because=_because)' in settings
    # The flag Terraform derives is the app's own: a meta:<id> entry in WHATSAPP_PROVIDERS.
    providers = (REPO_ROOT / "channels" / "providers.py").read_text(encoding="utf-8")
    assert 'META = "meta"' in providers
    assert "<number>=meta:<id>" in providers


def test_meta_and_retention_secrets_live_in_secrets_manager():
    locals_ = module_locals("secrets")
    # Ours to choose, so generated: the handshake token and the phone-hash key.
    assert {"META_VERIFY_TOKEN", "RETENTION_HASH_KEY"} <= set(locals_["generated"])
    # Issued by Meta: created empty, the operator puts the values (terraform/README.md).
    assert {"META_APP_SECRET", "META_ACCESS_TOKEN"} <= set(locals_["external"])
    readme = (TF_ROOT / "README.md").read_text(encoding="utf-8")
    for secret in (*META_SECRETS, "RETENTION_HASH_KEY"):
        assert secret in readme, f"terraform/README.md does not explain {secret}"
    # The hash key reaches only the containers that hash phones (anonymiser, erasure).
    containers = _containers()
    for name in CONTAINERS:
        assert ("RETENTION_HASH_KEY" in _secrets_of(containers[name])) is (
            name in ("web", "worker")
        ), name


def test_whatsapp_providers_validation_agrees_with_the_app():
    """What Terraform accepts, the app's parser accepts (and names a provider for)."""
    from channels.providers import providers_parse

    [validation] = variables(TF_ROOT)["whatsapp_providers"]["validation"]
    match = re.fullmatch(
        r'\$\{can\(regex\("((?:[^"\\]|\\.)*)", var\.whatsapp_providers\)\)\}',
        validation["condition"],
    )
    assert match, validation["condition"]
    pattern = re.compile(match.group(1).replace("\\\\", "\\"))
    accepted = [
        "",
        "+5215500000000=twilio",
        "+525598765432=meta:109876543210987",
        ACCEPTED["whatsapp_providers"],
    ]
    for value in accepted:
        assert pattern.fullmatch(value), value
        providers_parse(value)
    for value in ("+525598765432=meta:", "+525598765432=meta", "+52 55 9876 5432=twilio",
                  "+5215500000000=twilio,", "+5215500000000=sms"):  # fmt: skip
        assert not pattern.fullmatch(value), value
