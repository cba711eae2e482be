"""Every component's contract (``<name>/<name>.yaml``, beside the macro, like GOV.UK Frontend's)
matches its macros, and every example of it renders into sound HTML.

A contract names each macro of ``<name>.html`` with its parameters (``required``, or the
``default`` the macro has) and examples; a macro taking a ``{% call %}`` body documents it
as ``caller``. An example gives ``params`` (only documented ones), and may give ``caller``
(the body's HTML) and ``context`` (what the macro reads from the page, imported with
context). Data a macro reads from Python objects is written as data:
``{wtforms: text|password|radio, name, label, required, data, errors, choices}`` is a bound
WTForms field, ``{request_url: "/path?query", partial: true}`` a Starlette request.

Sound HTML: tags closed in order, ids unique, every ``for``/``aria-*`` id reference present,
and every path in ``href``/``action``/``formaction``/``data-hx-*`` one the application
serves (the examples show URLs that exist).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from jinja2 import nodes
from starlette.requests import Request
from starlette.routing import Match
from wtforms import PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired

from web import i18n
from web.app import create_app
from web.forms import Form, FormData
from web.settings import Settings

HERE = Path(__file__).parent
COMPONENTS = sorted(p.name for p in HERE.iterdir() if (p / f"{p.name}.html").is_file())
FIELDS = {"text": StringField, "password": PasswordField, "radio": RadioField}
VOID = {"input", "br", "img", "meta", "link", "hr"}
ID_REFERENCES = ("for", "aria-describedby", "aria-labelledby", "aria-controls")
PATH_ATTRIBUTES = ("href", "action", "formaction", "data-hx-get", "data-hx-post")


def contract(name: str) -> dict:
    return yaml.safe_load((HERE / name / f"{name}.yaml").read_text("utf-8"))


def macros(env, name: str) -> dict[str, nodes.Macro]:
    source = env.loader.get_source(env, f"{name}/{name}.html")[0]
    return {m.name: m for m in env.parse(source).find_all(nodes.Macro)}


def signature(macro: nodes.Macro) -> dict:
    """Parameter → its default (``REQUIRED`` for none), as the macro declares them."""
    defaults = [REQUIRED] * (len(macro.args) - len(macro.defaults)) + [
        d.as_const() for d in macro.defaults
    ]
    return {arg.name: default for arg, default in zip(macro.args, defaults, strict=True)}


REQUIRED = object()


def takes_caller(macro: nodes.Macro) -> bool:
    return any(n.name == "caller" for n in macro.find_all(nodes.Name))


def examples():
    for name in COMPONENTS:
        for macro, spec in contract(name)["macros"].items():
            for example in spec.get("examples", []):
                yield pytest.param(name, macro, example, id=f"{name}.{macro}:{example['name']}")


def value(data):
    """Example data as the macro receives it."""
    if isinstance(data, dict) and "wtforms" in data:
        return wtforms_field(data)
    if isinstance(data, dict) and "request_url" in data:
        path, _sep, query = data["request_url"].partition("?")
        headers = [(b"host", b"testserver")]
        if data.get("partial"):
            headers.append((b"hx-request-type", b"partial"))
        return Request({"type": "http", "method": "GET", "scheme": "http", "path": path,
                        "query_string": query.encode(), "headers": headers})
    if isinstance(data, dict):
        return {k: value(v) for k, v in data.items()}
    if isinstance(data, list):
        return [value(v) for v in data]
    return data


def wtforms_field(spec: dict):
    options = {"validators": [InputRequired()] if spec.get("required") else []}
    if spec["wtforms"] == "radio":
        options["choices"] = [SelectChoice(*choice) for choice in spec["choices"]]
    form_class = type("Example", (Form,), {spec["name"]: FIELDS[spec["wtforms"]](spec["label"],
                                                                             **options)})
    field = form_class(FormData({spec["name"]: spec["data"]} if "data" in spec else {}))[
        spec["name"]
    ]
    field.errors = list(spec.get("errors", []))
    return field


class Structure(HTMLParser):
    """Tags closed in order, ids and id references, paths."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.references: list[str] = []
        self.paths: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.open.append(tag)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        for name in ID_REFERENCES:
            self.references += (attrs.get(name) or "").split()
        self.paths += [attrs[n] for n in PATH_ATTRIBUTES if (attrs.get(n) or "").startswith("/")]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(env="development"), init_db=False)


def served(routes, scope: dict) -> bool:
    """Whether a route (inside its mount) answers the scope's path, whatever the method."""
    for route in routes:
        match, child = route.matches(scope)
        if match != Match.NONE and (
            not hasattr(route, "routes") or served(route.routes, {**scope, **child})
        ):
            return True
    return False


def path_scope(path: str) -> dict:
    return {"type": "http", "method": "GET", "root_path": "",
            "path": path.split("?")[0].split("#")[0]}


@pytest.mark.parametrize("name", COMPONENTS)
def test_the_contract_documents_every_macro_and_parameter(env, name):
    documented = contract(name)["macros"]
    found = macros(env, name)
    assert set(documented) == set(found), "the contract's macros are the template's"
    for macro_name, macro in found.items():
        spec = documented[macro_name]
        params = spec.get("params") or {}
        assert set(params) == set(signature(macro)), f"{macro_name}: documented parameters"
        for param, default in signature(macro).items():
            described = params[param]
            assert described.get("description"), f"{macro_name}({param}) says what it is"
            if default is REQUIRED:
                assert described.get("required") is True, f"{macro_name}({param}) is required"
            else:
                assert described.get("default") == default, f"{macro_name}({param}) default"
        assert ("caller" in spec) == takes_caller(macro), f"{macro_name}: the call body"
        assert spec.get("examples"), f"{macro_name} has an example"


@pytest.mark.parametrize(("name", "macro", "example"), list(examples()))
def test_every_example_renders_sound_html(env, app, name, macro, example):
    spec = contract(name)["macros"][macro]
    assert set(example.get("params", {})) <= set(spec.get("params") or {}), "documented only"
    call = f"{macro}(**params)"
    body = (f"{{% call {call} %}}{example['caller']}{{% endcall %}}" if "caller" in example
            else f"{{{{ {call} }}}}")
    source = f'{{% from "{name}/{name}.html" import {macro} with context %}}{body}'
    context = value(example.get("context", {}))
    with i18n.use_language(example.get("lang", "fr")):
        html = env.from_string(source).render(params=value(example.get("params", {})), **context)
    assert html.strip(), "the example renders something"
    structure = Structure()
    structure.feed(html)
    structure.close()
    assert structure.problems == [] and structure.open == [], html
    assert len(structure.ids) == len(set(structure.ids)), f"ids are unique: {structure.ids}"
    assert set(structure.references) <= set(structure.ids), "every id reference is present"
    unknown = [p for p in structure.paths if not served(app.routes, path_scope(p))]
    assert unknown == [], "the paths exist"
