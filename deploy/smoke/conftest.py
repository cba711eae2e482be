"""The production smoke suite's fixtures: the topology of deploy/topology.py, up once for the
session, and Chromium trusting its throw-away certificate (pinned by its key, nothing else).

Started by ``make test-production`` (part of ``make test``; needs TEST_DATABASE_URL, which
``.ci/run`` sets): ``pytest deploy/smoke``.
"""

from __future__ import annotations

import os
import ssl

import pytest

from deploy.topology import HOST, SERVER_NAME, VENV, Topology
from e2e.helpers import CHROMIUM_ARGS


@pytest.fixture(scope="session")
def production():
    admin = os.environ.get("TEST_DATABASE_URL")
    if not admin:
        pytest.fail("the production smoke runs on PostgreSQL: set TEST_DATABASE_URL")
    if not (VENV / ".installed").exists():
        pytest.fail(f"no production virtualenv at {VENV}: run `make test-production`")
    topology = Topology(admin)
    topology.start()
    yield topology
    topology.stop()


@pytest.fixture(scope="session")
def base_url(production) -> str:
    return production.url


@pytest.fixture(scope="session")
def tls(production) -> ssl.SSLContext:
    """What a client that trusts only the test certificate verifies with."""
    return ssl.create_default_context(cafile=str(production.certificate))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, production) -> dict:
    """The plugin's launch options (--headed, --slowmo), with Debian's Chromium trusting the
    throw-away certificate."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [*CHROMIUM_ARGS,
                 f"--ignore-certificate-errors-spki-list={production.certificate_pin()}",
                 f"--host-resolver-rules=MAP {SERVER_NAME} {HOST}"],
    }
