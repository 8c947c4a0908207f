"""The dependency audit CI runs (issue 20, Hardening): `.ci/audit`, called by `make audit` and `.ci/run`, fails with a
clear message when a locked package has a known vulnerability, when an ignored one has no reason, and (when
AUDIT_REQUIRED=1) when the advisories cannot be read. pip-audit and uv are replaced here by small scripts, and PyPI's
advisory API by a local file, so that the script's own behaviour is what is tested, without the network."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
VULNERABILITY_TABLE = """Found 1 known vulnerability in 1 package
Name   Version ID                  Fix Versions Description
------ ------- ------------------- ------------ -----------
django 5.1.0   GHSA-aaaa-bbbb-cccc 5.1.4        SQL injection in a test fixture"""


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def audit(tmp_path):
    """Run `.ci/audit` with a fake pip-audit answering `exit_code` (its arguments written to `args.txt`)."""
    reachable = tmp_path / "pip.json"
    reachable.write_text("{}")
    fake_uv = executable(tmp_path / "uv", "#!/bin/sh\nprintf 'django==5.1.0\\ncelery==5.4.0\\n'\n")

    def run(*, exit_code=0, ignore_file="", probe=None, required=False):
        (tmp_path / "args.txt").unlink(missing_ok=True)
        fake_pip_audit = executable(
            tmp_path / "pip-audit",
            f'#!/bin/sh\necho "$@" > {tmp_path / "args.txt"}\n'
            + (f"cat <<'EOF'\n{VULNERABILITY_TABLE}\nEOF\n" if exit_code else "echo 'No known vulnerabilities found'\n")
            + f"exit {exit_code}\n",
        )
        ignores = tmp_path / "ignore.txt"
        ignores.write_text(ignore_file)
        env = {
            **os.environ,
            "UV": str(fake_uv),
            "PIP_AUDIT": str(fake_pip_audit),
            "AUDIT_IGNORE_FILE": str(ignores),
            "AUDIT_PROBE_URL": probe or reachable.as_uri(),
            "AUDIT_REQUIRED": "1" if required else "0",
        }
        result = subprocess.run(
            ["bash", str(ROOT / ".ci" / "audit")], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        args = (tmp_path / "args.txt").read_text() if (tmp_path / "args.txt").exists() else None
        return result, args

    return run


def test_a_known_vulnerability_fails_the_audit_with_the_table_and_what_to_do(audit):
    result, args = audit(exit_code=1)
    assert result.returncode == 1
    assert "GHSA-aaaa-bbbb-cccc" in result.stdout  # pip-audit's table, as it printed it
    assert "DEPENDENCY AUDIT FAILED: a locked dependency has a known vulnerability" in result.stderr
    assert "uv lock --upgrade-package NAME" in result.stderr
    assert ".ci/pip-audit-ignore.txt" not in args  # the ignore file named by the test was read instead
    assert "--strict" in args and "--requirement" in args


def test_no_vulnerability_passes_and_says_so(audit):
    result, args = audit(exit_code=0)
    assert result.returncode == 0, result.stderr
    assert "Auditing 2 pinned packages of uv.lock" in result.stdout
    assert "Dependency audit: no known vulnerability in uv.lock." in result.stdout
    assert "--ignore-vuln" not in args


def test_an_ignored_vulnerability_is_passed_to_pip_audit_only_with_its_reason(audit):
    result, args = audit(ignore_file="# comment\nGHSA-aaaa-bbbb-cccc  # Windows installer only; review 2027-01-01\n")
    assert result.returncode == 0, result.stderr
    assert "--ignore-vuln GHSA-aaaa-bbbb-cccc" in args
    result, args = audit(ignore_file="GHSA-aaaa-bbbb-cccc\n")
    assert result.returncode == 1
    assert "'GHSA-aaaa-bbbb-cccc' is ignored without a reason" in result.stderr
    assert args is None  # refused before any audit


def test_unreachable_advisories_say_the_audit_was_not_done_and_fail_when_required(audit):
    result, args = audit(probe="http://127.0.0.1:9/pypi/pip/24.0/json")
    assert result.returncode == 0
    assert "DEPENDENCY AUDIT NOT DONE" in result.stderr and "No package was checked" in result.stderr
    assert "no known vulnerability" not in result.stdout and args is None
    result, args = audit(probe="http://127.0.0.1:9/pypi/pip/24.0/json", required=True)
    assert result.returncode == 1
    assert "DEPENDENCY AUDIT FAILED: AUDIT_REQUIRED=1 and the advisory API is unreachable." in result.stderr


def test_ci_runs_the_audit():
    makefile = (ROOT / "Makefile").read_text()
    assert "\naudit: install\n\tUV=$(UV) bash .ci/audit\n" in makefile
    assert "\nmake audit\n" in (ROOT / ".ci" / "run").read_text()
