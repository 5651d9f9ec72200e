#!/usr/bin/env python3
"""Deploy one image to one environment's ECS services, and tell the truth about the outcome.

Used by .github/workflows/deploy.yml (standard library + the AWS CLI of the runner):

  scan-gate   wait for ECR's scan of the image; fail on any CRITICAL finding (or a failed scan)
  deploy      register new revisions of every task definition with the image, run the migrate
              task (bounded by ECS_MIGRATE_TIMEOUT_S), then update both Celery workers
              (worker-turns, worker-messages), beat and web together
              and wait for each deployment's rolloutState: COMPLETED passes; FAILED (circuit
              breaker or a deployment alarm rolled it back), a deployment replaced by a rollback,
              or no end within the wait all fail, naming each service that did not move.

``aws ecs wait services-stable`` (what the stock deploy action waits for) also returns once a
rolled-back service is stable again on the *old* image: that is why this reads rolloutState.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Keys of describe-task-definition that register-task-definition accepts back.
REGISTER_KEYS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "runtimePlatform",
    "ephemeralStorage", "pidMode", "ipcMode", "proxyConfiguration", "inferenceAccelerators",
)  # fmt: skip
# Fargate may take a few minutes to pull the image and start the migrate task before the
# container's own `timeout` starts counting.
MIGRATE_START_MARGIN_S = 300
SERVICE_ORDER = ("worker-turns", "worker-messages", "beat", "web")
# The container that runs the image in each task definition (both workers' is "worker").
CONTAINERS = {"migrate": "migrate", "web": "web", "beat": "beat",
              "worker-turns": "worker", "worker-messages": "worker"}  # fmt: skip


class DeployError(Exception):
    pass


class AwsCli:
    """The runner's AWS CLI, JSON in and out (credentials come from the OIDC step)."""

    def __call__(self, *args: str) -> Any:
        result = subprocess.run(  # noqa: S603 - the runner's aws CLI, arguments from the workflow
            ["aws", *args, "--output", "json"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise DeployError(f"aws {' '.join(args[:2])} failed: {result.stderr.strip()[:500]}")
        return json.loads(result.stdout) if result.stdout.strip() else {}


Aws = Callable[..., Any]


def log(message: str) -> None:
    print(message, flush=True)  # noqa: T201 - the workflow log is the output


# --- ECR scan gate ------------------------------------------------------------------------------


def scan_gate(
    aws: Aws, *, repository: str, tag: str, wait_s: float, sleep: Callable[[float], None]
) -> dict[str, int]:
    """Severity counts of the image's scan; DeployError on CRITICAL findings or no scan result."""
    deadline = time.monotonic() + wait_s
    while True:
        found = aws(
            "ecr", "describe-image-scan-findings", "--repository-name", repository,
            "--image-id", f"imageTag={tag}",
        )  # fmt: skip
        status = (found.get("imageScanStatus") or {}).get("status", "")
        if status == "COMPLETE":
            counts = (found.get("imageScanFindings") or {}).get("findingSeverityCounts") or {}
            if counts.get("CRITICAL", 0):
                raise DeployError(
                    f"image {repository}:{tag} has {counts['CRITICAL']} CRITICAL findings: "
                    "not deployed (aws ecr describe-image-scan-findings for the list)"
                )
            return counts
        if status not in ("IN_PROGRESS", "PENDING", ""):
            raise DeployError(f"scan of {repository}:{tag} ended {status}: not deployed")
        if time.monotonic() > deadline:
            raise DeployError(f"scan of {repository}:{tag} not finished after {wait_s:.0f} s")
        sleep(10)


# --- task definitions ---------------------------------------------------------------------------


def register_with_image(aws: Aws, *, family: str, container: str, image: str) -> str:
    """Register a new revision of ``family`` whose ``container`` runs ``image``; its ARN."""
    current = aws("ecs", "describe-task-definition", "--task-definition", family)["taskDefinition"]
    definition = {key: current[key] for key in REGISTER_KEYS if key in current}
    names = [c["name"] for c in definition["containerDefinitions"]]
    if container not in names:
        raise DeployError(f"{family} has no container {container!r} (it has {names})")
    for item in definition["containerDefinitions"]:
        if item["name"] == container:
            item["image"] = image
    registered = aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(definition))
    return registered["taskDefinition"]["taskDefinitionArn"]


# --- migration ----------------------------------------------------------------------------------


def run_migration(
    aws: Aws,
    *,
    cluster: str,
    task_definition: str,
    subnets: str,
    security_group: str,
    timeout_s: int,
    sleep: Callable[[float], None],
    clock: Callable[[], float] | None = None,
) -> str:
    """Run the migrate task and wait for it, at most its own timeout plus the start margin."""
    started = aws(
        "ecs", "run-task", "--cluster", cluster, "--task-definition", task_definition,
        "--launch-type", "FARGATE", "--count", "1",
        "--network-configuration",
        f"awsvpcConfiguration={{subnets=[{subnets}],securityGroups=[{security_group}],"
        "assignPublicIp=DISABLED}",
    )  # fmt: skip
    if started.get("failures") or not started.get("tasks"):
        raise DeployError(f"the migrate task did not start: {started.get('failures')}")
    clock = clock or time.monotonic
    task_arn = started["tasks"][0]["taskArn"]
    log(f"migration task: {task_arn} (bound {timeout_s + MIGRATE_START_MARGIN_S} s)")
    deadline = clock() + timeout_s + MIGRATE_START_MARGIN_S
    while True:
        [task] = aws("ecs", "describe-tasks", "--cluster", cluster, "--tasks", task_arn)["tasks"]
        if task.get("lastStatus") == "STOPPED":
            break
        if clock() > deadline:
            aws("ecs", "stop-task", "--cluster", cluster, "--task", task_arn,
                "--reason", "migration exceeded its bound")  # fmt: skip
            raise DeployError(
                f"migration still running after {timeout_s + MIGRATE_START_MARGIN_S} s: stopped; "
                "services were not updated"
            )
        sleep(6)
    [migrate] = [c for c in task.get("containers", []) if c.get("name") == "migrate"] or [{}]
    code = migrate.get("exitCode")
    if code != 0:
        reason = task.get("stoppedReason", "")
        hint = " (124: the migrate timeout cut it)" if code == 124 else ""
        raise DeployError(
            f"migration failed (exit code {code}{hint}, {reason}); services were not updated"
        )
    return task_arn


# --- services -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    service: str
    ok: bool
    detail: str


def rollout_outcome(service: dict[str, Any], task_definition: str) -> Outcome | None:
    """What happened to the deployment of ``task_definition`` (None: still rolling out)."""
    name = service.get("serviceName", "?")
    deployments = service.get("deployments", [])
    ours = [d for d in deployments if d.get("taskDefinition") == task_definition]
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    if not ours:
        return Outcome(name, False, f"rolled back: running {primary.get('taskDefinition')}")
    deployment = ours[0]
    state = deployment.get("rolloutState")
    if state == "FAILED":
        return Outcome(name, False, f"FAILED: {deployment.get('rolloutStateReason', '')}")
    if deployment.get("status") != "PRIMARY":
        return Outcome(name, False, f"rolled back: running {primary.get('taskDefinition')}")
    if state == "COMPLETED":
        return Outcome(name, True, f"COMPLETED on {task_definition}")
    return None


def deploy_services(
    aws: Aws,
    *,
    cluster: str,
    targets: dict[str, tuple[str, str]],
    wait_s: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float] | None = None,
) -> list[Outcome]:
    """Update every service at once, then wait for each rollout; one outcome per service."""
    for key in SERVICE_ORDER:
        service, arn = targets[key]
        aws("ecs", "update-service", "--cluster", cluster, "--service", service,
            "--task-definition", arn)  # fmt: skip
        log(f"{key}: deploying {arn}")
    clock = clock or time.monotonic
    pending = dict(targets)
    outcomes: dict[str, Outcome] = {}
    deadline = clock() + wait_s
    while pending:
        names = [service for service, _ in pending.values()]
        described = aws("ecs", "describe-services", "--cluster", cluster, "--services", *names)
        by_name = {s["serviceName"]: s for s in described.get("services", [])}
        for key, (service, arn) in list(pending.items()):
            outcome = rollout_outcome(by_name.get(service, {"serviceName": service}), arn)
            if outcome is not None:
                outcomes[key] = outcome
                del pending[key]
                log(f"{key}: {outcome.detail}")
        if pending and clock() > deadline:
            for key, (service, _arn) in pending.items():
                outcomes[key] = Outcome(service, False, f"not finished after {wait_s:.0f} s")
            break
        if pending:
            sleep(15)
    return [outcomes[key] for key in SERVICE_ORDER if key in outcomes]


def deploy(
    aws: Aws, args: argparse.Namespace, sleep: Callable[[float], None] | None = None
) -> None:
    sleep = sleep or time.sleep
    families = {
        "migrate": args.migrate_family, "web": args.web_family,
        "worker-turns": args.worker_turns_family, "worker-messages": args.worker_messages_family,
        "beat": args.beat_family,
    }  # fmt: skip
    arns = {
        key: register_with_image(aws, family=family, container=CONTAINERS[key], image=args.image)
        for key, family in families.items()
    }
    run_migration(
        aws,
        cluster=args.cluster,
        task_definition=arns["migrate"],
        subnets=args.subnets,
        security_group=args.security_group,
        timeout_s=args.migrate_timeout,
        sleep=sleep,
    )
    services = {
        "web": args.web_service, "worker-turns": args.worker_turns_service,
        "worker-messages": args.worker_messages_service, "beat": args.beat_service,
    }  # fmt: skip
    outcomes = deploy_services(
        aws,
        cluster=args.cluster,
        targets={key: (services[key], arns[key]) for key in SERVICE_ORDER},
        wait_s=args.wait_seconds,
        sleep=sleep,
    )
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise DeployError(
            "not on the new image: " + "; ".join(f"{o.service} ({o.detail})" for o in failed)
        )
    log("web, worker-turns, worker-messages and beat all run " + args.image)


def main(argv: Sequence[str] | None = None, aws: Aws | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gate = sub.add_parser("scan-gate")
    gate.add_argument("--repository", required=True)
    gate.add_argument("--tag", required=True)
    gate.add_argument("--wait-seconds", type=float, default=600)
    run = sub.add_parser("deploy")
    for name in (
        "cluster",
        "image",
        "subnets",
        "security-group",
        "migrate-family",
        "web-family",
        "worker-turns-family",
        "worker-messages-family",
        "beat-family",
        "web-service",
        "worker-turns-service",
        "worker-messages-service",
        "beat-service",
    ):
        run.add_argument(f"--{name}", required=True)  # fmt: skip
    run.add_argument("--migrate-timeout", type=int, required=True)
    run.add_argument("--wait-seconds", type=float, default=900)
    args = parser.parse_args(argv)
    aws = aws or AwsCli()
    try:
        if args.command == "scan-gate":
            counts = scan_gate(
                aws, repository=args.repository, tag=args.tag, wait_s=args.wait_seconds,
                sleep=time.sleep,
            )  # fmt: skip
            log(f"scan: no CRITICAL finding ({counts or 'no findings'})")
        else:
            deploy(aws, args)
    except DeployError as exc:
        print(f"::error::{exc}", flush=True)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
