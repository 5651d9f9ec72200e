"""Structural tests of the GitHub Actions workflows (issue 8).

Pull requests are linted and tested; pushes to main build the image, push it to
ECR, run the migration task and then update the ECS services, with AWS access
through an OIDC role only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
CI = WORKFLOWS_DIR / "ci.yml"
DEPLOY = WORKFLOWS_DIR / "deploy.yml"
ROLLBACK = WORKFLOWS_DIR / "rollback.yml"


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


def test_workflows_exist_and_parse():
    files = workflow_files()
    assert CI in files
    assert DEPLOY in files
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
    assert "terraform" in commands["terraform"]
    assert "validate" in commands["terraform"]
    for name in ("lint", "test", "terraform"):
        assert "if" not in jobs[name], f"{name} must run on pull requests too"


def test_deploys_happen_only_from_main_after_checks():
    jobs = load(CI)["jobs"]
    build = jobs["build"]
    assert "refs/heads/main" in build["if"]
    assert "pull_request" in build["if"]
    assert set(build["needs"]) == {"lint", "test", "terraform"}
    assert jobs["deploy-staging"]["needs"] == "build"
    assert jobs["deploy-production"]["needs"] == "deploy-staging"
    for name in ("deploy-staging", "deploy-production"):
        job = jobs[name]
        assert job["uses"] == "./.github/workflows/deploy.yml"
        assert job["permissions"]["id-token"] == "write", f"{name} must allow OIDC tokens"
    assert jobs["deploy-staging"]["with"]["environment"] == "staging"
    assert jobs["deploy-production"]["with"]["environment"] == "production"


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
    for key, value in walk(load(path)):
        if key == "uses" and str(value).startswith("aws-actions/configure-aws-credentials"):
            assert path == DEPLOY, (
                f"{path.name}: AWS credentials are configured only in deploy.yml (OIDC)"
            )


def test_image_is_pushed_to_ecr_before_anything_runs_it():
    steps = deploy_steps()
    login = step_index(
        steps, lambda s: str(s.get("uses", "")).startswith("aws-actions/amazon-ecr-login@")
    )
    push = step_index(steps, lambda s: "docker push" in s.get("run", ""))
    migrate = step_index(steps, lambda s: "aws ecs run-task" in s.get("run", ""))
    assert login
    assert push
    assert migrate
    assert login[0] < push[0] < migrate[0]


def test_migrations_run_before_the_services_are_updated():
    steps = deploy_steps()
    migrate = step_index(steps, lambda s: "aws ecs run-task" in s.get("run", ""))
    assert len(migrate) == 1
    migrate_step = steps[migrate[0]]
    # The step waits for the task and fails the job unless the container exited 0.
    assert "aws ecs wait tasks-stopped" in migrate_step["run"]
    assert "exitCode" in migrate_step["run"]
    assert "exit 1" in migrate_step["run"]
    assert "$TASK_DEFINITION" in migrate_step["run"]
    assert (
        migrate_step["env"]["TASK_DEFINITION"]
        == "${{ steps.register-migrate.outputs.task-definition-arn }}"
    )

    updates = step_index(
        steps,
        lambda s: (
            str(s.get("uses", "")).startswith("aws-actions/amazon-ecs-deploy-task-definition@")
            and "service" in s.get("with", {})
        ),
    )
    services = {steps[i]["with"]["service"] for i in updates}
    assert services == {
        "${{ vars.ECS_WEB_SERVICE }}",
        "${{ vars.ECS_WORKER_SERVICE }}",
        "${{ vars.ECS_BEAT_SERVICE }}",
    }
    assert all(i > migrate[0] for i in updates), "a service is updated before migrations ran"
    for i in updates:
        assert steps[i]["with"]["wait-for-service-stability"] is True
    # No other way of updating services sneaks in before the migration.
    early = steps[: migrate[0]]
    assert not any("update-service" in s.get("run", "") for s in early)


def test_migration_task_definition_carries_the_new_image():
    steps = deploy_steps()
    by_id = {s.get("id"): s for s in steps if s.get("id")}
    render = by_id["render-migrate"]
    assert render["uses"].startswith("aws-actions/amazon-ecs-render-task-definition@")
    assert render["with"]["container-name"] == "migrate"
    assert render["with"]["image"] == "${{ steps.image.outputs.image }}"
    register = by_id["register-migrate"]
    assert "service" not in register["with"], (
        "the migrate task definition is registered, not deployed"
    )


# --- Celery beat ----------------------------------------------------------------


def _service_updates(steps: list[dict]) -> dict[str, int]:
    """{service variable: step index} of the steps that deploy an ECS service."""
    return {
        step["with"]["service"]: i
        for i, step in enumerate(steps)
        if str(step.get("uses", "")).startswith("aws-actions/amazon-ecs-deploy-task-definition@")
        and "service" in step.get("with", {})
    }


def test_beat_is_deployed_with_the_new_image_next_to_the_worker():
    steps = deploy_steps()
    by_id = {s.get("id"): s for s in steps if s.get("id")}
    render = by_id["render-beat"]
    assert render["uses"].startswith("aws-actions/amazon-ecs-render-task-definition@")
    assert render["with"]["container-name"] == "beat"
    assert render["with"]["image"] == "${{ steps.image.outputs.image }}"
    fetched = "/tmp/${{ vars.ECS_BEAT_FAMILY }}.json"  # noqa: S108 - the runner's path, as in deploy.yml
    assert render["with"]["task-definition"] == fetched

    updates = _service_updates(steps)
    beat = updates["${{ vars.ECS_BEAT_SERVICE }}"]
    worker = updates["${{ vars.ECS_WORKER_SERVICE }}"]
    web = updates["${{ vars.ECS_WEB_SERVICE }}"]
    assert worker < beat < web, "beat is updated right after the worker, before web"
    step = steps[beat]
    assert step["with"]["task-definition"] == "${{ steps.render-beat.outputs.task-definition }}"
    assert step["with"]["cluster"] == "${{ vars.ECS_CLUSTER }}"
    assert step["with"]["wait-for-service-stability"] is True
    assert step["with"].get("force-new-deployment") is not True

    [fetch] = [s for s in steps if "describe-task-definition" in s.get("run", "")]
    assert fetch["env"]["BEAT_FAMILY"] == "${{ vars.ECS_BEAT_FAMILY }}"
    assert "$BEAT_FAMILY" in fetch["run"]
    # A missing variable stops the job before the migration or any service update.
    assert "exit 1" in fetch["run"]
    migrate = step_index(steps, lambda s: "aws ecs run-task" in s.get("run", ""))[0]
    assert steps.index(fetch) < migrate < beat


def test_rollback_redeploys_every_service_including_beat():
    workflow = load(ROLLBACK)
    assert "workflow_dispatch" in triggers(workflow)
    [job] = workflow["jobs"].values()
    # The rollback runs deploy.yml itself, so it updates exactly the services a
    # deploy updates (worker, beat, web) and cannot drift from it.
    assert job["uses"] == "./.github/workflows/deploy.yml"
    assert job["with"]["image_tag"] == "${{ inputs.image_tag }}"
    assert job["with"]["environment"] == "${{ inputs.environment }}"
    assert job["permissions"]["id-token"] == "write"
    assert "${{ vars.ECS_BEAT_SERVICE }}" in _service_updates(deploy_steps())
