import os
import subprocess
import sys


def _resoc_unconfigured(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESOC_", "DJANGO_"))}
    env["RESOC_VAR_DIR"] = str(tmp_path)
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "resoc.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_resoc_without_a_secret_key_names_the_setting_without_a_traceback(tmp_path):
    done = _resoc_unconfigured(tmp_path, "check")
    assert done.returncode == 2
    assert "RESOC_SECRET_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_resoc_lists_its_commands_before_any_configuration(tmp_path):
    done = _resoc_unconfigured(tmp_path, "help", "--commands")
    assert done.returncode == 0, done.stderr
    commands = done.stdout.split()
    for name in ("demo", "import", "seed", "certificates", "report", "export", "backup"):
        assert name in commands
