import os
import subprocess
import sys


def test_resoc_without_a_secret_key_names_the_setting_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESOC_", "DJANGO_"))}
    env["RESOC_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "resoc.manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "RESOC_SECRET_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr
