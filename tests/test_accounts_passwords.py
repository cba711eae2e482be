"""The password policy (SPEC §5) and argon2id hashing off the event loop."""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import sys
import threading
import time
import unicodedata

import pytest
import zxcvbn.feedback
from zxcvbn.adjacency_graphs import ADJACENCY_GRAPHS

from web import i18n
from web.accounts import hashing
from web.accounts.keyboards import AZERTY, slanted_graph
from web.accounts.passwords import (
    COMMON_PASSWORDS,
    MAX_LENGTH,
    MIN_LENGTH,
    ZXCVBN_MESSAGES,
    check_password,
    live_feedback,
    password_requirements,
    personal_words,
)
from web.branding import DEFAULT_PORTALS

GOOD = "gravel lantern orbit quince"  # 27 characters, four unrelated words
VARIANT = "This password is a common password with a few changes: attackers try these changes too."
MSS = DEFAULT_PORTALS["mss"]


def words(**kwargs):
    defaults = dict(
        identifier="000123456",
        last_name="N'Diaye-Lefèvre",
        first_names="Jean-Pierre",
        email="jp.ndiaye@example.org",
    )
    return personal_words(MSS, **{**defaults, **kwargs})


async def reasons(password, **kwargs):
    with i18n.use_language(kwargs.pop("lang", "en")):
        return await check_password(password, **kwargs)


async def test_a_good_password_is_accepted():
    assert await reasons(GOOD, confirmation=GOOD, personal=words()) == []


@pytest.mark.parametrize("length", [MIN_LENGTH - 1, MIN_LENGTH])
async def test_fifteen_characters_boundary(length):
    password = "zq7vk3mw9rx2pt8ybn4"[:length]
    found = await reasons(password)
    if length < MIN_LENGTH:
        assert found == [f"Your password must have at least 15 characters (it has {length})."]
    else:
        assert not any("at least" in reason for reason in found)


async def test_length_counts_code_points_after_nfkc():
    # 15 "é" typed as e + combining accent: 30 code points, 15 once composed → too short? no:
    # 15 is enough. 14 of them are not.
    decomposed = "e\u0301"
    assert len(unicodedata.normalize("NFKC", decomposed * 14)) == 14
    assert "at least 15" in (await reasons(decomposed * 14))[0]
    assert not any("at least" in r for r in await reasons("x" + decomposed * 14))
    # An emoji with a skin tone is two code points; seven of them and a letter are 15.
    thumbs = "\U0001f44d\U0001f3fd"
    assert "it has 14" in (await reasons(thumbs * 7))[0]
    assert not any("at least" in r for r in await reasons(thumbs * 7 + "q"))
    # A compatibility character expands under NFKC: "ﬃ" is 3 letters.
    assert not any("at least" in r for r in await reasons("\ufb03" * 5))


async def test_long_passwords_are_accepted_and_never_truncated():
    long_128 = (GOOD + " ") * 4 + "zephyr kiln marrow!"
    assert len(long_128) >= 128
    assert await reasons(long_128) == []
    word_soup = " ".join(f"{w}{i}" for i, w in enumerate(["amber", "flint", "noodle"] * 80))
    password_1024 = (word_soup * 2)[:MAX_LENGTH]
    assert len(password_1024) == 1024
    assert await reasons(password_1024) == []
    hashed = await hashing.hash_password(password_1024)
    assert await hashing.verify_password(password_1024, hashed)
    assert not await hashing.verify_password(password_1024[:-1], hashed)


async def test_1025_characters_are_refused_with_a_message():
    password = ("orbit quince lantern " * 60)[: MAX_LENGTH + 1]
    found = await reasons(password)
    assert "Your password must have at most 1024 characters (it has 1025)." in found
    french = await reasons(password, lang="fr")
    assert "au plus 1024 caractères" in french[0]


def test_the_common_list_is_zxcvbn_s_and_big_enough():
    assert len(COMMON_PASSWORDS) >= 10_000


@pytest.mark.parametrize("password", ["1qaz2wsx3edc4rfv", "PasswordStandard", "QWERTYUIOP12345"])
async def test_common_passwords_from_the_list_are_refused(password):
    assert password.lower() in COMMON_PASSWORDS
    found = await reasons(password)
    assert found == ["This password is too common: it is one of the first that attackers try."]
    assert "trop courant" in (await reasons(password, lang="fr"))[0]


@pytest.mark.parametrize(
    "password",
    [
        "Password1234567!",  # digits and a symbol after a top-10 password
        "Motdepasse2024!!!",
        "Bonjour123456789!",
        "soleil2024soleil",  # twice, a year between
        "P@ssw0rd2024!!!!",
        "Mot de passe 2024 !!!",  # spaces inside
        "Soleeeeil 2024 !!!!",  # a letter held down
        "MotDePasse-MotDePasse",
        "drowssap1234567!",  # reversed
        "iloveyou iloveyou",
    ],
)
async def test_common_passwords_dressed_up_are_refused(password):
    assert password.casefold() not in COMMON_PASSWORDS
    assert await reasons(password) == [VARIANT]
    assert await reasons(password, lang="fr") == [
        "Ce mot de passe est un mot de passe courant à peine modifié : les attaquants "
        "essaient aussi ces modifications."
    ]


@pytest.mark.parametrize(
    "password",
    [
        "azertyuiopqsdfghj",  # the two top letter rows (longer ones are in the breached list)
        "qsdfghjklmazerty",
        "wxcvbn,;:!qsdfghjklm",
        "poiuytrezamlkjhg",  # backwards
        "&é\"'(-è_çà)=azer",  # the digit row, unshifted
    ],
)
async def test_azerty_keyboard_walks_are_refused(password):
    found = await reasons(password)
    assert len(found) == 1 and found[0].startswith("This password is too easy to guess.")
    assert "Straight rows of keys are easy to guess." in found[0]
    french = await reasons(password, lang="fr")
    assert "Les rangées de touches sont faciles à deviner." in french[0]


@pytest.mark.parametrize(
    "password",
    [
        "lantern quartz meadow violin 93",  # three of the words are in the common list
        "saffron tundra pebble violin",
        "trois petits chats gris",
        "le chat de ma grand-mère",
        "zq7vk3mw9rx2pt8ybn4",
    ],
)
async def test_passphrases_and_random_passwords_stay_accepted(password):
    assert await reasons(password) == []


def test_the_azerty_graph_is_drawn_like_zxcvbn_s():
    qwerty = r"""
`~ 1! 2@ 3# 4$ 5% 6^ 7& 8* 9( 0) -_ =+
    qQ wW eE rR tT yY uU iI oO pP [{ ]} \|
     aA sS dD fF gG hH jJ kK lL ;: '"
      zZ xX cC vV bB nN mM ,< .> /?
"""
    assert slanted_graph(qwerty) == ADJACENCY_GRAPHS["qwerty"]
    # left, above left, above right, right, below right, below left
    assert AZERTY["m"] == ["lL", "pP", "^¨", "ù%", "!§", ":/"]
    assert AZERTY["a"] == [None, "&1", "é2", "zZ", "qQ", None]
    assert AZERTY["w"] == AZERTY["W"] == ["<>", "qQ", "sS", "xX", None, None]
    with pytest.raises(ValueError):
        slanted_graph("\n aA zZ\n")


@pytest.mark.parametrize("password", ["x" + "!" * 60_000 + "a", "a!" * 30_000])
async def test_a_huge_hostile_password_is_judged_at_once(password):
    started = time.process_time()  # CPU, every thread: what a busy machine does not change
    found = await reasons(password)
    assert found[0] == f"Your password must have at most 1024 characters (it has {len(password)})."
    assert time.process_time() - started < 0.5


async def test_short_common_password_gives_both_reasons():
    found = await reasons("password")
    assert len(found) == 2 and "at least 15" in found[0] and "too common" in found[1]


async def test_guessable_password_is_refused_with_translated_advice():
    found = await reasons("bbbbbbbbbbbbbbbbbbb")  # sixteen "a"s are in the breached list
    assert found[0].startswith("This password is too easy to guess.")
    assert 'Repeats like "aaa" are easy to guess.' in found[0]
    french = await reasons("bbbbbbbbbbbbbbbbbbb", lang="fr")
    assert french[0].startswith("Ce mot de passe est trop facile à deviner.")
    assert "« aaa »" in french[0] and "Repeats" not in french[0]


def test_every_zxcvbn_message_is_translated():
    source = inspect.getsource(zxcvbn.feedback)
    messages = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "_"
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(messages) >= 25
    assert messages == set(ZXCVBN_MESSAGES)
    with i18n.use_language("fr"):
        untranslated = [m for m, lazy in ZXCVBN_MESSAGES.items() if str(lazy) == m]
    assert untranslated == []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("mon numéro est 000123456 ok", "must not contain your identifier"),
        ("jeanpierre aime la montagne", "must not contain your name"),
        ("JEAN-PIERRE aime la montagne", "must not contain your name"),
        ("l'été de monsieur ndiaye", "must not contain your name"),
        ("Lefevre est mon nom de famille", "must not contain your name"),
        ("mail jp.ndiaye@example.org !", "must not contain your email address"),
        ("bonjour JP.NDIAYE toujours", "must not contain your email address"),
        ("espace client pour toujours", "must not contain the name of this service"),
        ("member self-service forever", "must not contain the name of this service"),
    ],
)
async def test_personal_information_is_refused(password, reason):
    found = await reasons(password, personal=words())
    assert any(reason in r for r in found), found


async def test_short_name_parts_are_not_looked_for():
    # "Li" is too short to be looked for: "lime" is fine.
    assert await reasons("lime orbit quince lantern", personal=words(last_name="Li")) == []


async def test_non_latin_names():
    personal = words(last_name="王", first_names="小明伟", email="")
    found = await reasons("我的名字是小明伟先生你好吗朋友", personal=personal)
    assert any("your name" in r for r in found)
    arabic = words(last_name="العربي", first_names="")
    assert any("your name" in r for r in await reasons("كلمة السر العربي طويلة", personal=arabic))


async def test_confirmation_must_match():
    assert await reasons(GOOD, confirmation=GOOD + "x") == ["The two passwords are not the same."]
    # The same password typed in another Unicode form matches.
    composed, decomposed = "café " + GOOD, "cafe\u0301 " + GOOD
    assert await reasons(composed, confirmation=decomposed) == []
    assert await reasons(GOOD, confirmation="", lang="fr") == [
        "Les deux mots de passe ne sont pas identiques."
    ]


@pytest.mark.parametrize(
    "password",
    ["", "\x00" * 20, "<script>alert(1)</script>", "' OR 1=1 --", "\u202e" * 30, "🙂" * 2000],
)
async def test_hostile_input_gets_reasons_not_errors(password):
    found = await reasons(password, confirmation="x")
    assert found and all(isinstance(r, str) and r for r in found)


async def test_requirements_are_listed_in_both_languages():
    with i18n.use_language("en"):
        rules = password_requirements()
    assert rules[0] == "At least 15 characters (up to 1024)."
    with i18n.use_language("fr"):
        assert password_requirements()[0] == "Au moins 15 caractères (jusqu'à 1024)."


async def test_live_feedback_checklist():
    with i18n.use_language("en"):
        empty = await live_feedback("")
        short = await live_feedback("abc")
        mine = await live_feedback("jean-pierre likes long walks", personal=words())
        good = await live_feedback(GOOD, personal=words())
    assert [c.met for c in empty] == [None, None, None]
    assert short[0].met is False and short[0].text == "3 characters of at least 15."
    assert short[1].met is None  # not judged on a password that is too short
    assert [c.met for c in mine] == [True, True, False]
    assert mine[2].text == "Your password must not contain your name."
    assert [c.met for c in good] == [True, True, True]
    with i18n.use_language("en"):
        dressed_up = await live_feedback("Soleil2024!!")
    assert dressed_up[0].met is False
    assert (dressed_up[1].met, dressed_up[1].text) == (False, VARIANT)  # judged though short


@pytest.mark.production_hashing
async def test_hashing_does_not_block_the_event_loop():
    ticks = 0
    stop = asyncio.Event()

    async def ticker():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    hashes = await asyncio.gather(*(hashing.hash_password(f"{GOOD} {i}") for i in range(4)))
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    assert all(h.startswith("$argon2id$") for h in hashes)
    # The ticker kept running while the hashes ran (a blocked loop gives it at most one tick
    # between two hashes). Not a ratio of the ideal count: the machine may be busy.
    assert ticks >= 4, (ticks, elapsed)
    assert "m=19456,t=2,p=1" in hashes[0]


async def test_hash_and_verify_normalise_unicode():
    hashed = await hashing.hash_password("café " + GOOD)
    assert await hashing.verify_password("cafe\u0301 " + GOOD, hashed)
    assert not await hashing.verify_password("cafe " + GOOD, hashed)


def test_hashing_leaves_a_core_to_the_pages():
    assert [hashing.hashing_threads(n) for n in (None, 1, 2, 8)] == [1, 1, 1, 7]
    assert hashing.HASHING_THREADS == hashing.hashing_threads(os.cpu_count())


async def test_hashing_threads_yield_the_cpu_to_the_pages():
    """The scheduler gives the event loop's thread the core first: a page waits for no hash.
    (Linux keeps a nice value per thread; elsewhere it is the process's, left alone.)"""

    def niceness():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    page = niceness()
    lowered = min(19, page + hashing.NICENESS) if sys.platform == "linux" else page
    assert await hashing._in_thread(niceness) == lowered
    assert niceness() == page


async def test_hashes_beyond_the_threads_queue():
    running = most = 0
    lock = threading.Lock()

    def work():
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return True

    threads = hashing.HASHING_THREADS
    assert all(await asyncio.gather(*(hashing._in_thread(work) for _ in range(threads + 3))))
    assert most == threads
