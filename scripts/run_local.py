"""`make run`: migrate the embedded databases, start every process, load the sample district.

Every step reuses what a previous run left under var/, so running it again is safe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from partnerfund_shared.auth import generate_token

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
ADMIN_KEY_FILE = VAR / "admin-api-key"
LOG_FILE = VAR / "log" / "processes.log"
SMTP_PORT = int(os.environ.get("PARTNERFUND_SMTP_PORT", "8025"))
SERVICES = {
    "allocation_api": ("Allocation API", "ALLOCATION_", 8001),
    "catalog_api": ("Catalog API", "CATALOG_", 8002),
    "notifier": ("Notifier", "NOTIFIER_", 8003),
}


def python_module(module: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"'{module} {' '.join(args)}' failed; see the output above.")
    return result.stdout.strip()


def ensure_admin_key() -> tuple[str, bool]:
    """Create the all-scopes key on the first run and register it in every service."""
    if ADMIN_KEY_FILE.exists():
        return ADMIN_KEY_FILE.read_text().strip(), False
    token = generate_token()
    ADMIN_KEY_FILE.write_text(token + "\n")
    ADMIN_KEY_FILE.chmod(0o600)
    for module in SERVICES:
        python_module(
            module,
            "api-key",
            "create",
            "--name",
            "admin",
            "--all-scopes",
            "--token-file",
            str(ADMIN_KEY_FILE),
        )
    return token, True


def process_environment(token: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        {
            "ALLOCATION_CATALOG__API_KEY": token,
            "NOTIFIER_ALLOCATION__API_KEY": token,
            "NOTIFIER_CATALOG__API_KEY": token,
            "NOTIFIER_SMTP__HOST": "127.0.0.1",
            "NOTIFIER_SMTP__PORT": str(SMTP_PORT),
            "PARTNERFUND_API_KEY_FILE": str(ADMIN_KEY_FILE),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def wait_until_ready(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for module, (title, _prefix, port) in SERVICES.items():
        url = f"http://127.0.0.1:{port}/readyz"
        while True:
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{title} ({module}) did not become ready at {url}.")
            time.sleep(0.3)


def run_sample_cycle(env: dict[str, str]) -> bool:
    """Generate the sample district and run its cycle with publishing; False if unavailable."""
    try:
        import partnerfund_shared.cycle.cli  # noqa: F401
    except ImportError:
        return False
    python_module(
        "partnerfund_shared.cycle",
        "sample-district",
        "--out",
        "var/sample",
        "--seed",
        "2028",
        env=env,
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "partnerfund_shared.cycle",
            "cycle",
            "run",
            "var/sample/cycle.toml",
            "--publish",
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        print("The sample cycle stopped with an error; the services keep running.")
    return result.returncode == 0


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    # `kill` or a supervisor sends SIGTERM; treat it like Ctrl-C so the children stop too.
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGHUP, _stop_on_sigterm)
    VAR.mkdir(exist_ok=True)
    (VAR / "mail").mkdir(exist_ok=True)
    for module in SERVICES:
        python_module(module, "migrate")
    token, created = ensure_admin_key()
    env = process_environment(token)

    # The five processes log JSON lines; they go to a file so the cycle's steps stay readable.
    LOG_FILE.parent.mkdir(exist_ok=True)
    with LOG_FILE.open("ab") as log_output:
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", "Procfile"],
            cwd=ROOT,
            env=env,
            stdout=log_output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    print(f"Started the APIs, the worker and the mail sink; their logs go to {LOG_FILE}.", flush=True)
    try:
        try:
            wait_until_ready()
        except SystemExit:
            print(f"See {LOG_FILE} for the reason.")
            raise
        ran_cycle = run_sample_cycle(env)
        print_summary(token, created, ran_cycle)
        exit_code = honcho.wait()
        print(f"A process stopped (honcho exit code {exit_code}); see {LOG_FILE}.")
    except KeyboardInterrupt:
        pass
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGINT)
            try:
                honcho.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
        print("Stopped all processes.")


def print_summary(token: str, created: bool, ran_cycle: bool) -> None:
    lines = ["", "Partnership Fund platform is running:"]
    for _module, (title, _prefix, port) in SERVICES.items():
        lines.append(f"  {title:<15} http://127.0.0.1:{port}/docs")
    lines.append(f"  Mail sink       SMTP 127.0.0.1:{SMTP_PORT}, messages in {VAR / 'mail'}")
    state = "created now" if created else "from an earlier run"
    lines.append(f"  Admin API key   {token}  ({state}; stored in {ADMIN_KEY_FILE})")
    lines.append(f"  Process logs    {LOG_FILE}")
    if ran_cycle:
        lines.append("  Sample cycle    published; release messages are in var/mail/")
    lines.append("Press Ctrl-C to stop everything.")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
