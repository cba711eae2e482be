"""Route names reversed: paths remembered, absolute links for mail and letters.

The tokens below are path parameters of link routes, not passwords."""

from __future__ import annotations

import pytest
from starlette.routing import NoMatchFound

from web.app import create_app
from web.settings import Settings
from web.urls import Links


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(env="development"), init_db=False)


def test_a_name_without_parameters_is_reversed_once(app):
    first = app.url_path_for("mss:register")
    assert first == "/mss/register"
    assert app.url_path_for("mss:register") is first
    assert app.url_path_for("espace-prive:register") == "/espace-prive/register"


def test_parameters_and_unknown_names_are_reversed_each_time(app):
    assert app.url_path_for("mss:reset", token="abc") == "/mss/reset/abc"  # noqa: S106
    assert app.url_path_for("mss:reset", token="def") == "/mss/reset/def"  # noqa: S106
    with pytest.raises(NoMatchFound):
        app.url_path_for("mss:nowhere")
    with pytest.raises(NoMatchFound):
        app.url_path_for("mss:nowhere")


def test_links_are_the_base_url_and_the_reversed_path(app):
    links = Links("https://espace.example.org/", app)
    assert links("espace-prive:login") == "https://espace.example.org/espace-prive/login"
    link = links("mss:set_password", token="t0k")  # noqa: S106
    assert link == "https://espace.example.org/mss/password/t0k"


def test_the_application_state_is_read_as_plain_attributes(app, monkeypatch):
    """What is set on the state is an attribute of its own (no ``__getattr__`` to read it),
    and still Starlette's State: set, replaced and deleted in both."""
    settings = app.state.settings
    assert vars(app.state)["settings"] is settings is app.state._state["settings"]
    monkeypatch.setattr(app.state, "settings", "other")
    assert app.state.settings == "other" == app.state._state["settings"]
    monkeypatch.undo()
    assert app.state.settings is settings
    monkeypatch.delattr(app.state, "settings")
    assert "settings" not in vars(app.state) and "settings" not in app.state._state
    with pytest.raises(AttributeError):
        app.state.settings  # noqa: B018
    monkeypatch.undo()
    assert app.state.settings is settings
