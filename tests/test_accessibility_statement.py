"""The accessibility statement of each portal follows the RGAA model, in French and English,
and lists the automated checks of the data file written from an e2e run (nothing else)."""

from __future__ import annotations

import html
import json
import re

import pytest

from e2e.audit import STATEMENT_DATA, page_of, summary
from e2e.helpers import AXE_TAGS

DATA = json.loads(STATEMENT_DATA.read_text())
SUPPORT = {"mss": "support-mss@espace.example.org",
           "espace-prive": "support-prive@espace.example.org"}


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("portal", ["mss", "espace-prive"])
async def test_the_statement_follows_the_rgaa_model(client, portal):
    french = (await client.get(f"/{portal}/accessibilite?lang=fr")).text
    words = text(french)
    assert "Déclaration d’accessibilité" in words or "Déclaration d'accessibilité" in words
    assert "est non conforme avec le RGAA 4.1" in words
    for heading in ("État de conformité", "Résultats des tests", "Contenus non accessibles",
                    "Dérogations pour charge disproportionnée", "Établissement de cette "
                    "déclaration", "Technologies utilisées", "Retour d'information et contact",
                    "Voies de recours"):
        assert heading in words, heading
    assert f'href="mailto:{SUPPORT[portal]}"' in french
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in french
    assert 'href="https://www.defenseurdesdroits.fr/carte-des-delegues"' in french
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in words
    english = text((await client.get(f"/{portal}/accessibilite?lang=en")).text)
    assert "is not compliant with the RGAA 4.1" in english and "Remedies" in english


@pytest.mark.parametrize("portal", ["mss", "espace-prive"])
async def test_the_statement_lists_the_checks_of_the_last_audit_and_only_those(client, portal):
    audit = DATA["portals"][portal]
    page = (await client.get(f"/{portal}/accessibilite?lang=en")).text
    listed = re.findall(r'<tr><th scope="row"><code>([^<]+)</code></th><td>(\d+)</td>'
                        r"<td>(\d+)</td><td>(\d+)</td></tr>", page)
    assert [(rule, int(p), int(f), int(c)) for rule, p, f, c in listed] == [
        (rule, n["passed"], n["failed"], n["to_check"]) for rule, n in audit["rules"].items()]
    words = text(page)
    applicable = [r for r, n in audit["rules"].items() if n["passed"] or n["failed"]]
    assert f"{audit['axe_rate']}% of the {len(applicable)} axe-core rules" in words
    assert f"({audit['states']} states of {len(audit['pages'])} pages" in words
    for tool in DATA["tools"].values():
        assert tool in words
    for checked in audit["pages"]:
        assert f"<li><code>{checked}</code></li>" in page
    assert DATA["axe_tags"] == AXE_TAGS  # the suite's own axe tags


def test_the_audit_sums_each_rule_over_the_states_and_rates_the_rules():
    lines = [
        {"portal": "mss", "page": "/mss/", "js": True, "lang": "fr", "axe": "4.10.3",
         "browser": "chromium 140", "passes": ["a", "b"], "violations": [], "incomplete": []},
        {"portal": "mss", "page": "/mss/register", "js": False, "lang": "en", "axe": "4.10.3",
         "browser": "chromium 140", "passes": ["a"], "violations": ["b"],
         "incomplete": ["c"]},
    ]
    vnu = {"checker": "vnu 1", "errors": [{"url": "http://x/mss/register"}],
           "accepted": [{"url": "http://x/espace-prive/", "reason": "why"}]}
    result = summary(lines, vnu, AXE_TAGS)
    mss = result["portals"]["mss"]
    assert mss["states"] == 2 and mss["pages"] == ["/mss/", "/mss/register"]
    assert mss["rules"] == {"a": {"passed": 2, "failed": 0, "to_check": 0},
                            "b": {"passed": 1, "failed": 1, "to_check": 0},
                            "c": {"passed": 0, "failed": 0, "to_check": 1}}
    assert mss["axe_rate"] == 50.0  # a passes everywhere, b fails once; c decides nothing
    assert mss["html"] == {"errors": 1, "accepted": []}
    assert result["tools"] == {"browser": "chromium 140", "axe-core": "4.10.3", "html": "vnu 1"}


def test_a_page_behind_a_link_token_is_one_page_whatever_the_token():
    """The statement lists a page once: a link's token is not part of its name."""
    base = "http://127.0.0.1:8000"
    assert page_of(base + "/mss/password/1Yi6T-k5r_5Xog3iZ") == ("mss", "/mss/password/…")
    assert page_of(base + "/mss/password/1Yi6T-k5r/renew") == ("mss", "/mss/password/…/renew")
    assert page_of(base + "/mss/password/done") == ("mss", "/mss/password/done")
    assert page_of(base + "/espace-prive/reset/x_y-z?lang=en") == ("espace-prive",
                                                                   "/espace-prive/reset/…")
    assert page_of(base + "/mss/account/password") == ("mss", "/mss/account/password")
    guide = "file:///tmp/pytest-of-root/pytest-119/popen-gw0/test_make_guides0/mss.fr.html"
    assert page_of(guide) == ("guides", "/mss.fr.html")  # not a portal named after /tmp
    for portal in ("mss", "espace-prive"):
        assert all(page == page_of(base + page)[1] for page in DATA["portals"][portal]["pages"])
