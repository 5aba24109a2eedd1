"""The GitHub Actions workflows: valid against the workflow schema, offline, and wired up
as the README says (CI runs `.ci/run`; Pages deploys `_build/html` from the book's branch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

needs_checker = pytest.mark.skipif(
    not CHECK_JSONSCHEMA.exists(),
    reason=f"check-jsonschema is not installed next to {sys.executable} "
    "(pip install -r requirements.txt)",
)


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def check_jsonschema(*files: Path) -> subprocess.CompletedProcess:
    """Validate with the schema vendored in check-jsonschema. The proxies point nowhere, so
    the check fails rather than passes if it ever tries to download anything."""
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead}
    env |= {"http_proxy": dead, "https_proxy": dead, "NO_PROXY": "", "no_proxy": ""}
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--no-cache", "--builtin-schema", "vendor.github-workflows"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def load(name: str) -> dict:
    """A workflow as a dict. YAML 1.1 reads the key `on` as True: put it back as "on"."""
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def test_both_workflows_exist():
    names = {f.name for f in workflow_files()}
    assert {"ci.yml", "pages.yml"} <= names


@needs_checker
@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_workflow_matches_github_schema(path: Path):
    result = check_jsonschema(path)
    assert result.returncode == 0, f"{path.name}:\n{result.stdout}\n{result.stderr}"


@needs_checker
def test_schema_check_rejects_a_broken_workflow(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    name: no runs-on, no steps\n")
    result = check_jsonschema(broken)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "runs-on" in result.stdout + result.stderr


def test_ci_runs_on_push_and_pull_request_and_calls_ci_run():
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    runs = [step.get("run", "") for step in steps(ci)]
    assert any("bash .ci/run" in run for run in runs), runs
    (job,) = ci["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    assert job["env"]["CI"] == "true"
    assert job["env"]["PIP_EXTRA_INDEX_URL"] == CPU_INDEX
    assert "concurrency" in ci and job["timeout-minutes"] == 60


def test_pages_permissions_artifact_and_deploy():
    pages = load("pages.yml")
    assert pages["permissions"]["pages"] == "write"
    assert pages["permissions"]["id-token"] == "write"
    assert "workflow_dispatch" in pages["on"]
    assert pages["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    assert any("make book" in step.get("run", "") for step in build["steps"])
    assert build["env"]["PIP_EXTRA_INDEX_URL"] == CPU_INDEX
    (upload,) = [s for s in build["steps"] if uses(s) == "actions/upload-pages-artifact"]
    assert upload["with"]["path"] == "_build/html"
    assert any(uses(s) == "actions/configure-pages" for s in build["steps"])

    assert deploy["needs"] in ("build", ["build"])
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = [s for s in deploy["steps"] if uses(s) == "actions/deploy-pages"]
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


def test_pages_branch_is_the_books_branch():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    branch = config["repository"]["branch"]
    assert load("pages.yml")["on"]["push"]["branches"] == [branch]
