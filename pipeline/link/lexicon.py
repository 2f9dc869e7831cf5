"""A lexicon of common Iraqi names: the Arabic form and the English spellings in use.

The consonant skeleton alone merges names that differ only in long vowels (أحمد Ahmed, حامد
Hamid and حميد Humaid are all `hmd`; محمود Mahmoud and محمد Mohammed are both `mhmd`). For the
names in this list a token resolves to the name itself, so those stay apart; an English spelling
not listed resolves to the closest listed spelling with the same skeleton when the two are
nearly the same string; anything else keeps its skeleton.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache

# canonical key: (Arabic, English spellings)
NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    # men
    "muhammad": ("محمد", ("mohammed", "muhammad", "mohamed", "mohammad", "mohamad", "muhammed", "mohamed", "mhmd")),
    "ahmad": ("أحمد", ("ahmed", "ahmad", "ahmet", "ahmd")),
    "mahmud": ("محمود", ("mahmoud", "mahmud", "mahmood", "mahmod")),
    "hamid": ("حامد", ("hamid", "hamed", "haamid")),
    "humaid": ("حميد", ("hameed", "humaid", "hamid2", "humeid")),
    "hamad": ("حمد", ("hamad",)),
    "hamza": ("حمزة", ("hamza", "hamzah", "hamzeh")),
    "ali": ("علي", ("ali", "aly", "alee")),
    "umar": ("عمر", ("omar", "umar", "omer")),
    "amir": ("عامر", ("amer", "amir", "aamer")),
    "ammar": ("عمار", ("ammar", "amar")),
    "yunus": ("يونس", ("younis", "yunus", "younes", "yunis", "younus")),
    "yusuf": ("يوسف", ("yousif", "yusuf", "yousef", "youssef", "yusif", "yousuf")),
    "khalid": ("خالد", ("khalid", "khaled", "kaled")),
    "husain": ("حسين", ("hussein", "husayn", "hussain", "hussien", "husain", "hossein")),
    "hasan": ("حسن", ("hassan", "hasan", "hasen")),
    "abdullah": ("عبد الله", ("abdullah", "abdallah", "abdulla", "abdalla")),
    "abdulrahman": ("عبد الرحمن", ("abdulrahman", "abdelrahman", "abdurrahman", "abdrahman")),
    "abdulkarim": ("عبد الكريم", ("abdulkarim", "abdulkareem", "abdelkarim", "abdkarim", "abdkareem")),
    "abdulaziz": ("عبد العزيز", ("abdulaziz", "abdelaziz", "abdaziz")),
    "abdulqadir": ("عبد القادر", ("abdulqadir", "abdulkadir", "abdelkader", "abdqadir")),
    "ibrahim": ("ابراهيم", ("ibrahim", "ebrahim", "ibraheem", "ibrahem")),
    "mustafa": ("مصطفى", ("mustafa", "mostafa", "mustapha", "moustafa")),
    "dhanun": ("ذنون", ("thanoon", "dhanun", "thanun", "zanoon", "dhanoon")),
    "salim": ("سالم", ("salem", "salim", "saalem")),
    "salih": ("صالح", ("saleh", "salih", "salah")),
    "salman": ("سلمان", ("salman", "selman")),
    "jasim": ("جاسم", ("jasim", "jassim", "jasem", "jassem")),
    "fadil": ("فاضل", ("fadhil", "fadel", "fadil", "fadhel")),
    "saad": ("سعد", ("saad", "sad", "saed")),
    "said": ("سعيد", ("saeed", "said", "saaid")),
    "faisal": ("فيصل", ("faisal", "faysal", "feisal", "faisel")),
    "yasir": ("ياسر", ("yasser", "yasir", "yaser", "yassir")),
    "raid": ("رائد", ("raed", "raid", "raaid")),
    "ziyad": ("زياد", ("ziad", "ziyad", "zeyad", "ziyaad")),
    "walid": ("وليد", ("waleed", "walid", "walead")),
    "nabil": ("نبيل", ("nabil", "nabeel")),
    "tariq": ("طارق", ("tariq", "tarek", "tareq", "tarik")),
    "qasim": ("قاسم", ("qasim", "kassim", "qassem", "qasem", "kasim")),
    "karim": ("كريم", ("karim", "kareem", "kerim")),
    "majid": ("ماجد", ("majid", "majed", "maajid")),
    "muhannad": ("مهند", ("muhannad", "mohanad", "muhanad", "mohannad")),
    "iyad": ("اياد", ("ayad", "iyad", "eyad", "eyaad")),
    "imad": ("عماد", ("imad", "emad", "imaad")),
    "hisham": ("هشام", ("hisham", "hesham", "hishaam")),
    "bashar": ("بشار", ("bashar", "bashshar", "bashaar")),
    "nawfal": ("نوفل", ("nawfal", "nofal", "naufal")),
    "shihab": ("شهاب", ("shihab", "shehab", "shehaab")),
    "ghanim": ("غانم", ("ghanim", "ghanem", "ghaanim")),
    "sultan": ("سلطان", ("sultan", "soltan", "sultaan")),
    "uthman": ("عثمان", ("othman", "uthman", "osman", "usman")),
    "anas": ("أنس", ("anas", "enes", "anes")),
    "bakr": ("بكر", ("bakr", "baker", "bakir")),
    "muayyad": ("مؤيد", ("muayad", "moayad", "muayyad", "moayyad")),
    "luay": ("لؤي", ("luay", "louay", "loay")),
    "nizar": ("نزار", ("nizar", "nezar", "nizaar")),
    "adam": ("آدم", ("adam", "aadam", "adem")),
    "rayyan": ("ريان", ("rayan", "rayyan", "ryan")),
    "saif": ("سيف", ("saif", "sayf", "seif", "sayef")),
    "zaid": ("زيد", ("zaid", "zayd", "zeid", "zayed")),
    "numan": ("نعمان", ("numan", "noman", "nouman")),
    "mazin": ("مازن", ("mazin", "mazen", "maazin")),
    "ayman": ("أيمن", ("ayman", "aymen", "eyman")),
    "adnan": ("عدنان", ("adnan", "adnaan")),
    "khalil": ("خليل", ("khalil", "khaleel", "kaleel")),
    "ismail": ("اسماعيل", ("ismail", "ismael", "esmail", "ismaeel")),
    "abbas": ("عباس", ("abbas", "abas")),
    "jamal": ("جمال", ("jamal", "gamal", "jamaal")),
    "kamal": ("كمال", ("kamal", "kemal")),
    "nasir": ("ناصر", ("nasser", "nasir", "naser")),
    "mansur": ("منصور", ("mansour", "mansur", "mansoor")),
    "haitham": ("هيثم", ("haitham", "haytham", "haithem")),
    "hazim": ("حازم", ("hazim", "hazem")),
    "hatim": ("حاتم", ("hatem", "hatim")),
    "wisam": ("وسام", ("wisam", "wesam", "wissam")),
    # women
    "fatima": ("فاطمة", ("fatima", "fatma", "fatimah", "fatema")),
    "zainab": ("زينب", ("zainab", "zeinab", "zaynab", "zenab")),
    "maryam": ("مريم", ("maryam", "mariam", "miriam", "mariem")),
    "aisha": ("عائشة", ("aisha", "aysha", "ayesha", "aicha")),
    "khadija": ("خديجة", ("khadija", "khadeeja", "khadijah", "khadeja")),
    "nur": ("نور", ("noor", "nour", "nur")),
    "sara": ("سارة", ("sara", "sarah", "saara")),
    "huda": ("هدى", ("huda", "hoda", "houda")),
    "asma": ("أسماء", ("asmaa", "asma", "esma")),
    "ruqayya": ("رقية", ("ruqaya", "roqaya", "ruqayyah", "ruqayya")),
    "shaima": ("شيماء", ("shaimaa", "shayma", "shaima", "shaymaa")),
    "suad": ("سعاد", ("suad", "souad", "soad")),
    "intisar": ("انتصار", ("intisar", "entisar", "intesar")),
    "laila": ("ليلى", ("layla", "leila", "laila", "leyla")),
    "hana": ("هناء", ("hanaa", "hana", "hanaa")),
    "wafa": ("وفاء", ("wafaa", "wafa")),
    "rana": ("رنا", ("rana", "ranaa")),
    "sana": ("سناء", ("sanaa", "sana")),
    "amal": ("أمل", ("amal", "aml", "amel")),
    "isra": ("اسراء", ("israa", "esraa", "isra", "esra")),
    "amina": ("آمنة", ("amina", "aminah", "amena", "ameena")),
    "halima": ("حليمة", ("halima", "haleema", "halimah")),
    "salma": ("سلمى", ("salma", "selma", "salmaa")),
    "rihab": ("رحاب", ("rehab", "rihab")),
    "bushra": ("بشرى", ("bushra", "boushra", "bushraa")),
    "muna": ("منى", ("muna", "mona", "mouna")),
    "dua": ("دعاء", ("duaa", "doaa", "dua", "doa")),
    "ghufran": ("غفران", ("ghufran", "ghofran", "gufran")),
    "nadia": ("نادية", ("nadia", "nadya", "nadiya")),
    "jamila": ("جميلة", ("jamila", "jameela", "gamila")),
    "hiba": ("هبة", ("hiba", "heba", "hibah")),
    "iman": ("ايمان", ("iman", "eman", "imaan")),
    "zahra": ("زهراء", ("zahraa", "zahra")),
    "samira": ("سميرة", ("samira", "sameera")),
    # families and tribes (nisba), written with the article in Arabic
    "jubouri": ("الجبوري", ("jubouri", "jbouri", "jabouri", "juburi", "jubori")),
    "ubaidi": ("العبيدي", ("obeidi", "ubaidi", "ubaydi", "obaidi")),
    "tai": ("الطائي", ("tai", "taie", "taei", "taai")),
    "hamdani": ("الحمداني", ("hamdani", "hamadani", "hamdany")),
    "shammari": ("الشمري", ("shammari", "shamari", "shammary")),
    "dulaimi": ("الدليمي", ("dulaimi", "dulaymi", "dulaimy")),
    "juhaishi": ("الجحيشي", ("juhaishi", "jhayshi", "jhaishi")),
    "sabawi": ("السبعاوي", ("sabawi", "sabaawi", "sabaawy")),
    "luhaibi": ("اللهيبي", ("lahibi", "luhaibi", "lhaibi")),
    "hayali": ("الحيالي", ("hayali", "hayyali", "hiyali")),
    "umari": ("العمري", ("omari", "umari", "omary")),
    "badrani": ("البدراني", ("badrani", "badrany")),
    "tikriti": ("التكريتي", ("tikriti", "takriti")),
    "khatuni": ("الخاتوني", ("khatoni", "khatouni", "khatuni")),
    "mawsili": ("الموصلي", ("mosuli", "mawsili", "mousili")),
    "sharabi": ("الشرابي", ("sharabi", "sharaby")),
    "nuaimi": ("النعيمي", ("nuaimi", "naimi", "nuaymi")),
    "hadidi": ("الحديدي", ("hadidi", "hadeedi")),
    "zubaidi": ("الزبيدي", ("zubaidi", "zubaydi", "zobaidi")),
    "azzawi": ("العزاوي", ("azzawi", "azawi")),
    "bayati": ("البياتي", ("bayati", "bayaty")),
    "rawi": ("الراوي", ("rawi", "rawy")),
    "samarrai": ("السامرائي", ("samarrai", "samarraie", "samaraai")),
    "kubaisi": ("الكبيسي", ("kubaisi", "kubeisi", "kbaisi")),
    "saffar": ("الصفار", ("saffar", "safar")),
    "husaini": ("الحسيني", ("husseini", "hussaini", "husaini")),
    "qaisi": ("القيسي", ("qaisi", "kaisi", "qaysi")),
    "mashhadani": ("المشهداني", ("mashhadani", "mashadani")),
    "dabbagh": ("الدباغ", ("dabbagh", "dabagh")),
    "tahhan": ("الطحان", ("tahhan", "tahan")),
    "jumaili": ("الجميلي", ("jumaili", "jumaily", "jmaili")),
    "tamimi": ("التميمي", ("tamimi", "tamimy")),
}


@lru_cache(maxsize=1)
def _indexes():
    from pipeline.link.names import arabic_token_forms, latin_token_forms  # the skeleton rules live there
    from pipeline.text.arabic import normalise_arabic

    by_arabic, by_latin, by_skeleton = {}, {}, {}
    for key, (arabic, spellings) in NAMES.items():
        token = normalise_arabic(arabic).replace(" ", "")
        by_arabic[token] = key
        if token.startswith("ال"):
            by_arabic[token[2:]] = key
        for spelling in spellings:
            by_latin[spelling] = key
            by_skeleton.setdefault(latin_token_forms(spelling)[0], []).append((spelling, key))
        by_skeleton.setdefault(arabic_token_forms(token)[0], [])
    return by_arabic, by_latin, by_skeleton


def arabic_lookup(token: str) -> str | None:
    by_arabic, _, _ = _indexes()
    return by_arabic.get(token) or (by_arabic.get(token[2:]) if token.startswith("ال") else None)


@lru_cache(maxsize=100_000)
def latin_lookup(token: str, skeleton: str) -> str | None:
    """A listed spelling, or the nearest listed spelling with the same skeleton (ratio >= 0.8)."""
    _, by_latin, by_skeleton = _indexes()
    if token in by_latin:
        return by_latin[token]
    best, best_ratio = None, 0.0
    for spelling, key in by_skeleton.get(skeleton, []):
        ratio = SequenceMatcher(None, token, spelling).ratio()
        if ratio > best_ratio:
            best, best_ratio = key, ratio
    return best if best_ratio >= 0.8 else None
