"""Item 1 of issue 15: `pulumi install && pulumi preview` on a fresh clone imports and runs the program.

`pulumi install` with Pulumi.yaml's `toolchain: uv` runs `uv sync` in the project with
`UV_PROJECT_ENVIRONMENT=<project>/<virtualenv>` (pulumi/pulumi sdk/python/toolchain/uv.go). The language
host then runs the program with that venv's python through `pulumi-language-python-exec`, which calls
`runpy.run_path("__main__.py")` from the project directory: nothing is added to sys.path, so the program's
own packages (`residency_kit`, `residency_policies`) import only because `uv sync` installed the kit itself.
"""

from __future__ import annotations

import yaml

from cli_environments import REPO, clean_env, copy_checkout, run_program_like_the_language_host, uv


def _pulumi_install(project_dir, *extra):
    """What `pulumi install` runs for this project (plus --offline: the packages come from uv's cache)."""
    options = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["runtime"]["options"]
    assert options["toolchain"] == "uv"
    venv = project_dir / options["virtualenv"]
    uv("sync", "--offline", *extra, cwd=project_dir, env=clean_env(UV_PROJECT_ENVIRONMENT=str(venv)))
    return venv


def test_pulumi_install_then_the_language_host_runs_the_program(fresh_clone):
    lock_before = (fresh_clone / "uv.lock").read_text()
    venv = _pulumi_install(fresh_clone)
    assert (fresh_clone / "uv.lock").read_text() == lock_before, "pulumi install must not re-lock"
    for stack in ("us-prod", "dev"):
        run = run_program_like_the_language_host(venv / "bin" / "python", fresh_clone, stack)
        assert run["ok"], run["error"]
        # Imported from the clone (the editable install), not from this repository or from sys.path tricks.
        # (residency_policies once the kit imports its shared parsing modules from the pack's package.)
        imported = {name: path for name, path in run["modules"].items() if path is not None}
        assert "residency_kit" in imported and all(p.startswith(str(fresh_clone)) for p in imported.values()), imported
        assert not any(p in (str(fresh_clone), ".", "") for p in run["sys_path"]), run["sys_path"]
        types = set(run["types"])
        assert {"residency:oci:IsolatedTenancy", "residency:oci:NetworkBoundary", "oci:Core/vcn:Vcn",
                "oci:ObjectStorage/bucket:Bucket", "pulumi:providers:oci"} <= types
        assert ("pulumi:providers:aws" in types) == (stack == "us-prod")  # only us-prod has the AWS copy


def test_without_the_kit_installed_the_program_fails_to_import(tmp_path):
    """The control: what the pip toolchain built (requirements.txt only) fails exactly as the issue says."""
    clone = copy_checkout(tmp_path / "residency-kit")
    venv = _pulumi_install(clone, "--no-install-project")
    run = run_program_like_the_language_host(venv / "bin" / "python", clone, "dev")
    assert not run["ok"]
    assert run["error"] == "ModuleNotFoundError: No module named 'residency_kit'"


def test_make_setup_and_pulumi_install_build_the_same_environment():
    """`make setup` ran `uv sync --locked` into .venv; `uv sync --check` says pulumi install would change nothing."""
    done = uv("sync", "--locked", "--check", "--offline", cwd=REPO, env=clean_env(UV_PROJECT_ENVIRONMENT=str(REPO / ".venv")),
              check=False)
    assert done.returncode == 0, done.stdout + done.stderr
