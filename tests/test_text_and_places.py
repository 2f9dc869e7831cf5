from pipeline.places import resolve_place
from pipeline.text.arabic import eastern_to_western_digits, normalise_arabic
from pipeline.text.latin import normalise_latin
from pipeline.vocab import map_cause, map_weapon


def test_arabic_variants_meet():
    assert normalise_arabic("فاطمة") == normalise_arabic("فاطمه")
    assert normalise_arabic("أحمد") == normalise_arabic("احمد") == normalise_arabic("إحمد")
    assert normalise_arabic("عبد الله") == normalise_arabic("عبدالله")
    assert normalise_arabic("مصطفى") == normalise_arabic("مصطفي")
    assert normalise_arabic("محـــمد") == "محمد"  # tatweel
    assert normalise_arabic("مُحَمَّد") == "محمد"  # diacritics
    assert normalise_arabic("  ") is None
    assert eastern_to_western_digits("٠٨/٠١/٢٠١٧") == "08/01/2017"


def test_latin_names_fold_case_article_and_apostrophes():
    assert normalise_latin("Al-Jubouri") == normalise_latin("al Jubouri") == normalise_latin("jubouri") == "jubouri"
    assert normalise_latin("Sa'ad") == normalise_latin("Saad")
    assert normalise_latin("Zaïd") == "zaid"


def test_gazetteer_resolves_spellings_banks_and_reports_unknown_names():
    assert resolve_place("حي الزنجيلي", "ar").neighbourhood_id == "zanjili"
    assert resolve_place("حي الجديده", "ar").neighbourhood_id == "jadida"
    assert resolve_place("الساحل الايمن", "ar").status == "bank"
    assert resolve_place("الساحل الايسر", "ar").bank == "east"
    for text in ("al-Jadida, west Mosul", "Mosul: Jadida", "al-Jadida, Mosul, Iraq"):
        assert resolve_place(text, "latin").neighbourhood_id == "jadida"
    assert resolve_place("west Mosul, al-Najjar", "latin").neighbourhood_id == "najjar"
    assert resolve_place("Mosul: Zinjili", "latin").neighbourhood_id == "zanjili"
    assert resolve_place("near Mosul, Iraq", "latin").status == "unknown"
    assert resolve_place("Atlantis", "latin").status == "unresolved"
    assert resolve_place("حي المريخ", "ar").status == "unresolved"


def test_vocabularies_map_to_shared_codes():
    assert map_cause("انهيار مبنى") == ("crushed", True)
    assert map_cause("إعدام") == map_cause("اعدام") == ("execution", True)
    assert map_cause("كلام") == ("unknown", False)
    assert map_weapon("air strike or artillery")[0] == "air_or_artillery"
    assert map_weapon("suicide car bomb")[0] == "vbied"
    assert map_weapon("executed")[0] == "execution"
    assert map_weapon("teleporter") == ("unknown", False)
