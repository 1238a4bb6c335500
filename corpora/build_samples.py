"""Build KếtNối's fictional sample suppliers and labelled buyer queries.

    python corpora/build_samples.py

writes, next to this file and byte-identically on every run (fixed seed,
standard library only):

* ``sample_suppliers.jsonl``  fictional supplier profiles (``"sample": true``)
* ``buyer_queries.jsonl``     labelled buyer queries (vi / vi_nodiac / en)
* ``buyer_qrels.tsv``         graded relevance derived from structured fields

All companies, tax codes and certificates are invented.  Phrase banks live in
``_phrases.py``; see ``README.md`` in this folder for the data dictionary.
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _phrases as P  # noqa: E402

SEED = 20261101
N_SUPPLIERS = 3000
REF_DATE = "2026-11-01"  # certificates must be valid on this date to count
SUPPLIERS_FILE = HERE / "sample_suppliers.jsonl"
QUERIES_FILE = HERE / "buyer_queries.jsonl"
QRELS_FILE = HERE / "buyer_qrels.tsv"


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------
def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def wchoice(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def cap1(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def join_vi(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " và " + items[-1]


def join_en(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def fmt_int(n: int, lang: str) -> str:
    s = f"{n:,}"
    return s.replace(",", ".") if lang == "vi" else s


def round_sig(n: float, sig: int = 2) -> int:
    if n <= 0:
        return 0
    digits = len(str(int(n)))
    factor = 10 ** max(digits - sig, 0)
    return max(int(round(n / factor)) * factor, 1)


def rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def tax_code(rng: random.Random, used: set[str]) -> str:
    """10-digit enterprise code with the standard check digit.

    Prefix 0399 (HCMC province code 03 followed by a serial block far above
    the codes issued so far) so the fictional codes are unlikely to belong
    to a real enterprise.
    """
    weights = [31, 29, 23, 19, 17, 13, 7, 5, 3]
    while True:
        digits = [0, 3, 9, 9] + [rng.randint(0, 9) for _ in range(5)]
        check = 10 - sum(w * d for w, d in zip(weights, digits)) % 11
        if check > 9:
            continue
        code = "".join(map(str, digits)) + str(check)
        if code not in used:
            used.add(code)
            return code


# --------------------------------------------------------------------------
# supplier structured fields
# --------------------------------------------------------------------------
def size_class(employees: int, revenue: float | None) -> str:
    """Decree 80/2021/ND-CP, industry and construction.

    A firm is in the smallest class whose employee limit it meets and whose
    revenue limit it meets (the alternative capital criterion is not stored;
    an unknown revenue is treated as meeting it).
    """
    for name, max_emp, max_rev in (("micro", 10, 3), ("small", 100, 50), ("medium", 200, 200)):
        if employees <= max_emp and (revenue is None or revenue <= max_rev):
            return name
    return "large"


def pick_processes(rng: random.Random, sector: str) -> list[str]:
    primary = wchoice(rng, P.SECTORS[sector]["proc"])
    procs = [primary]
    if rng.random() < 0.38:
        procs.append(rng.choice([p for p in P.CO_PROCESSES[primary] if p not in procs]))
        if rng.random() < 0.28:
            extra = [p for p in P.CO_PROCESSES[procs[-1]] if p not in procs]
            if extra:
                procs.append(rng.choice(extra))
    return procs


def pick_employees(rng: random.Random, ownership: str) -> int:
    target = wchoice(
        rng,
        {"micro": 12, "small": 52, "medium": 22, "large": 14}
        if ownership == "domestic"
        else {"small": 25, "medium": 35, "large": 40},
    )
    lo, hi = {"micro": (3, 10), "small": (11, 100), "medium": (101, 200), "large": (201, 2500)}[
        target
    ]
    if target == "large":
        return int(round(lo * (hi / lo) ** rng.random()))
    return rng.randint(lo, hi)


def pick_revenue(rng: random.Random, employees: int, ownership: str) -> float | None:
    if rng.random() < 0.15:
        return None
    if employees <= 10:
        per_head = rng.uniform(0.08, 0.4)
    elif ownership == "domestic":
        per_head = rng.uniform(0.12, 0.75)
    else:
        per_head = rng.uniform(0.4, 2.2)
    return round(employees * per_head, 1)


def pick_certs(rng: random.Random, sector: str, ownership: str, employees: int) -> list[dict]:
    boost = 1.0 + (0.35 if ownership != "domestic" else 0) + (0.3 if employees > 200 else 0)
    if employees <= 10:
        boost = 0.25
    certs = []
    for name, prob in P.CERT_PROB[sector].items():
        if rng.random() < min(prob * boost, 0.95):
            if rng.random() < 0.2:  # lapsed or lapsing before the reference date
                until = rand_date(rng, date(2023, 6, 1), date(2026, 10, 31))
            else:
                until = rand_date(rng, date(2026, 11, 1), date(2029, 10, 31))
            certs.append(
                {
                    "name": name,
                    "issuer": rng.choice(P.CERT_ISSUERS),
                    "valid_until": until.isoformat(),
                }
            )
    return certs


def pick_location(rng: random.Random, ownership: str) -> dict:
    in_park = rng.random() < (0.95 if ownership != "domestic" else 0.74)
    if in_park:
        park = wchoice(rng, P.PARK_WEIGHTS)
        return {"park": park, "ward": rng.choice(P.PARKS[park])}
    return {"park": None, "ward": rng.choice(P.OUTSIDE_WARDS)}


def pick_exports(rng: random.Random, ownership: str) -> list[str]:
    if rng.random() > (0.85 if ownership != "domestic" else 0.5):
        return []
    k = rng.choice([1, 1, 2, 2, 3, 4])
    out: list[str] = []
    while len(out) < k:
        c = rng.choices(P.COUNTRIES, weights=P.COUNTRY_WEIGHTS)[0]
        if c not in out:
            out.append(c)
    return out


def brand_name(rng: random.Random, used: set[str]) -> str:
    tries = 0
    while True:
        b = (rng.choice(P.BRAND_A) + rng.choice(P.BRAND_B) + rng.choice(P.BRAND_C)).capitalize()
        tries += 1
        if tries > 200:  # the syllable combinations run out past a few thousand firms
            b = f"{b} {len(used) + 1}"
        if b not in used:
            used.add(b)
            return b


def company_name(
    rng: random.Random,
    brand: str,
    sector: str,
    proc: str,
    ownership: str,
    lang: str,
    employees: int,
) -> str:
    s = P.SECTORS[sector]
    if lang == "en":
        word = rng.choice(P.PROC_NAME_EN.get(proc) or s["name_en"])
        if ownership == "fdi":
            return f"{brand} {word} Vietnam Co., Ltd."
        if ownership == "joint_venture":
            return f"{brand} {word} Joint Venture Co., Ltd."
        return f"{brand} {word} {rng.choice(['Co., Ltd.', 'JSC', 'Manufacturing Co., Ltd.'])}"
    word = rng.choice(P.PROC_NAME_VI.get(proc) or s["name_vi"])
    if ownership == "fdi":
        return f"Công ty TNHH {word} {brand} Việt Nam"
    if ownership == "joint_venture":
        return f"Công ty TNHH Liên doanh {word} {brand}"
    legal = rng.choice(P.LEGAL_VI_MICRO if employees <= 10 else P.LEGAL_VI)
    return f"{legal} {word} {brand}"


def machines_for(rng: random.Random, procs: list[str], lang: str, employees: int) -> list[str]:
    scale = (
        0.35 if employees <= 10 else 0.6 if employees <= 60 else 1.0 if employees <= 200 else 1.8
    )
    out = []
    for proc in procs:
        banks = P.PROCESSES[proc]["mach"]
        for vi_name, en_name, brands, lo, hi, unit_vi, unit_en in rng.sample(
            banks, min(len(banks), rng.choice([1, 1, 2]))
        ):
            n = max(1, int(round(rng.randint(lo, hi) * scale)))
            makers = rng.sample(brands, min(len(brands), rng.choice([1, 1, 2])))
            generic = [m for m in makers if m in P.MAKER_EN]
            makers = generic[:1] or makers
            if lang == "en":
                makers = [P.MAKER_EN.get(m, m) for m in makers]
            brand = " / ".join(makers)
            spec = ""
            if unit_vi:
                a = rng.choice([10, 25, 40, 60, 80, 100, 120, 160])
                b = a * rng.choice([2, 3, 4, 5])
                spec = (unit_vi if lang == "vi" else unit_en).format(a=a, b=b)
            if lang == "vi":
                text = f"{n} {vi_name} {brand}" + (f" {spec}" if spec else "")
            else:
                plural = (
                    en_name
                    if n == 1
                    else en_name + ("es" if en_name.endswith(("sh", "ch", "x")) else "s")
                )
                text = f"{n} {brand} {plural}" + (f" ({spec})" if spec else "")
            out.append(text.replace("tự chế tạo", "tự chế tạo trong nước"))
    return out


def capacity_text(rng: random.Random, proc: str, lang: str, employees: int) -> str:
    lo, hi, unit_vi, unit_en = P.PROCESSES[proc]["cap"]
    frac = min(1.0, (employees / 400) ** 0.7 * rng.uniform(0.6, 1.2))
    val = round_sig(max(lo * min(1.0, employees / 40), hi * frac))
    return f"{fmt_int(val, lang)} {unit_vi if lang == 'vi' else unit_en}"


# --------------------------------------------------------------------------
# free-text descriptions
# --------------------------------------------------------------------------
def mat_text(m: str, lang: str) -> str:
    return P.MAT_VI.get(m, m) if lang == "vi" else m


class Describer:
    """Composes one description from the independent phrase banks."""

    def __init__(self, rng: random.Random, sup: dict, brand: str):
        self.rng = rng
        self.s = sup
        self.brand = brand
        self.lang = sup["language"]
        vi = self.lang == "vi"
        self.j = join_vi if vi else join_en
        self.sfx = "vi" if vi else "en"

    # -- slot fillers ------------------------------------------------------
    def pn(self, proc: str) -> str:
        return self.rng.choice(P.PROCESSES[proc][self.sfx])

    def prods(self, proc: str) -> str:
        bank = P.PROCESSES[proc]["prod_" + self.sfx]
        return self.j(self.rng.sample(bank, min(len(bank), self.rng.randint(2, 4))))

    def mats(self, proc: str) -> str:
        mats = [m for m in self.s["materials"] if m in P.PROCESSES[proc]["mat"]] or self.s[
            "materials"
        ]
        k = min(len(mats), self.rng.randint(2, 3))
        return self.j([mat_text(m, self.lang) for m in self.rng.sample(mats, k)])

    def mach(self) -> str:
        ms = self.s["machines"]
        return self.j(self.rng.sample(ms, min(len(ms), self.rng.randint(1, 3))))

    def tol(self, proc: str) -> str | None:
        bank = P.PROCESSES[proc]["tol_" + self.sfx]
        return self.rng.choice(bank) if bank else None

    def inds(self) -> str:
        keys = P.SECTOR_INDUSTRIES[self.s["sector"]]
        picks = self.rng.sample(keys, min(len(keys), self.rng.randint(1, 3)))
        return self.j([P.INDUSTRIES[k][0 if self.lang == "vi" else 1] for k in picks])

    def countries(self) -> str:
        cs = self.s["export_experience"]
        return self.j([P.COUNTRY_VI[c] if self.lang == "vi" else c for c in cs])

    def certs(self) -> str:
        return self.j([P.CERT_FULL[c["name"]] for c in self.s["certifications"]])

    def loc(self) -> str:
        park, ward = self.s["location"]["park"], self.s["location"]["ward"]
        r = self.rng.random()
        if self.lang == "vi":
            if park and r < 0.7:
                return self.rng.choice([" tại ", " trong ", " ở "]) + park
            return "" if r < 0.85 else f" ở {ward}, TP.HCM"
        if park and r < 0.7:
            return " in " + park
        return (
            ""
            if r < 0.85
            else f" in {ward.replace('phường', 'ward').replace('xã', 'commune')}, HCMC"
        )

    def own(self) -> str:
        o = self.s["ownership"]
        if self.lang == "vi":
            return {
                "domestic": self.rng.choice(
                    ["100% vốn Việt Nam", "tư nhân trong nước", "Việt Nam"]
                ),
                "fdi": self.rng.choice(["có vốn đầu tư nước ngoài", "FDI"]),
                "joint_venture": "liên doanh",
            }[o]
        return {
            "domestic": self.rng.choice(["Vietnamese-owned", "100% domestic", "local"]),
            "fdi": "foreign-invested",
            "joint_venture": "joint-venture",
        }[o]

    def fill(self, template: str, proc: str) -> str:
        rng, s = self.rng, self.s
        year = s["_founded"]
        self_word = rng.choice(P.SELF_VI if self.lang == "vi" else P.SELF_EN)
        if rng.random() < 0.2:
            self_word = self.brand
        vals = {
            "self": self_word,
            "Self": cap1(self_word),
            "year": year,
            "exp": 2026 - year,
            "emp": fmt_int(s["employees"], self.lang),
            "area": fmt_int(round_sig(s["employees"] * rng.uniform(12, 40) + 150), self.lang),
            "own": self.own(),
            "sector": P.SECTORS[s["sector"]][self.sfx],
            "y2": rng.randint(max(year + 1, 2008), 2025),
            "y3": rng.randint(2019, 2025),
            "area2": fmt_int(round_sig(s["employees"] * rng.uniform(20, 60) + 300), self.lang),
            "n_eng": rng.randint(2, 6) + int(s["employees"] * rng.uniform(0.02, 0.1)),
            "otd": rng.randint(91, 99),
            "otd2": rng.randint(2, 9),
            "otd2b": rng.choice(["", "", ",5"]),
            "pct": rng.randint(12, 95),
            "m": rng.randint(1, 12),
            "shifts": rng.choice([1, 2, 2, 3]),
            "ppm": rng.choice([50, 100, 200, 300, 500, 800, 1000]),
            "kw": rng.choice([50, 80, 120, 200, 350, 500, 750, 1000]),
            "erp": rng.choice(P.ERP_VI if self.lang == "vi" else P.ERP_EN),
            "motto": rng.choice(P.MOTTO_VI),
            "motto_en": rng.choice(P.MOTTO_EN),
            "mission": rng.choice(P.MISSION_VI),
            "h": rng.choice([4, 8, 12, 24, 48]),
            "d": rng.choice([3, 5, 7, 10, 14]),
            "exp2": rng.randint(5, 20),
        }
        # lazily evaluated slots (consume randomness only when used)
        if "{pn}" in template:
            vals["pn"] = self.pn(proc)
        if "{prods}" in template:
            vals["prods"] = self.prods(proc)
        if "{mats}" in template:
            vals["mats"] = self.mats(proc)
        if "{mach}" in template:
            vals["mach"] = self.mach()
        if "{tol}" in template:
            vals["tol"] = self.tol(proc)
        if "{inds}" in template:
            vals["inds"] = self.inds()
        if "{countries}" in template:
            vals["countries"] = self.countries()
        if "{certs}" in template:
            vals["certs"] = self.certs()
        if "{cap}" in template:
            vals["cap"] = s["capacity"]
        if "{loc}" in template:
            vals["loc"] = self.loc()
        return cap1(template.format(**vals))

    def bank(self, name: str) -> list[str]:
        return getattr(P, f"{name}_{'VI' if self.lang == 'vi' else 'EN'}")

    # -- layouts -----------------------------------------------------------
    def prose(self) -> str:
        rng, s = self.rng, self.s
        procs = s["processes"]
        main = procs[0]
        head = []
        if rng.random() < 0.85:
            head.append(self.fill(rng.choice(self.bank("OPEN")), main))
        caps = [self.fill(rng.choice(self.bank("CAPA")), main)]
        for p in procs[1:]:
            caps.append(self.fill(rng.choice(self.bank("CAPB")), p))
        rest = []
        if s["machines"] and rng.random() < 0.7:
            rest.append(self.fill(rng.choice(self.bank("MACH")), main))
        if rng.random() < 0.6:
            rest.append(self.fill(rng.choice(self.bank("TOL")), rng.choice(procs)))
        det = P.PROCESSES[main]["det_" + self.sfx]
        if det and rng.random() < 0.3:
            rest.append(rng.choice(det))
        hard = (P.HARD_VI if self.lang == "vi" else P.HARD_EN).get(main)
        if hard and rng.random() < 0.4:
            rest.append(rng.choice(hard))
        if rng.random() < 0.75:
            rest.append(self.fill(rng.choice(self.bank("CUST")), main))
        if s["export_experience"] and rng.random() < 0.6:
            rest.append(self.fill(rng.choice(self.bank("EXPORT")), main))
        if rng.random() < 0.6:
            rest.append(self.fill(rng.choice(self.bank("CAPY")), main))
        if s["certifications"] and rng.random() < 0.55:
            rest.append(self.fill(rng.choice(self.bank("CERT")), main))
        noise = self.bank("NOISE")
        for t in rng.sample(noise, rng.choice([0, 1, 1, 2, 2, 3])):
            rest.append(self.fill(t, main))
        rng.shuffle(rest)
        sentences = head + caps + rest
        if len(sentences) > 8:
            sentences = head + caps + rest[: max(0, 8 - len(head) - len(caps))]
        while len(sentences) < 3:
            sentences.append(self.fill(rng.choice(self.bank("CUST")), main))
        if len(sentences) < 8 and rng.random() < 0.15:
            sentences.append(rng.choice(self.bank("CLOSE")))
        return " ".join(sentences)

    def fragments(self) -> list[tuple[str, str]]:
        """(label key, text) pieces used by the terse and bullet layouts."""
        rng, s, vi = self.rng, self.s, self.lang == "vi"
        out = []
        for p in s["processes"]:
            pn = self.pn(p)
            out.append(("proc", f"{pn} ({self.prods(p)})" if rng.random() < 0.6 else pn))
        if s["machines"] and rng.random() < 0.8:
            out.append(("mach", self.j(s["machines"])))
        if rng.random() < 0.7:
            out.append(("mat", self.j([mat_text(m, self.lang) for m in s["materials"]])))
        if rng.random() < 0.6:
            t = self.tol(rng.choice(s["processes"]))
            if t:
                out.append(("tol", t))
        if rng.random() < 0.7:
            out.append(("cust", self.inds()))
        if rng.random() < 0.8:
            out.append(("cap", s["capacity"]))
        if s["certifications"] and rng.random() < 0.7:
            out.append(("cert", self.certs()))
        if s["export_experience"] and rng.random() < 0.5:
            out.append(("exp", self.countries()))
        if rng.random() < 0.5:
            park, ward = s["location"]["park"], s["location"]["ward"]
            place = park or (
                ward if vi else ward.replace("phường", "ward").replace("xã", "commune")
            )
            out.append(("loc", place + (", TP.HCM" if vi else ", HCMC")))
        if rng.random() < 0.35:
            year = s["_founded"]
            out.append(
                (
                    "exp_years",
                    (
                        f"{2026 - year} năm kinh nghiệm"
                        if vi
                        else f"{2026 - year} years in business"
                    ),
                )
            )
        return out

    def terse(self) -> str:
        frags = self.fragments()
        first, rest = frags[0], frags[1:]
        self.rng.shuffle(rest)
        sep = self.rng.choice(["; ", " | ", ". ", " – "])
        lead = P.TERSE_VI if self.lang == "vi" else P.TERSE_EN
        rest = [(k, self.rng.choice(lead[k]).format(t) if k in lead else t) for k, t in rest]
        parts = [cap1(first[1])] + [cap1(t) if sep == ". " else t for _, t in rest]
        return sep.join(parts) + ("." if sep != ". " or not parts[-1].endswith(".") else "")

    def bullets(self) -> str:
        rng = self.rng
        labels = P.BUL_VI if self.lang == "vi" else P.BUL_EN
        dash = rng.choice(["- ", "• ", "* ", "+ "])
        lines = []
        if rng.random() < 0.6:
            lines.append(self.fill(rng.choice(self.bank("OPEN")), self.s["processes"][0]))
        for key, text in self.fragments():
            if key == "exp_years":
                lines.append(dash + cap1(text))
            else:
                lines.append(f"{dash}{rng.choice(labels[key])}: {text}")
        if rng.random() < 0.3:
            lines.append(self.fill(rng.choice(self.bank("NOISE")), self.s["processes"][0]))
        return "\n".join(lines)

    def build(self) -> str:
        r = self.rng.random()
        text = self.prose() if r < 0.55 else self.terse() if r < 0.75 else self.bullets()
        return nfc(text)


# --------------------------------------------------------------------------
# suppliers
# --------------------------------------------------------------------------
def make_suppliers(rng: random.Random, n: int = N_SUPPLIERS) -> list[dict]:
    """``n`` fictional suppliers (the sample file holds the first N_SUPPLIERS of seed SEED;
    benchmarks ask for more)."""
    used_tax: set[str] = set()
    used_brand: set[str] = set()
    sector_w = {k: v["weight"] for k, v in P.SECTORS.items()}
    suppliers = []
    for i in range(1, n + 1):
        sector = wchoice(rng, sector_w)
        procs = pick_processes(rng, sector)
        ownership = wchoice(rng, {"domestic": 72, "fdi": 18, "joint_venture": 10})
        employees = pick_employees(rng, ownership)
        revenue = pick_revenue(rng, employees, ownership)
        lang = "en" if rng.random() < (0.35 if ownership != "domestic" else 0.09) else "vi"
        brand = brand_name(rng, used_brand)
        materials: list[str] = []
        for p in procs:
            bank = P.PROCESSES[p]["mat"]
            for m in rng.sample(bank, min(len(bank), rng.randint(2, 4))):
                if m not in materials:
                    materials.append(m)
        sup = {
            "external_id": f"SUP-{i:05d}",
            "sample": True,
            "name": company_name(rng, brand, sector, procs[0], ownership, lang, employees),
            "tax_code": tax_code(rng, used_tax),
            "description": "",
            "sector": sector,
            "processes": procs,
            "materials": materials,
            "machines": machines_for(rng, procs, lang, employees),
            "certifications": pick_certs(rng, sector, ownership, employees),
            "location": pick_location(rng, ownership),
            "employees": employees,
            "revenue_bn_vnd": revenue,
            "ownership": ownership,
            "size_class": size_class(employees, revenue),
            "export_experience": pick_exports(rng, ownership),
            "capacity": capacity_text(rng, procs[0], lang, employees),
            "language": lang,
            "updated_at": rand_date(rng, date(2023, 3, 1), date(2026, 10, 28)).isoformat(),
            "_founded": rng.randint(1994, 2022),
        }
        sup["description"] = Describer(rng, sup, brand).build()
        del sup["_founded"]
        for key in ("name", "capacity"):
            sup[key] = nfc(sup[key])
        sup["machines"] = [nfc(m) for m in sup["machines"]]
        suppliers.append(sup)
    return suppliers


# --------------------------------------------------------------------------
# buyer queries and graded relevance
# --------------------------------------------------------------------------
REQ_KEYS = (
    "processes",
    "sector",
    "certifications",
    "park",
    "inside_park",
    "ownership",
    "min_employees",
    "size_class",
    "export_country",
)


def fold(text: str) -> str:
    """Vietnamese typed without diacritics: đ -> d first, then marks stripped."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize(
        "NFC",
        "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)),
    )


def valid_certs(sup: dict) -> set[str]:
    return {c["name"] for c in sup["certifications"] if c["valid_until"] >= REF_DATE}


def meets(req: dict, sup: dict) -> bool:
    """Every stated requirement other than the processes."""
    if req["sector"] and sup["sector"] != req["sector"]:
        return False
    if req["certifications"] and not set(req["certifications"]) <= valid_certs(sup):
        return False
    park = sup["location"]["park"]
    if req["park"] and park not in req["park"]:
        return False
    if req["inside_park"] and park is None:
        return False
    if req["ownership"] and sup["ownership"] not in req["ownership"]:
        return False
    if req["min_employees"] and sup["employees"] < req["min_employees"]:
        return False
    if req["size_class"] and sup["size_class"] not in req["size_class"]:
        return False
    if req["export_country"] and req["export_country"] not in sup["export_experience"]:
        return False
    return True


def grade(req: dict, sup: dict) -> int:
    """2: every needed process and every stated requirement.
    1: every needed process but a requirement missing, or (all requirements
       met and) only some needed process / a closely related process.
    0: otherwise (including the near-miss neighbours)."""
    have = set(sup["processes"])
    need = set(req["processes"])
    ok = meets(req, sup)
    if need <= have:
        return 2 if ok else 1
    related = {r for p in need for r in P.RELATED.get(p, [])}
    if ok and (need & have or related & have):
        return 1
    return 0


def park_text(park: str, lang: str, rng: random.Random) -> str:
    if lang == "vi":
        return park
    plain = fold(park)
    if lang == "vi_nodiac":
        return plain.lower() if rng.random() < 0.6 else plain
    kind, name = plain.split(" ", 1)
    if rng.random() < 0.35:
        return park
    if kind == "KCX":
        return f"{name} {rng.choice(['EPZ', 'Export Processing Zone'])}"
    return f"{name} {rng.choice(['Industrial Park', 'IP', 'Industrial Zone'])}"


def cert_text(cert: str, lang: str, rng: random.Random) -> str:
    if lang == "vi_nodiac" and rng.random() < 0.5:
        return cert.lower()
    if cert.startswith("ISO") and rng.random() < 0.25:
        return P.CERT_FULL[cert]
    return cert


def make_query(
    rng: random.Random, qid: str, lang: str, procs: list[str], core: str, suppliers: list[dict]
) -> tuple[dict, dict]:
    req = {k: None for k in REQ_KEYS}
    req["processes"] = list(procs)
    req["certifications"] = []
    anchors = [s for s in suppliers if set(procs) <= set(s["processes"])]
    anchor = rng.choice(anchors)
    n_req = rng.choices([0, 1, 2, 3], weights=[25, 40, 25, 10])[0]
    kinds = {
        "cert": 35,
        "park": 20,
        "own": 15,
        "minemp": 10,
        "size": 6,
        "sector": 6,
        "export": 8,
        "inside": 5,
    }
    clauses = []
    while len(clauses) < n_req and kinds:
        kind = wchoice(rng, kinds)
        del kinds[kind]
        if kind == "cert":
            certs = sorted(valid_certs(anchor))
            if not certs:
                continue
            c = rng.choice(certs)
            req["certifications"] = [c]
            clauses.append(rng.choice(P.R_CERT[lang]).format(c=cert_text(c, lang, rng)))
        elif kind == "park":
            park = anchor["location"]["park"]
            if not park or req["inside_park"]:
                continue
            req["park"] = [park]
            clauses.append(rng.choice(P.R_PARK[lang]).format(park=park_text(park, lang, rng)))
            kinds.pop("inside", None)
        elif kind == "inside":
            if anchor["location"]["park"] is None:
                continue
            req["inside_park"] = True
            clauses.append(rng.choice(P.R_INSIDE[lang]))
            kinds.pop("park", None)
        elif kind == "own":
            options = [(t, acc) for t, acc in P.R_OWN[lang] if anchor["ownership"] in acc]
            text, acc = rng.choice(options)
            req["ownership"] = list(acc)
            clauses.append(text)
        elif kind == "minemp":
            steps = [
                n for n in (20, 30, 50, 100, 150, 200, 300, 500, 1000) if n <= anchor["employees"]
            ]
            if not steps:
                continue
            n = rng.choice(steps[-3:])
            req["min_employees"] = n
            clauses.append(rng.choice(P.R_MINEMP[lang]).format(n=n))
            kinds.pop("size", None)
        elif kind == "size":
            options = [(t, acc) for t, acc in P.R_SIZE[lang] if anchor["size_class"] in acc]
            if not options:
                continue
            text, acc = rng.choice(options)
            req["size_class"] = list(acc)
            clauses.append(text)
            kinds.pop("minemp", None)
        elif kind == "sector":
            req["sector"] = anchor["sector"]
            clauses.append(
                rng.choice(P.R_SECTOR[lang]).format(sector=P.R_SECTOR_NAME[lang][anchor["sector"]])
            )
        elif kind == "export":
            if not anchor["export_experience"]:
                continue
            c = rng.choice(anchor["export_experience"])
            req["export_country"] = c
            name = {"vi": P.COUNTRY_VI.get(c, c), "vi_nodiac": P.COUNTRY_NODIAC.get(c, c), "en": c}[
                lang
            ]
            clauses.append(rng.choice(P.R_EXPORT[lang]).format(country=name))
    assert grade(req, anchor) == 2

    head = rng.choice(P.Q_OPEN[lang]) + core
    context = None
    if rng.random() < 0.35:
        context = rng.choice(P.Q_CONTEXT[lang]).format(
            n=fmt_int(
                rng.choice([500, 2000, 5000, 10000, 30000, 100000]), "vi" if lang != "en" else "en"
            )
        )
    if clauses and (context or rng.random() < 0.3):  # long form
        text = cap1(head)
        if context:
            text += ". " + cap1(context)
        text += ". " + cap1(rng.choice(P.Q_REQ_LEAD[lang]) + ", ".join(clauses))
    else:
        text = cap1(head)
        if clauses:
            text += ", " + ", ".join(clauses)
        if context:
            text += ", " + context
    if lang == "vi_nodiac":
        text = text.lower() if rng.random() < 0.7 else text
        text = text.rstrip(".")
    else:
        text += rng.choice([".", ".", ""] if lang == "vi" else [".", "", ""])
    query = {"query_id": qid, "text": nfc(text), "lang": lang, "requirements": req}
    return query, anchor


def make_queries(
    rng: random.Random, suppliers: list[dict]
) -> tuple[list[dict], list[tuple[str, str, int]]]:
    intents = {lang: [] for lang in ("vi", "vi_nodiac", "en")}
    for proc, banks in P.Q_CORE.items():
        for lang in intents:
            intents[lang] += [([proc], core) for core in banks[lang]]
    for procs, banks in P.Q_MULTI:
        for lang in intents:
            intents[lang] += [(procs, core) for core in banks[lang]]
    queries, qrels = [], []
    for lang in ("vi", "vi_nodiac", "en"):
        items = intents[lang]
        rng.shuffle(items)
        for procs, core in items:
            qid = f"BQ-{len(queries) + 1:04d}"
            query, _ = make_query(rng, qid, lang, procs, core, suppliers)
            queries.append(query)
            for sup in suppliers:
                g = grade(query["requirements"], sup)
                if g:
                    qrels.append((qid, sup["external_id"], g))
    return queries, qrels


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    rng = random.Random(SEED)
    suppliers = make_suppliers(rng)
    write_jsonl(SUPPLIERS_FILE, suppliers)
    print(f"{len(suppliers)} suppliers -> {SUPPLIERS_FILE.name}")
    queries, qrels = make_queries(random.Random(SEED + 1), suppliers)
    write_jsonl(QUERIES_FILE, queries)
    with open(QRELS_FILE, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("query_id\texternal_id\tgrade\n")
        for qid, eid, g in qrels:
            fh.write(f"{qid}\t{eid}\t{g}\n")
    print(f"{len(queries)} queries -> {QUERIES_FILE.name}; ", end="")
    print(f"{len(qrels)} judgements -> {QRELS_FILE.name}")


if __name__ == "__main__":
    main()
