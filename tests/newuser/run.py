#!/usr/bin/env python3
"""The README's install steps, tried as a new user tries them, on a bare ``django-admin startproject``.

Run by ``.ci/run`` (and ``make newuser``) after ``make dist``. In a temporary folder it makes a fresh
virtualenv and a bare ``django-admin startproject``, then applies README.md's install steps verbatim:
each snippet is read from README.md, where a ``<!-- newuser: NAME -->`` comment marks it, never typed
again here. Shell snippets run line by line; Python snippets are appended to ``settings.py`` or
``urls.py``, as the README says to. The only changes made to them are the placeholders a reader fills
in: ``/path/to/django-connex-bridge`` (this checkout), ``PASSWORD`` (the one step 5 printed) and port
``8000`` (a free port, so a running ``make demo`` does not get in the way).

Then it serves the project with ``manage.py runserver`` and asks, with the README's own curl lines:
``authenticatetowebservice`` must answer ``"OK"`` and ``orders`` a JMAUser holding an order made in the
project. First with ``DEBUG = True`` (``startproject``'s default), then with ``DEBUG`` off, where plain
HTTP must be refused until the README's local-testing setting (``ALLOW_HTTP``) is added.

Any step that fails stops the run with the step, the command and its output, and exit status 1.
Standard library only; ``python3 tests/newuser/run.py [--keep] [--readme PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

#: ``<!-- newuser: NAME -->`` then a fenced block, both indented alike (a list item's blocks are).
SNIPPET = re.compile(r"^([ \t]*)<!-- newuser: ([\w-]+) -->\n\1```(\w+)\n(.*?)^\1```[ \t]*$", re.MULTILINE | re.DOTALL)

#: The snippets this script applies, in the README's order, with the language each must be in.
EXPECTED = {
    "install": "sh",
    "apps": "python",
    "urls": "python",
    "migrate": "sh",
    "credential": "sh",
    "caches": "python",
    "runserver": "sh",
    "curl": "sh",
    "allow-http": "python",
}

CHECKOUT_PLACEHOLDER = "/path/to/django-connex-bridge"
README_PORT = "8000"


class StepError(Exception):
    """A README step did not do what the README says."""


def snippets(text: str) -> dict[str, str]:
    """The marked snippets of the README, by name, dedented; StepError if one is missing, doubled or mistyped."""
    found: dict[str, str] = {}
    for indent, name, language, body in SNIPPET.findall(text):
        if name in found:
            raise StepError(f"README.md marks two snippets <!-- newuser: {name} -->")
        if EXPECTED.get(name) != language:
            raise StepError(f"README.md's snippet {name!r} is a {language!r} block; expected {EXPECTED.get(name)!r}")
        lines = body.splitlines()
        if any(line.strip() and not line.startswith(indent) for line in lines):
            raise StepError(f"README.md's snippet {name!r} is not indented like its marker")
        found[name] = "\n".join(line[len(indent) :] for line in lines) + "\n"
    missing = [name for name in EXPECTED if name not in found]
    if missing:
        raise StepError(f"README.md marks no snippet <!-- newuser: {missing[0]} --> (missing: {', '.join(missing)})")
    return found


STARTED = time.monotonic()


def step(title: str) -> None:
    print(f"\n--- [{time.monotonic() - STARTED:5.1f} s] {title}", flush=True)


class Project:
    """The temporary folder: the virtualenv, the startproject, the commands run in it."""

    def __init__(self, home: Path, python: str) -> None:
        self.home = home
        self.venv = home / "venv"
        self.site = home / "mysite"
        self.settings = self.site / "mysite" / "settings.py"
        self.urls = self.site / "mysite" / "urls.py"
        self.python = python
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")},
            "VIRTUAL_ENV": str(self.venv),
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        self.secrets: list[str] = []  # never echoed (the command lines are)

    def run(self, command: str, cwd: Path | None = None, check: bool = True, stdout_only: bool = False) -> str:
        """One shell line, as a reader types it (``python`` and ``pip`` are the virtualenv's); its output."""
        print(f"[{time.monotonic() - STARTED:5.1f} s] $ {self.redact(command)}", flush=True)
        done = subprocess.run(  # noqa: S602 - the README's own command lines, run as a reader would
            command,
            shell=True,
            cwd=cwd or self.site,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = done.stdout + done.stderr
        if check and done.returncode != 0:
            raise StepError(f"exit status {done.returncode} from {self.redact(command)}:\n{self.redact(output)}")
        return done.stdout if stdout_only else output

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "********")
        return text

    def shell_lines(self, snippet: str) -> list[str]:
        return [line for line in snippet.splitlines() if line.strip() and not line.lstrip().startswith("#")]

    def append(self, path: Path, snippet: str, what: str) -> None:
        print(f"+ appended to {path.relative_to(self.home)}: {what}", flush=True)
        with path.open("a") as file:
            file.write("\n\n" + snippet)


class Server:
    """``manage.py runserver``, started by the README's line on a free port, stopped with its reloader."""

    def __init__(self, project: Project, command: str) -> None:
        self.project = project
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.command = f"{command.strip()} 127.0.0.1:{self.port}"
        self.log = project.home / f"runserver-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        print(f"[{time.monotonic() - STARTED:5.1f} s] $ {self.command} &", flush=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S602 - the README's runserver line
                self.command,
                shell=True,
                cwd=self.project.site,
                env=self.project.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the reloader's child goes with it
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StepError(f"runserver exited with status {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise StepError(f"runserver did not listen on port {self.port} within 60 seconds:\n{self.log.read_text()}")

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def curl(self, snippet: str, password: str) -> list[str]:
        """The README's curl lines, against this server, with the password filled in: one output each."""
        lines = self.project.shell_lines(snippet)
        if not all(line.startswith("curl ") for line in lines):
            raise StepError(f"README.md's curl snippet holds a line that is not a curl command:\n{snippet}")
        outputs = []
        for line in lines:
            if "PASSWORD" not in line or f"127.0.0.1:{README_PORT}/" not in line:
                raise StepError(f"README.md's curl line lacks PASSWORD or http://127.0.0.1:{README_PORT}/: {line}")
            line = line.replace("PASSWORD", password).replace(f"127.0.0.1:{README_PORT}/", f"127.0.0.1:{self.port}/")
            outputs.append(self.project.run(line, stdout_only=True))  # curl's progress meter is on stderr
        return outputs


def expect_ok_and_the_order(outputs: list[str], number: str) -> None:
    pairing, orders = outputs
    if pairing.strip() != '"OK"':
        raise StepError(f'authenticatetowebservice answered {pairing!r}, not "OK"')
    try:
        answer = json.loads(orders)
    except ValueError:
        raise StepError(f"orders did not answer JSON: {orders[:2000]!r}") from None
    if not isinstance(answer, dict) or not all(isinstance(answer.get(key), list) for key in ("Orders", "Payments")):
        raise StepError(f"orders did not answer a JMAUser with its lists: {orders[:2000]!r}")
    numbers = [order.get("OrderNumber") for order in answer["Orders"]]
    if numbers != [number]:
        raise StepError(f"orders served {numbers}, not the one order made: {orders[:2000]!r}")
    print(f'  "OK", and orders served order {number} ({len(orders)} bytes of JSON)', flush=True)


#: An order in the built-in models, made the way a shop's checkout would (the README names no way yet).
MAKE_ORDER = textwrap.dedent(
    """\
    from decimal import Decimal
    from connex_bridge.models import Order
    order = Order.objects.create(number="1001", status="Processing", total=Decimal("21.40"),
                                 total_tax=Decimal("1.40"), payment_method="Visa")
    order.lines.create(sku="MUG-1", name="Mug", quantity=2, unit_price_excl_tax=Decimal("10.00"),
                       unit_price_incl_tax=Decimal("10.70"))
    """
)


def trial(project: Project, readme: dict[str, str]) -> None:
    step("a fresh virtualenv")
    project.run(f"{project.python} -m venv {project.venv}", cwd=project.home)

    step("README step 1: install")
    for line in project.shell_lines(readme["install"]):
        project.run(line.replace(CHECKOUT_PLACEHOLDER, str(ROOT)), cwd=project.home)
    installed = project.run(
        "python -c 'import connex_bridge, importlib.metadata as m; "
        'print(m.version("django-connex-bridge"), connex_bridge.__file__, m.version("Django"))\'',
        cwd=project.home,
    ).split()
    print(f"  django-connex-bridge {installed[0]} with Django {installed[-1]}", flush=True)
    version = re.search(r'__version__ = "([^"]+)"', (ROOT / "connex_bridge" / "__init__.py").read_text())
    if not version or installed[0] != version[1] or str(project.venv) not in installed[1]:
        raise StepError(
            f"step 1 did not install this checkout's version {version and version[1]} into the venv: {installed}"
        )

    step("a bare django-admin startproject")
    project.run("django-admin startproject mysite", cwd=project.home)

    step("README steps 2 and 3: the apps and the URLs")
    project.append(project.settings, readme["apps"], "INSTALLED_APPS")
    project.append(project.urls, readme["urls"], "the Connex URLs")

    step("README step 6: the shared cache (Redis on 127.0.0.1:6379)")
    project.append(project.settings, readme["caches"], "CACHES")

    step("README step 4: migrate")
    for line in project.shell_lines(readme["migrate"]):
        project.run(line)

    step("manage.py check passes; check --deploy warns that DEBUG lets plain HTTP in")
    checked = project.run("python manage.py check")
    if "System check identified no issues" not in checked:
        raise StepError(f"manage.py check reported issues:\n{checked}")
    deploy = project.run("python manage.py check --deploy", check=False)
    if "connex_bridge.W001" not in deploy or "connex_bridge.W002" in deploy:
        raise StepError(f"check --deploy should warn W001 (DEBUG on) and not W002 (Redis):\n{deploy}")

    step("README step 5: a credential")
    [line] = project.shell_lines(readme["credential"])
    created = project.run(line)
    username = re.search(r"User name: (\S+)", created)
    password = re.search(r"Password: +(\S+)", created)
    if not (username and password):
        raise StepError(f"step 5 printed no user name and password:\n{created}")
    project.secrets.append(password[1])
    if f"-u {username[1]}:PASSWORD " not in readme["curl"]:
        raise StepError(f"the curl lines do not use the user name step 5 created ({username[1]})")

    step("an order in the built-in models")
    (project.home / "make_order.py").write_text(MAKE_ORDER)
    project.run(f"python manage.py shell < {project.home / 'make_order.py'}")

    [runserver] = project.shell_lines(readme["runserver"])

    step("Try it locally: runserver with DEBUG on answers plain HTTP")
    with Server(project, runserver) as server:
        expect_ok_and_the_order(server.curl(readme["curl"], password[1]), "1001")

    step("with DEBUG off, plain HTTP is refused")
    project.append(project.settings, 'DEBUG = False\nALLOWED_HOSTS = ["127.0.0.1"]\n', "DEBUG off (not a README step)")
    with Server(project, runserver) as server:
        refused = server.curl(readme["curl"], password[1])[0]
    if "only over HTTPS" not in refused:
        raise StepError(f"with DEBUG off, plain HTTP was not refused: {refused!r}")
    print("  refused:", refused[:90], "…", flush=True)

    step("README's local-testing setting lets plain HTTP in with DEBUG off")
    project.append(project.settings, readme["allow-http"], "ALLOW_HTTP")
    if "connex_bridge.W001" not in project.run("python manage.py check"):
        raise StepError("manage.py check does not warn of ALLOW_HTTP with DEBUG off (connex_bridge.W001)")
    with Server(project, runserver) as server:
        expect_ok_and_the_order(server.curl(readme["curl"], password[1]), "1001")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder, and print where it is")
    parser.add_argument("--python", default=sys.executable, help="the Python the virtualenv is made from")
    parser.add_argument("--readme", type=Path, default=README, help="the README to follow (default: this checkout's)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="connex-newuser-"))
    try:
        readme = snippets(args.readme.read_text())
        trial(Project(home, args.python), readme)
    except StepError as failure:
        print(f"\nFAILED: the README's install steps, tried on a bare startproject:\n{failure}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"\nkept {home}")
        else:
            step(f"removing {home}")
            shutil.rmtree(home, ignore_errors=True)
    print(f"\nThe README's install steps work on a bare startproject ({time.monotonic() - STARTED:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
