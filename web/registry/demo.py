"""The demo registry, loaded by ``espace demo``: fictional members covering the hard cases.

Every person, organisation, address and number here is invented (emails use the example.*
domains reserved for documentation). Loading is idempotent: rows are upserted on (portal,
identifier) and only rewritten when their definition here changed. A few members already
have an active account whose password is ``DEMO_PASSWORD``, so log-in and reset can be
tried without registering first. The tests read ``demo_identities()``; one of them checks
that the README's table of demo identities agrees with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from stdnum import iban, luhn

from web.accounts.hashing import hash_password_sync, verify_password_sync
from web.accounts.models import Account
from web.clock import now
from web.portals.base import DEFAULT_PORTALS
from web.registry.importer import ImportResult, upsert_members
from web.registry.matching import normalize_email
from web.registry.models import Member

DEMO_PASSWORD = "ochre lantern fjord marmalade"  # noqa: S105 - documented, demo only


@dataclass(frozen=True)
class DemoMember:
    portal: str
    identifier: str
    last_name: str
    first_names: str
    birth_date: date
    email: str
    mobile: str
    address: str
    language: str
    facts: dict = field(hash=False)
    has_account: bool = False
    case: str = ""  # what this member is here to exercise

    def record(self) -> dict:
        """The Member fields, as the importer produces them."""
        return {
            "portal": self.portal,
            "identifier": self.identifier,
            "last_name": self.last_name,
            "first_names": self.first_names,
            "birth_date": self.birth_date,
            "email": self.email,
            "mobile": self.mobile,
            "address": self.address,
            "language": self.language,
            "facts": dict(self.facts),
        }

    @property
    def login(self) -> str:
        """What the member types to log in: the email on mss, the identifier elsewhere."""
        return normalize_email(self.email) if self.portal == "mss" else self.identifier


# --- valid numbers, computed rather than typed ----------------------------------------------


def nir13(sex: int, born: date, place: str, order: int) -> str:
    """A social security number without key: sex, year, month, then the 5-character place
    of birth (department + commune, 2A/2B in Corsica, 97xxx overseas, 99 + country abroad)."""
    return f"{sex}{born.year % 100:02d}{born.month:02d}{place}{order:03d}"


def french_iban(bank: str, branch: str, account: str) -> str:
    """A French IBAN (compact) with a right RIB key and right IBAN check digits."""
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    return "FR" + iban.calc_check_digits("FR00" + bban) + bban


def siret(siren_start: str, establishment: str) -> str:
    """A SIRET from the first 8 digits of the SIREN and 4 of the establishment number."""
    siren = siren_start + luhn.calc_check_digit(siren_start)
    return siren + establishment + luhn.calc_check_digit(siren + establishment)


def _mss(
    uid,
    first,
    last,
    born,
    email,
    mobile,
    address,
    language,
    employer,
    country,
    year,
    *,
    account=False,
    case="",
):
    facts = {"employer": employer, "duty_country": country, "entry_year": year}
    return DemoMember(
        "mss", uid, last, first, born, email, mobile, address, language, facts, account, case
    )


def _prive(
    identifier,
    first,
    last,
    born,
    email,
    mobile,
    address,
    language,
    profile,
    *,
    vitale=("", ""),
    iban_account="",
    account=False,
    case="",
):
    serial, kind = vitale
    facts = {
        "profile": profile,
        "health_affiliated": bool(serial),
        "vitale_serial": serial,
        "vitale_kind": kind,
        "iban": french_iban("99990", "00001", iban_account) if iban_account else "",
    }
    return DemoMember(
        "espace-prive",
        identifier,
        last,
        first,
        born,
        email,
        mobile,
        address,
        language,
        facts,
        account,
        case,
    )


D = date
MSS_MEMBERS = (
    _mss(
        "000123456",
        "Hélène",
        "Lefèvre-Dupont",
        D(1968, 4, 12),
        "helene.lefevre-dupont@example.org",
        "+33612345678",
        "4 chemin des Crêtes\n1207 Genève\nSuisse",
        "fr",
        "Agence bleue des océans",
        "KE",
        1995,
        account=True,
        case="accents and a hyphen, has an account",
    ),
    _mss(
        "001234567",
        "Aminata",
        "N'Diaye",
        D(1979, 11, 3),
        "aminata.ndiaye@example.com",
        "+221771234567",
        "Villa 12, cité des Almadies\nDakar\nSénégal",
        "fr",
        "Observatoire sahélien de l'eau",
        "SN",
        2004,
        case="apostrophe (type ndiaye)",
    ),
    _mss(
        "000004521",
        "Seán",
        "O'Connor",
        D(1955, 7, 30),
        "sean.oconnor@example.net",
        "+353851234567",
        "17 Harbour Road\nHowth\nIreland",
        "en",
        "Meridian Health Alliance",
        "CH",
        1981,
        account=True,
        case="apostrophe and accent, English, has an account",
    ),
    _mss(
        "000000042",
        "Jean-Baptiste Marie",
        "de La Tour d'Auvergne",
        D(1948, 2, 29),
        "jb.delatour@example.org",
        "",
        "2 place du Marché\n63000 Clermont-Ferrand",
        "fr",
        "Institut Atlas des sols",
        "IT",
        1972,
        case="compound first and last names, born on 29 February, many leading zeros",
    ),
    _mss(
        "000987654",
        "يوسف",
        "الحداد",
        D(1983, 9, 15),
        "youssef.alhaddad@example.org",
        "+96171123456",
        "Rue des Cèdres 8\nBeyrouth\nLiban",
        "en",
        "Cedar Housing Bureau",
        "LB",
        2010,
        case="Arabic script",
    ),
    _mss(
        "000555001",
        "芳",
        "王",
        D(1990, 1, 20),
        "wang.fang@example.com",
        "+8613812345678",
        "18 Lotus Lane\nChengdu\nChina",
        "en",
        "Lumen Education Trust",
        "CN",
        2015,
        case="Chinese script",
    ),
    _mss(
        "000000007",
        "Marguerite",
        "Vasseur",
        D(1931, 5, 17),
        "marguerite.vasseur@example.net",
        "",
        "11 allée des Tilleuls\n74000 Annecy",
        "fr",
        "Borealis Climate Office",
        "AT",
        1958,
        case="retiree born in 1931",
    ),
    _mss(
        "000310777",
        "Marcel",
        "Girard",
        D(1952, 10, 8),
        "",
        "",
        "9 rue du Four\n21000 Dijon",
        "fr",
        "Kestrel Food Programme",
        "IT",
        1979,
        case="no email (cannot register online: support)",
    ),
    _mss(
        "012345678",
        "Maria del Carmen Guadalupe Esperanza",
        "Fernández de Córdoba y Villaseñor-Altamirano",
        D(1974, 6, 25),
        "maria.fernandez-de-cordoba.villasenor-altamirano@example.org",
        "+56961234567",
        "Avenida Los Aromos 1450, departamento 32\nProvidencia, Santiago\nChile",
        "en",
        "Andean Development Partnership",
        "CL",
        2001,
        case="very long names and email",
    ),
    _mss(
        "000262974",
        "Marie-Josée",
        "Payet",
        D(1986, 12, 1),
        "Marie-Josee.Payet@example.com",
        "+262692123456",
        "23 rue des Flamboyants\n97400 Saint-Denis\nLa Réunion",
        "fr",
        "Agence bleue des océans",
        "MG",
        2012,
        case="Réunion mobile (+262), mixed-case email",
    ),
    _mss(
        "000590971",
        "Jocelyn",
        "Bellance",
        D(1970, 3, 9),
        "jocelyn.bellance@example.net",
        "+590690123456",
        "Résidence Les Alizés, bât. C\n97110 Pointe-à-Pitre\nGuadeloupe",
        "fr",
        "Caribbean Resilience Office",
        "HT",
        1998,
        case="Guadeloupe mobile (+590)",
    ),
    _mss(
        "000000101",
        "Ingrid",
        "Großmann",
        D(1963, 8, 14),
        "ingrid.grossmann@example.org",
        "+4915112345678",
        "Lindenstraße 5\n10115 Berlin\nDeutschland",
        "en",
        "Helix Labour Office",
        "CH",
        1990,
        case="ß (matches Grossmann)",
    ),
    _mss(
        "000450123",
        "Thị Minh Khai",
        "Nguyễn",
        D(1988, 2, 11),
        "minh.khai.nguyen@example.com",
        "+84912345678",
        "25 Hang Bac\nHanoi\nViet Nam",
        "en",
        "Lumen Education Trust",
        "TH",
        2013,
        case="stacked Vietnamese diacritics",
    ),
    _mss(
        "000777888",
        "Lucie",
        "D\u2019Alembert",
        D(1995, 10, 31),
        "lucie.dalembert@example.org",
        "+33756123456",
        "5 quai Rambaud\n69002 Lyon",
        "fr",
        "Meridian Health Alliance",
        "ET",
        2020,
        case="typographic apostrophe in the registry",
    ),
    _mss(
        "000314159",
        "Claire",
        "Dubois",
        D(1977, 5, 5),
        "claire.dubois@example.org",
        "+33698765432",
        "31 rue Paul Bert\n35000 Rennes",
        "fr",
        "Institut Atlas des sols",
        "FR",
        2003,
        case="plain name: the guide's happy path",
    ),
)

PRIVE_MEMBERS = (
    _prive(
        nir13(2, D(1985, 3, 14), "97411", 23),
        "Céline",
        "Hoarau",
        D(1985, 3, 14),
        "celine.hoarau@example.org",
        "+262692654321",
        "12 rue de Paris\n97400 Saint-Denis\nLa Réunion",
        "fr",
        "particulier",
        vitale=("802500002", "photo"),
        iban_account="00012345601",
        account=True,
        case="born in Réunion, Réunion mobile, has an account",
    ),
    _prive(
        nir13(1, D(1962, 8, 21), "2A004", 17),
        "Jean-Pierre",
        "Santoni",
        D(1962, 8, 21),
        "jp.santoni@example.net",
        "+33611223344",
        "Route de Campo dell'Oro\n20090 Ajaccio",
        "fr",
        "exploitant",
        vitale=("104725896", "no_photo"),
        iban_account="00023456702",
        case="Corsica 2A, card without photo",
    ),
    _prive(
        nir13(2, D(1974, 12, 2), "2B033", 5),
        "Marie-Ange",
        "Casanova-Luciani",
        D(1974, 12, 2),
        "marie-ange.casanova@example.com",
        "+33622334455",
        "Lieu-dit Pietranera\n20200 Bastia",
        "fr",
        "exploitant",
        vitale=("315846207", "photo"),
        iban_account="00034567803",
        case="Corsica 2B, hyphenated names",
    ),
    _prive(
        nir13(2, D(1931, 9, 23), "24322", 8),
        "Odette",
        "Marchand-Vial",
        D(1931, 9, 23),
        "odette.marchand@example.org",
        "",
        "Le Bourg\n24200 Sarlat-la-Canéda",
        "fr",
        "particulier",
        vitale=("198300415", "no_photo"),
        iban_account="00045678904",
        case="retiree born in 1931 (year 31 in the number)",
    ),
    _prive(
        nir13(1, D(1947, 1, 15), "33063", 112),
        "Marcel",
        "Lagrange",
        D(1947, 1, 15),
        "",
        "",
        "7 cours de l'Intendance\n33000 Bordeaux",
        "fr",
        "particulier",
        iban_account="00056789005",
        case="no email, no mobile: provisional password by post",
    ),
    _prive(
        nir13(2, D(1988, 5, 7), "99341", 12),
        "Aïssatou",
        "N'Diaye",
        D(1988, 5, 7),
        "aissatou.ndiaye@example.com",
        "+33755667788",
        "3 rue Lafayette\n44000 Nantes",
        "fr",
        "particulier",
        vitale=("427019638", "photo"),
        iban_account="00067890106",
        case="apostrophe and diaeresis, born abroad (99)",
    ),
    _prive(
        nir13(1, D(1993, 1, 27), "29019", 45),
        "Patrick",
        "O'Connor",
        D(1993, 1, 27),
        "patrick.oconnor@example.net",
        "+33644556677",
        "8 rue de Siam\n29200 Brest",
        "en",
        "employeur_jardinier",
        iban_account="00078901207",
        case="apostrophe, English, not health-affiliated",
    ),
    _prive(
        nir13(2, D(1979, 10, 30), "99350", 31),
        "ليلى",
        "بن صالح",
        D(1979, 10, 30),
        "leila.bensalah@example.org",
        "+33766778899",
        "14 boulevard Longchamp\n13001 Marseille",
        "fr",
        "particulier",
        vitale=("560381724", "no_photo"),
        iban_account="00089012308",
        case="Arabic script with a space in the last name",
    ),
    _prive(
        nir13(2, D(1992, 7, 4), "75113", 207),
        "美玲",
        "陈",
        D(1992, 7, 4),
        "chen.meiling@example.com",
        "+33677889900",
        "40 avenue d'Ivry\n75013 Paris",
        "en",
        "particulier",
        vitale=("691204835", "photo"),
        iban_account="00090123409",
        case="Chinese script",
    ),
    _prive(
        nir13(2, D(1969, 11, 11), "78646", 99),
        "Anne-Sophie Marie-Thérèse Éléonore",
        "de Montmorency-Laval de Saint-Exupéry-Villeneuve",
        D(1969, 11, 11),
        "anne-sophie.de-montmorency-laval.saint-exupery@example.org",
        "+33699001122",
        "Château de la Roche-Guyon, 1 allée des Marronniers\n78000 Versailles",
        "fr",
        "particulier",
        vitale=("734915062", "photo"),
        iban_account="00001234510",
        case="very long names and email",
    ),
    _prive(
        nir13(1, D(1975, 4, 18), "29232", 76),
        "Loïc",
        "Le Guennec",
        D(1975, 4, 18),
        "loic.leguennec@example.org",
        "+33688990011",
        "Kerlouan\n29890 Brignogan-Plages",
        "fr",
        "cotisant_solidarite",
        iban_account="00012345611",
        case="cotisant de solidarité: IBAN only",
    ),
    _prive(
        nir13(2, D(1958, 6, 30), "97120", 4),
        "Rose-Aimée",
        "Bellance",
        D(1958, 6, 30),
        "rose-aimee.bellance@example.net",
        "+590690987654",
        "Section Belle-Plaine\n97160 Le Moule\nGuadeloupe",
        "fr",
        "exploitant",
        vitale=("845026173", "no_photo"),
        iban_account="00023456712",
        case="born in Guadeloupe, Guadeloupe mobile",
    ),
    _prive(
        nir13(1, D(1980, 2, 14), "69123", 150),
        "Julien",
        "Moreau",
        D(1980, 2, 14),
        "julien.moreau@example.org",
        "+33612121212",
        "22 rue Mercière\n69002 Lyon",
        "en",
        "particulier",
        vitale=("956137284", "photo"),
        iban_account="00034567813",
        account=True,
        case="plain name, English, has an account",
    ),
    _prive(
        nir13(2, D(2000, 2, 29), "38185", 111),
        "Zoé",
        "Faure",
        D(2000, 2, 29),
        "zoe.faure@example.net",
        "+33645127890",
        "6 place Grenette\n38000 Grenoble",
        "fr",
        "particulier",
        vitale=("267248395", "photo"),
        iban_account="00045678914",
        case="born on 29 February 2000 (year 00)",
    ),
    _prive(
        nir13(1, D(2003, 9, 1), "59350", 222),
        "Théo",
        "Lambert",
        D(2003, 9, 1),
        "theo.lambert@example.com",
        "+33733445566",
        "10 rue Nationale\n59000 Lille",
        "fr",
        "particulier",
        case="no verification fact at all: password by post",
    ),
    _prive(
        siret("73282932", "0001"),
        "",
        "Domaine des Trois Vallées",
        D(2009, 5, 18),
        "domaine.troisvallees@example.com",
        "",
        "Route des Crêtes\n84110 Vaison-la-Romaine",
        "fr",
        "entreprise",
        iban_account="00056789015",
        case="company (SIRET), creation date as birth date",
    ),
    _prive(
        siret("51234567", "0012"),
        "",
        "Jardins de l'Anse Bertrand",
        D(2016, 10, 3),
        "jardins.anse-bertrand@example.net",
        "+590691234567",
        "Rue principale\n97121 Anse-Bertrand\nGuadeloupe",
        "fr",
        "entreprise",
        iban_account="00067890116",
        case="company (SIRET) with an apostrophe",
    ),
)

DEMO_MEMBERS = MSS_MEMBERS + PRIVE_MEMBERS


def demo_identities(portal: str | None = None) -> tuple[DemoMember, ...]:
    """The demo members (of one portal, or all)."""
    return tuple(m for m in DEMO_MEMBERS if portal in (None, m.portal))


@dataclass
class DemoResult:
    members: ImportResult
    accounts_created: int = 0
    accounts_updated: int = 0


async def _ensure_account(demo: DemoMember) -> str:
    """Give a demo member an active account with DEMO_PASSWORD; say what was done."""
    member = await Member.get(portal=demo.portal, identifier=demo.identifier)
    wanted = {
        "login": demo.login,
        "email": demo.email,
        "password_state": "active",
        "password_expires_at": None,
        "language": demo.language,
        "policy_version": DEFAULT_PORTALS[demo.portal].branding.policy_version,
    }
    account = await Account.get_or_none(portal=demo.portal, member=member)
    if account is None:
        moment = now()
        await Account.create(
            portal=demo.portal,
            member=member,
            **wanted,
            password_hash=hash_password_sync(DEMO_PASSWORD),
            policy_accepted_at=moment,
            password_changed_at=moment,
        )
        return "created"
    changed = [name for name, value in wanted.items() if getattr(account, name) != value]
    if not verify_password_sync(DEMO_PASSWORD, account.password_hash):
        account.password_hash = hash_password_sync(DEMO_PASSWORD)
        changed.append("password_hash")
    if not changed:
        return "unchanged"
    for name in changed:
        if name in wanted:
            setattr(account, name, wanted[name])
    await account.save(update_fields=changed)
    return "updated"


async def load_demo() -> DemoResult:
    """Upsert the demo members and their accounts (idempotent)."""
    result = DemoResult(members=await upsert_members(m.record() for m in DEMO_MEMBERS))
    for demo in DEMO_MEMBERS:
        if demo.has_account:
            outcome = await _ensure_account(demo)
            result.accounts_created += outcome == "created"
            result.accounts_updated += outcome == "updated"
    return result
