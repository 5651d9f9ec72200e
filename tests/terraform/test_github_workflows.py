"""Structural tests of the GitHub Actions workflows and the deploy script (issues 8 and 21).

Pull requests are linted, tested and planned; pushes to main build the image, apply Terraform
with that image's tag and deploy it, with AWS access through OIDC roles only. The deploy script
(.github/scripts/ecs_deploy.py) is exercised against a fake AWS: it must fail, naming the
service, whenever a service did not end up on the new image.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.terraform.test_terraform_infra import variable_default

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
CI = WORKFLOWS_DIR / "ci.yml"
DEPLOY = WORKFLOWS_DIR / "deploy.yml"
ROLLBACK = WORKFLOWS_DIR / "rollback.yml"
TERRAFORM = WORKFLOWS_DIR / "terraform.yml"
SCRIPT = REPO_ROOT / ".github" / "scripts" / "ecs_deploy.py"
SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    assert value is not None, "workflow has no triggers"
    if isinstance(value, str):
        return {value: None}
    if isinstance(value, list):
        return dict.fromkeys(value)
    return value


def walk(node: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def workflow_files() -> list[Path]:
    return sorted(list(WORKFLOWS_DIR.glob("*.yml")) + list(WORKFLOWS_DIR.glob("*.yaml")))


def deploy_steps() -> list[dict]:
    jobs = load(DEPLOY)["jobs"]
    assert len(jobs) == 1
    return next(iter(jobs.values()))["steps"]


def step_index(steps: list[dict], predicate) -> list[int]:
    return [i for i, step in enumerate(steps) if predicate(step)]


def script_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ecs_deploy", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["ecs_deploy"] = module
    spec.loader.exec_module(module)
    return module


# --- triggers, jobs, OIDC -------------------------------------------------------------------


def test_workflows_exist_and_parse():
    files = workflow_files()
    assert {CI, DEPLOY, ROLLBACK, TERRAFORM} <= set(files)
    for path in files:
        workflow = load(path)
        assert isinstance(workflow, dict), f"{path.name} is not a mapping"
        assert workflow.get("jobs"), f"{path.name} has no jobs"


def test_ci_runs_on_pull_requests_and_pushes_to_main():
    on = triggers(load(CI))
    assert "pull_request" in on
    assert "push" in on
    assert on["push"]["branches"] == ["main"]


def test_pull_requests_are_linted_and_tested():
    jobs = load(CI)["jobs"]
    commands = {
        name: " ".join(step.get("run", "") for step in job.get("steps", []))
        for name, job in jobs.items()
    }
    assert "make lint" in commands["lint"]
    assert "make test" in commands["test"]
    assert "terraform fmt -check" in commands["terraform"]
    # One root for every environment, with the committed lock file read-only.
    assert "terraform -chdir=terraform init -backend=false" in commands["terraform"]
    assert "-lockfile=readonly" in commands["terraform"]
    assert "terraform -chdir=terraform validate" in commands["terraform"]
    for name in ("lint", "test", "terraform"):
        assert "if" not in jobs[name], f"{name} must run on pull requests too"
    # The suite runs Terraform itself (the variable validations): same version as validate.
    setups = {
        name: [s for s in jobs[name]["steps"] if "hashicorp/setup-terraform" in s.get("uses", "")]
        for name in ("test", "terraform")
    }
    assert len(setups["test"]) == len(setups["terraform"]) == 1
    assert (
        setups["test"][0]["with"]["terraform_version"]
        == (setups["terraform"][0]["with"]["terraform_version"])
    )
    # The plain binary: the wrapper (a Node script) exists to expose output to later steps.
    assert setups["test"][0]["with"]["terraform_wrapper"] is False


def test_main_applies_terraform_then_deploys_each_environment_in_order():
    jobs = load(CI)["jobs"]
    build = jobs["build"]
    assert "refs/heads/main" in build["if"]
    assert "pull_request" in build["if"]
    assert set(build["needs"]) == {"lint", "test", "terraform"}
    chain = [
        "build",
        "terraform-staging",
        "deploy-staging",
        "terraform-production",
        "deploy-production",
    ]
    for before, after in itertools.pairwise(chain):
        assert jobs[after]["needs"] == before, f"{after} must wait for {before}"
    for env in ("staging", "production"):
        apply, deploy = jobs[f"terraform-{env}"], jobs[f"deploy-{env}"]
        assert apply["uses"] == "./.github/workflows/terraform.yml"
        assert deploy["uses"] == "./.github/workflows/deploy.yml"
        for job in (apply, deploy):
            assert job["with"] == {"environment": env, "image_tag": "${{ github.sha }}"}
            assert job["permissions"]["id-token"] == "write"


def test_deploy_workflow_uses_oidc_role():
    workflow = load(DEPLOY)
    assert "workflow_call" in triggers(workflow)
    assert workflow["permissions"]["id-token"] == "write"
    job = next(iter(workflow["jobs"].values()))
    assert job["environment"]["name"] == "${{ inputs.environment }}", (
        "OIDC subject must be the environment"
    )
    [credentials] = [
        s
        for s in job["steps"]
        if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
    ]
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert credentials["with"]["aws-region"]


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_no_long_lived_aws_keys(path: Path):
    text = path.read_text(encoding="utf-8")
    for forbidden in (
        "aws-access-key-id",
        "aws-secret-access-key",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ):
        assert forbidden not in text, f"{path.name} mentions {forbidden}"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_sha_with_its_version(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    remote = 0
    for key, value in walk(load(path)):
        if key != "uses" or str(value).startswith("./"):
            continue
        remote += 1
        assert SHA_PINNED.match(value), f"{path.name}: {value} is not pinned by a commit SHA"
        [line] = {line for line in lines if f"uses: {value}" in line}
        assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{path.name}: {value} lacks '# vX.Y.Z'"
    if path != ROLLBACK:
        assert remote, f"{path.name} uses no action?"


def test_dependabot_keeps_pinned_actions_and_the_base_image_current():
    config = load(REPO_ROOT / ".github" / "dependabot.yml")
    ecosystems = {entry["package-ecosystem"] for entry in config["updates"]}
    assert {"github-actions", "docker"} <= ecosystems


# --- deploy.yml -------------------------------------------------------------------------------


def test_production_deploys_only_from_main_before_anything_else():
    steps = deploy_steps()
    guard = steps[0]
    assert guard["if"] == "inputs.environment == 'production' && github.ref != 'refs/heads/main'"
    assert "exit 1" in guard["run"]


def _script_step(steps: list[dict], command: str) -> int:
    found = step_index(steps, lambda s: f"ecs_deploy.py {command}" in s.get("run", ""))
    assert len(found) == 1, f"expected one step running ecs_deploy.py {command}"
    return found[0]


def test_image_is_pushed_then_scanned_before_anything_runs_it():
    steps = deploy_steps()
    login = step_index(
        steps, lambda s: str(s.get("uses", "")).startswith("aws-actions/amazon-ecr-login@")
    )
    push = step_index(steps, lambda s: "docker push" in s.get("run", ""))
    scan = _script_step(steps, "scan-gate")
    deploy = _script_step(steps, "deploy")
    assert login[0] < push[0] < scan < deploy
    assert "if" not in steps[scan], "the scan gate runs for re-deployed images too"
    assert not any("update-service" in s.get("run", "") for s in steps), "only the script deploys"


def test_the_deploy_step_moves_every_service_and_bounds_the_migration():
    steps = deploy_steps()
    step = steps[_script_step(steps, "deploy")]
    env = step["env"]
    for name in ("WEB", "WORKER_TURNS", "WORKER_MESSAGES", "BEAT"):
        flag = name.lower().replace("_", "-")
        assert env[f"{name}_SERVICE"] == f"${{{{ vars.ECS_{name}_SERVICE }}}}"
        assert env[f"{name}_FAMILY"] == f"${{{{ vars.ECS_{name}_FAMILY }}}}"
        assert f'--{flag}-service "${name}_SERVICE"' in step["run"]
        assert f'--{flag}-family "${name}_FAMILY"' in step["run"]
    assert env["MIGRATE_TIMEOUT_S"] == "${{ vars.ECS_MIGRATE_TIMEOUT_S }}"
    assert '--migrate-timeout "$MIGRATE_TIMEOUT_S"' in step["run"]
    assert env["IMAGE"] == "${{ steps.image.outputs.image }}"
    # The job outlives every bound inside it: scan wait + migration (its timeout + start margin,
    # Terraform's default) + the services' rollout wait.
    module = script_module()
    wait = int(re.search(r"--wait-seconds (\d+)", step["run"]).group(1))
    scan = int(
        re.search(r"--wait-seconds (\d+)", steps[_script_step(steps, "scan-gate")]["run"]).group(1)
    )
    job = next(iter(load(DEPLOY)["jobs"].values()))
    migrate_default = _ecs_variable_default("migrate_timeout_seconds")
    assert (
        job["timeout-minutes"] * 60 > scan + migrate_default + module.MIGRATE_START_MARGIN_S + wait
    )


def _ecs_variable_default(name: str) -> Any:
    return variable_default("ecs", name)


def test_terraform_hands_the_migrate_bound_to_the_workflow():
    text = (REPO_ROOT / "terraform/outputs.tf").read_text()
    assert re.search(r"ECS_MIGRATE_TIMEOUT_S +=", text)
    assert "ECS_MIGRATE_TIMEOUT_S       = tostring(module.ecs.migrate_timeout_seconds)" in text
    ecs = (REPO_ROOT / "terraform/modules/ecs/main.tf").read_text()
    assert (
        '["timeout", tostring(var.migrate_timeout_seconds), "python", "manage.py", "migrate"' in ecs
    )
    lock = _ecs_variable_default("migrate_lock_timeout_ms")
    statement = _ecs_variable_default("migrate_statement_timeout_ms")
    assert 0 < lock <= 10_000, "a migration waits seconds for a lock, never minutes"
    assert lock < statement <= _ecs_variable_default("migrate_timeout_seconds") * 1000


def test_rollback_redeploys_every_service_through_the_deploy_workflow():
    workflow = load(ROLLBACK)
    assert "workflow_dispatch" in triggers(workflow)
    [job] = workflow["jobs"].values()
    assert job["uses"] == "./.github/workflows/deploy.yml"
    assert job["with"]["image_tag"] == "${{ inputs.image_tag }}"
    assert job["with"]["environment"] == "${{ inputs.environment }}"
    assert job["permissions"]["id-token"] == "write"


# --- terraform.yml ----------------------------------------------------------------------------


def test_terraform_plans_pull_requests_and_keeps_the_plan_as_an_artifact():
    workflow = load(TERRAFORM)
    on = triggers(workflow)
    assert "pull_request" in on
    assert "terraform/**" in on["pull_request"]["paths"]
    plan = workflow["jobs"]["plan"]
    assert "pull_request" in plan["if"]
    assert plan["strategy"]["matrix"]["environment"] == ["staging", "production"]
    steps = plan["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "-lockfile=readonly" in runs
    assert "-lock=false" in runs, "the read-only plan role cannot take the state lock"
    assert '-var-file="environments/$ENVIRONMENT.tfvars"' in runs
    assert "-out=tfplan" in runs
    [upload] = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert "terraform/tfplan" in upload["with"]["path"]
    [creds] = [s for s in steps if "configure-aws-credentials" in str(s.get("uses", ""))]
    assert "TF_PLAN_ROLE_ARN" in creds["with"]["role-to-assume"]


def test_terraform_applies_on_merge_inside_the_environment_with_the_apply_role():
    workflow = load(TERRAFORM)
    call = triggers(workflow)["workflow_call"]
    assert set(call["inputs"]) == {"environment", "image_tag"}
    apply = workflow["jobs"]["apply"]
    assert apply["environment"]["name"] == "${{ inputs.environment }}", "reviewers in production"
    runs = " ".join(s.get("run", "") for s in apply["steps"])
    assert '-var "image_tag=$IMAGE_TAG"' in runs
    assert "terraform -chdir=terraform apply tfplan" in runs
    [creds] = [s for s in apply["steps"] if "configure-aws-credentials" in str(s.get("uses", ""))]
    assert creds["with"]["role-to-assume"] == "${{ vars.TF_APPLY_ROLE_ARN }}"


def test_weekly_drift_detection_fails_on_pending_changes():
    workflow = load(TERRAFORM)
    assert triggers(workflow)["schedule"]
    plan = workflow["jobs"]["plan"]
    assert "schedule" in plan["if"]
    runs = " ".join(s.get("run", "") for s in plan["steps"])
    assert "-detailed-exitcode" in runs
    [drift] = [s for s in plan["steps"] if s.get("name") == "Drift"]
    assert drift["if"] == "github.event_name == 'schedule' && steps.plan.outputs.exitcode == '2'"
    assert "exit 1" in drift["run"]


def test_production_environment_rules_are_checked_weekly():
    job = load(TERRAFORM)["jobs"]["production-environment-rules"]
    assert "schedule" in job["if"]
    script = job["steps"][0]["run"]
    assert "environments/production" in script
    assert "required_reviewers" in script
    assert "deployment_branch_policy" in script
    assert '["main"]' in script


def test_the_provider_lock_file_is_committed_and_matches_the_constraints():
    lock = (REPO_ROOT / "terraform" / ".terraform.lock.hcl").read_text()
    providers = dict(
        re.findall(
            r'provider "registry.terraform.io/hashicorp/(\w+)" \{\n  version     = "([\d.]+)"', lock
        )
    )
    assert set(providers) == {"aws", "random"}
    assert providers["aws"].startswith("5.")
    versions = (REPO_ROOT / "terraform" / "versions.tf").read_text()
    for name in providers:
        constraint = re.search(
            rf'{name} = \{{\s*source\s*=\s*"hashicorp/{name}"\s*version\s*=\s*"([^"]+)"', versions
        )
        assert constraint, name
        assert f'constraints = "{constraint.group(1)}"' in lock
    # Linux runners verify the downloaded provider against these.
    assert lock.count('"zh:') >= 20
    assert lock.count('"h1:') >= 2


# --- the deploy script against a fake AWS ----------------------------------------------------


class FakeAws:
    """Answers the AWS CLI calls of ecs_deploy.py; ``rollout`` scripts each service's fate."""

    def __init__(self, *, rollout: dict[str, list[str]], migrate_exit: int | None = 0) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.rollout = {k: list(v) for k, v in rollout.items()}
        self.migrate_exit = migrate_exit
        self.registered: dict[str, int] = {}
        self.scan = {"imageScanStatus": {"status": "COMPLETE"}, "imageScanFindings": {}}
        self.deployed: dict[str, str] = {}

    def __call__(self, *args: str) -> Any:
        self.calls.append(args)
        verb = args[1]
        if verb == "describe-task-definition":
            family = args[args.index("--task-definition") + 1]
            # kavak-production-worker-turns runs its image in the container "worker".
            container = "worker" if "-worker-" in family else family.split("-")[-1]
            return {"taskDefinition": {
                "family": family, "taskDefinitionArn": f"arn:{family}:1", "status": "ACTIVE",
                "containerDefinitions": [{"name": container, "image": "old"},
                                         {"name": "sidecar", "image": "adot"}],
                "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"],
            }}  # fmt: skip
        if verb == "register-task-definition":
            import json

            definition = json.loads(args[args.index("--cli-input-json") + 1])
            family = definition["family"]
            self.registered[family] = self.registered.get(family, 1) + 1
            images = {c["name"]: c["image"] for c in definition["containerDefinitions"]}
            assert images["sidecar"] == "adot", "only the app container changes image"
            arn = f"arn:{family}:{self.registered[family]}"
            return {"taskDefinition": {"taskDefinitionArn": arn}}
        if verb == "run-task":
            return {"tasks": [{"taskArn": "arn:task/migrate-1"}], "failures": []}
        if verb == "describe-tasks":
            if self.migrate_exit is None:
                return {"tasks": [{"lastStatus": "RUNNING"}]}
            container = {"name": "migrate", "exitCode": self.migrate_exit}
            stopped = {"lastStatus": "STOPPED", "stoppedReason": "Essential container exited"}
            return {"tasks": [{**stopped, "containers": [container]}]}
        if verb == "stop-task":
            return {}
        if verb == "update-service":
            service = args[args.index("--service") + 1]
            self.deployed[service] = args[args.index("--task-definition") + 1]
            return {}
        if verb == "describe-services":
            names = args[args.index("--services") + 1 :]
            return {"services": [self._service(name) for name in names]}
        if verb == "describe-image-scan-findings":
            return self.scan
        raise AssertionError(f"unexpected call {args}")

    def _service(self, name: str) -> dict[str, Any]:
        ours = self.deployed[name]
        fate = self.rollout[name].pop(0) if len(self.rollout[name]) > 1 else self.rollout[name][0]
        old = {"taskDefinition": f"arn:old-{name}", "status": "ACTIVE", "rolloutState": "COMPLETED"}
        if fate == "rolled_back":  # the circuit breaker replaced our deployment with the old one
            primary = {
                "taskDefinition": f"arn:old-{name}",
                "status": "PRIMARY",
                "rolloutState": "IN_PROGRESS",
            }
            return {"serviceName": name, "deployments": [primary]}
        state = {"in_progress": "IN_PROGRESS", "completed": "COMPLETED", "failed": "FAILED"}[fate]
        reason = "ECS deployment circuit breaker: tasks failed to start."
        deployment = {"taskDefinition": ours, "status": "PRIMARY", "rolloutState": state}
        deployment["rolloutStateReason"] = reason
        return {"serviceName": name, "deployments": [deployment, old]}


SERVICES = ("web", "worker-turns", "worker-messages", "beat")
DEPLOY_ARGS = [
    "deploy", "--cluster", "kavak-production", "--image", "repo:abc",
    "--subnets", "subnet-1,subnet-2", "--security-group", "sg-1",
    "--migrate-family", "kavak-production-migrate", "--web-family", "kavak-production-web",
    "--worker-turns-family", "kavak-production-worker-turns",
    "--worker-messages-family", "kavak-production-worker-messages",
    "--beat-family", "kavak-production-beat",
    "--web-service", "web", "--worker-turns-service", "worker-turns",
    "--worker-messages-service", "worker-messages", "--beat-service", "beat",
    "--migrate-timeout", "900", "--wait-seconds", "60",
]  # fmt: skip


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    module = script_module()
    monkeypatch.setattr(module.time, "sleep", lambda _s: None)


def _run(
    aws: FakeAws, capsys: pytest.CaptureFixture[str], args: list[str] = DEPLOY_ARGS
) -> tuple[int, str]:
    module = sys.modules.get("ecs_deploy") or script_module()
    code = module.main(args, aws=aws)
    return code, capsys.readouterr().out


def test_script_succeeds_only_when_every_service_completes(no_sleep, capsys):
    aws = FakeAws(rollout={s: ["in_progress", "completed"] for s in SERVICES})
    code, out = _run(aws, capsys)
    assert code == 0, out
    assert "web, worker-turns, worker-messages and beat all run repo:abc" in out
    verbs = [c[1] for c in aws.calls]
    # Migration first, then every service updated before any wait: they move together.
    assert verbs.index("run-task") < verbs.index("update-service")
    updates = [c for c in aws.calls if c[1] == "update-service"]
    assert [c[c.index("--service") + 1] for c in updates] == [
        "worker-turns",
        "worker-messages",
        "beat",
        "web",
    ]
    assert verbs.index("describe-services") > max(
        i for i, v in enumerate(verbs) if v == "update-service"
    )
    assert all(arn.endswith(":2") for arn in aws.deployed.values()), "each got its new revision"


@pytest.mark.parametrize("fate", ["failed", "rolled_back"])
def test_script_fails_naming_the_service_the_circuit_breaker_rolled_back(no_sleep, capsys, fate):
    rollout = {s: ["completed"] for s in SERVICES} | {"worker-turns": [fate]}
    code, out = _run(FakeAws(rollout=rollout), capsys)
    assert code == 1
    [error] = [line for line in out.splitlines() if line.startswith("::error::")]
    assert "worker-turns (" in error
    assert "worker-messages (" not in error
    assert "web (" not in error
    assert "beat (" not in error


def test_script_fails_when_a_rollout_does_not_finish_in_time(no_sleep, capsys, monkeypatch):
    module = script_module()
    ticks = iter(range(0, 10_000, 30))
    monkeypatch.setattr(module.time, "monotonic", lambda: next(ticks))
    monkeypatch.setattr(module.time, "sleep", lambda _s: None)
    rollout = {s: ["completed"] for s in SERVICES} | {"web": ["in_progress"]}
    code, out = module.main(DEPLOY_ARGS, aws=FakeAws(rollout=rollout)), capsys.readouterr().out
    assert code == 1
    assert "web (not finished after 60 s)" in out


def test_a_failed_migration_updates_no_service(no_sleep, capsys):
    aws = FakeAws(rollout={s: ["completed"] for s in SERVICES}, migrate_exit=124)
    code, out = _run(aws, capsys)
    assert code == 1
    assert "migration failed (exit code 124" in out
    assert not [c for c in aws.calls if c[1] == "update-service"]


def test_a_migration_past_its_bound_is_stopped_and_updates_no_service(capsys):
    module = script_module()
    clock = iter(range(0, 100_000, 100))
    aws = FakeAws(rollout={}, migrate_exit=None)
    with pytest.raises(module.DeployError, match="still running after 1200 s"):
        module.run_migration(
            aws, cluster="c", task_definition="arn:m", subnets="s", security_group="g",
            timeout_s=900, sleep=lambda _s: None, clock=lambda: next(clock),
        )  # fmt: skip
    assert aws.calls[-1][1] == "stop-task"


def test_scan_gate_blocks_critical_findings_and_failed_scans(capsys):
    aws = FakeAws(rollout={})
    args = ["scan-gate", "--repository", "kavak-production", "--tag", "abc", "--wait-seconds", "5"]
    aws.scan = {"imageScanStatus": {"status": "COMPLETE"},
                "imageScanFindings": {"findingSeverityCounts": {"HIGH": 3}}}  # fmt: skip
    assert _run(aws, capsys, args)[0] == 0
    aws.scan["imageScanFindings"]["findingSeverityCounts"]["CRITICAL"] = 1
    code, out = _run(aws, capsys, args)
    assert code == 1
    assert "1 CRITICAL findings" in out
    aws.scan = {"imageScanStatus": {"status": "FAILED"}}
    assert _run(aws, capsys, args)[0] == 1
