"""The deployment files say only true things: this machine cannot build or run a container,
so the image recipe is checked for what can be checked (the files it copies exist, the
commands it runs exist, the lock it installs pins every package with hashes), and the lock,
the env file and the systemd units against the code."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml

from web import cli
from web.root import ROOT

PRODUCTION_LOCK = ROOT / "requirements-production.lock"
DEV_ONLY = {"pytest", "playwright", "ruff", "hypothesis", "httpx", "aiosmtpd", "pytest-xdist"}


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def espace_commands() -> set[str]:
    names = {command.name or command.callback.__name__ for command in cli.app.registered_commands}
    return names | {group.name for group in cli.app.registered_groups}


def locked(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", path.read_text(), re.M))


def test_the_image_is_slim_and_runs_as_a_user():
    instructions = dockerfile()
    base = next(args for name, args in instructions if name == "FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base)
    users = [args for name, args in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    names = [name for name, _ in instructions]
    assert names.index("USER") < names.index("CMD")


def test_every_file_the_image_copies_exists():
    copied = [args.split()[:-1] for name, args in dockerfile() if name == "COPY"]
    assert copied
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not {source for sources in copied for source in sources} & set(ignored)


def test_the_image_installs_the_production_lock_with_hashes_only():
    runs = " ".join(args for name, args in dockerfile() if name == "RUN")
    assert "--require-hashes -r requirements-production.lock" in runs
    assert "requirements.lock" not in runs.replace("requirements-production.lock", "")


def test_the_image_runs_commands_that_exist():
    command = next(args for name, args in dockerfile() if name == "CMD")
    shell, flag, script = json.loads(command)  # the exec form: a JSON list
    assert (shell, flag) == ("sh", "-c")
    run = [shlex.split(part) for part in script.split("&&")]
    invoked = [words[words.index("espace") + 1] for words in run if "espace" in words]
    assert invoked == ["migrate", "serve"]
    assert set(invoked) <= espace_commands()
    assert "--host" in script and "--port" in script  # options `espace serve` has


def test_the_production_lock_pins_every_package_with_hashes():
    text = PRODUCTION_LOCK.read_text()
    requirements = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2].strip())
    assert len(requirements) > 20
    for requirement in requirements:
        assert re.match(r"^[a-z0-9._-]+==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", requirement), (
            requirement.splitlines()[0])


def test_the_production_lock_is_the_development_lock_less_the_tools():
    production, development = locked(PRODUCTION_LOCK), locked(ROOT / "requirements.lock")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    build = dict(r.split("==") for r in project["build-system"]["requires"])
    for name, version in production.items():
        assert development.get(name, build.get(name)) == version, name
    runtime = {re.split(r"[=\[]", r)[0] for r in project["project"]["dependencies"]}
    assert runtime <= set(production)
    assert not DEV_ONLY & set(production)


def test_compose_runs_the_image_with_postgresql():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    app, database = compose["services"]["app"], compose["services"]["postgres"]
    assert app["build"] == "." and "command" not in app  # the image's own CMD
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgres://")
    assert (ROOT / (app["env_file"] + ".example")).exists()  # copied by the operator
    assert all(port.startswith("127.0.0.1:") for port in app["ports"])
    assert database["image"].startswith("postgres:")
    gateway = compose["networks"]["espace"]["ipam"]["config"][0]["gateway"]
    assert app["environment"]["ESPACE_PROXY_ADDRESSES"] == gateway


def settings_read() -> set[str]:
    source = (ROOT / "web" / "settings.py").read_text()
    return set(re.findall(r'environ\.get\("([A-Z_]+)"', source))


def test_the_env_file_and_the_readme_name_every_setting():
    example = (ROOT / "deploy" / "espace.env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert len(settings_read()) >= 10
    for name in settings_read():
        assert re.search(rf"^#? ?{name}=", example, re.M), name
        assert f"`{name}`" in readme, name


def test_the_systemd_units_run_commands_that_exist():
    for unit in (ROOT / "deploy" / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=")):
                words = shlex.split(line.split("=", 1)[1])
                assert words[0] == "/opt/espace/venv/bin/espace", line
                assert words[1] in espace_commands(), line
