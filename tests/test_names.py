"""Name features: one comparable form for Arabic and English spellings (pipeline/link/names.py)."""

import pytest

from pipeline.link.names import (
    arabic_shape,
    build_lexicon,
    fit,
    latin_shapes,
    name_parts,
    parse_arabic,
    parse_latin,
    romanise_arabic,
)
from pipeline.text.arabic import normalise_arabic
from pipeline.text.latin import normalise_latin

# A small morgue (Arabic, with the sex of each person) and English lists spelling the same names.
MORGUE = [
    ("محمد يونس احمد الجبوري", "M"), ("فاطمة محمد يونس", "F"), ("محمود علي حسن", "M"), ("حسن علي محمود", "M"),
    ("حسين علي حسن", "M"), ("عبد الله حسين علي الطائي", "M"), ("سعد احمد علي", "M"), ("سعاد احمد علي", "F"),
    ("امنة محمد علي", "F"), ("منى محمد علي", "F"), ("مؤيد عماد علي", "M"), ("عماد علي حسن", "M"),
    ("هشام عمر علي", "M"), ("سلمى سالم علي", "F"), ("سالم علي حسن", "M"), ("يونس ذنون محمود", "M"),
]
ENGLISH = [
    ("Mohammed Younis Ahmed al-Jubouri", "M"), ("Muhammad Yunus Ahmad", "M"), ("Mohamed Younes Jubouri", "M"),
    ("Mohammad Yunis Al Jubouri", "M"), ("Fatma Mohamed Younes", "F"), ("Mahmoud Ali Hassan", "M"), ("Mahmud Ali", "M"),
    ("Hassan Ali Mahmoud", "M"), ("Hussein Ali Hasan", "M"), ("Husayn Ali", "M"), ("Abdullah Hussein Ali", "M"),
    ("Abdallah Husayn", "M"), ("Abd Allah Hussain al-Tai", "M"), ("Saad Ahmed", "M"), ("Sa'ad Ahmad Ali", "M"),
    ("Suad Ahmed", "F"), ("Amina Mohammed", "F"), ("Muna Mohammed", "F"), ("Mona Muhammad", "F"),
    ("Muayad Imad", "M"), ("Imad Ali", "M"), ("Hissham Omar", "M"), ("Salma Salem", "F"), ("Salem Ali", "M"),
    ("Younis Thanoon Mahmoud", "M"), ("Yunus Zanoon", "M"), ("Ahmed Mohammed el-Jbouri", "M"),
]


@pytest.fixture(scope="module")
def lexicon():
    names = [(parse_arabic(name), sex) for name, sex in MORGUE] + [(parse_latin(name), sex) for name, sex in ENGLISH]
    return build_lexicon(names)


def canonical(lexicon, name: str, part: str = "given", script: str = "la") -> str | None:
    parsed = parse_latin(name) if script == "la" else parse_arabic(name)
    return name_parts(parsed, lexicon).canonical[part]


def test_spellings_of_one_name_meet_on_the_arabic_name(lexicon):
    mohammed = {canonical(lexicon, f"{n} Ali") for n in ("Mohammed", "Muhammad", "Mohamed", "Mohammad")}
    assert mohammed == {canonical(lexicon, "محمد علي", script="ar")} == {normalise_arabic("محمد")}
    abdullah = {canonical(lexicon, f"{n} Ali") for n in ("Abdullah", "Abdallah", "Abd Allah")}
    assert abdullah == {normalise_arabic("عبدالله")}
    younis = {canonical(lexicon, f"Ali {n}", "father") for n in ("Younis", "Yunus", "Younes", "Yunis")}
    assert younis == {normalise_arabic("يونس")}
    jubouri = {canonical(lexicon, f"Ali Hassan Ahmed {n}", "family") for n in ("al-Jubouri", "Al Jubouri", "el-Jbouri", "Jubouri")}
    assert jubouri == {normalise_arabic("الجبوري")}


def test_names_that_share_a_skeleton_stay_apart(lexicon):
    """The consonants alone would make these meet; the long vowels Arabic writes keep them apart."""
    assert canonical(lexicon, "Mohammed Ali") != canonical(lexicon, "Mahmoud Ali") == normalise_arabic("محمود")
    assert canonical(lexicon, "Mahmud Ali") == normalise_arabic("محمود")
    assert canonical(lexicon, "Hassan Ali") == normalise_arabic("حسن")
    assert canonical(lexicon, "Hussein Ali") == canonical(lexicon, "Husayn Ali") == normalise_arabic("حسين")
    assert canonical(lexicon, "Amina Ali") == normalise_arabic("امنة")
    assert canonical(lexicon, "Muna Ali") == canonical(lexicon, "Mona Ali") == normalise_arabic("منى")
    assert canonical(lexicon, "Muayad Ali") == normalise_arabic("مؤيد")
    assert canonical(lexicon, "Imad Ali") == normalise_arabic("عماد")


def test_a_name_resolves_among_names_of_the_same_role(lexicon):
    """Saad is a man's name, Suad a woman's: same skeleton, the lists' sexes decide."""
    assert canonical(lexicon, "Saad Ahmed") == canonical(lexicon, "Sa'ad Ahmed") == normalise_arabic("سعد")
    assert canonical(lexicon, "Suad Ahmed") == normalise_arabic("سعاد")
    assert canonical(lexicon, "Salma Salem") == normalise_arabic("سلمى")
    assert canonical(lexicon, "Ali Salem", "father") == normalise_arabic("سالم")


def test_ambiguous_letters_and_slips(lexicon):
    assert canonical(lexicon, "Ali Zanoon", "father") == canonical(lexicon, "Ali Thanoon", "father") == normalise_arabic("ذنون")
    assert canonical(lexicon, "Hissham Omar") == normalise_arabic("هشام")  # a doubled letter


def test_vowel_fit_refutes_and_confirms():
    shape = lambda word: latin_shapes(normalise_latin(word))[0]  # noqa: E731
    arabic = lambda word: arabic_shape(normalise_arabic(word))  # noqa: E731
    assert fit(shape("Mohammed"), arabic("محمد")) is not None
    assert fit(shape("Mohammed"), arabic("محمود")) is None
    assert fit(shape("Hassan"), arabic("حسين")) is None
    assert fit(shape("Hussein"), arabic("حسين")) > fit(shape("Hussein"), arabic("حسن"))
    assert fit(shape("Zaid"), arabic("زيد")) > fit(shape("Zaid"), arabic("زياد"))
    assert fit(shape("Ziad"), arabic("زياد")) > fit(shape("Ziad"), arabic("زيد"))


def test_name_parts_follow_the_iraqi_convention(lexicon):
    parts = name_parts(parse_latin("Mohammed Younis Ahmed al-Jubouri"), lexicon).canonical
    assert [parts[p] for p in ("given", "father", "grandfather", "family")] == [normalise_arabic(w) for w in ("محمد", "يونس", "احمد", "الجبوري")]
    arabic = name_parts(parse_arabic("محمد يونس احمد الجبوري"), lexicon).canonical
    assert arabic == parts
    short = name_parts(parse_latin("Ahmed Younis"), lexicon).canonical
    assert short["given"] and short["father"] and short["grandfather"] is None and short["family"] is None
    # A family name without its article is still a family name when the lexicon knows it as one.
    bare = name_parts(parse_latin("Mohamed Younes Jubouri"), lexicon).canonical
    assert bare["family"] == normalise_arabic("الجبوري") and bare["grandfather"] is None
    # Two tokens with the article: given and family, no father.
    assert name_parts(parse_latin("Ali Al Jubouri"), lexicon).canonical["father"] is None


def test_relatives_share_all_but_the_given_name(lexicon):
    sister = name_parts(parse_arabic("زينب خالد عمر"), lexicon).canonical
    brother = name_parts(parse_arabic("احمد خالد عمر العبيدي"), lexicon).canonical
    assert sister["given"] != brother["given"]
    assert (sister["father"], sister["grandfather"]) == (brother["father"], brother["grandfather"])


def test_relations_kunyas_and_unidentified_bodies_have_no_name_parts(lexicon):
    for name in ("Wife of Ali Yasser", "Umm Raed", "Abu Omar", "son of Ahmed"):
        parsed = parse_latin(name)
        assert parsed.relational and name_parts(parsed, lexicon).canonical["given"] is None
    assert not parse_latin("Umar Hamza").relational  # Umar is a name, not Umm
    assert parse_arabic("مجهول الهوية ١٢").tokens == ()
    assert parse_arabic("ابو علي").relational and parse_arabic("أم احمد").relational
    assert not parse_arabic("امل محمد").relational and not parse_arabic("امنة محمد").relational  # Amal, Amina


def test_english_spellings_group_without_an_arabic_list():
    lexicon = build_lexicon([(parse_latin(n), "M") for n in ("Mohammed Ali", "Mohamed Ali", "Muhammad Ali", "Mahmoud Ali")])
    given = {n: name_parts(parse_latin(f"{n} Ali"), lexicon).canonical["given"] for n in ("Mohammed", "Mohamed", "Muhammad", "Mahmoud")}
    assert given["Mohammed"] == given["Mohamed"] == given["Muhammad"] != given["Mahmoud"]


def test_transliteration_gives_a_latin_name_for_arabic_only_records(lexicon):
    assert romanise_arabic("عبد الله حسين") .startswith("Abdul")
    assert romanise_arabic("علي محمد الجبوري").split()[-1].startswith("al-")
    assert romanise_arabic(None) is None
    # With a lexicon, the display spelling is the one the lists use most.
    display = name_parts(parse_arabic("محمد يونس"), lexicon).display
    assert display["given"] in {"mohammed", "muhammad", "mohamed", "mohammad"}


def test_an_h_after_a_digraph_letter_is_a_consonant_of_its_own():
    """Mashhadani is ش then ه (المشهداني): the doubled h is not one letter written twice, and the
    spelling that writes the h once (Mashadani) fits the same name; Hissham still loses its doubled s."""
    names = [(parse_arabic("هشام عمر علي المشهداني"), "M"), (parse_arabic("علي حسن المشهدي"), "M")]
    names += [(parse_latin(n), "M") for n in ("Hisham Omar al-Mashhadani", "Ali Hassan Mashadani", "Hissham Omar")]
    lexicon = build_lexicon(names)
    family = normalise_arabic("المشهداني")
    for name in ("Hisham Omar Ali al-Mashhadani", "Hisham Omar Ali al-Mashadani", "Hisham Omar Ali Al Mashhadani"):
        assert canonical(lexicon, name, "family") == family, name
    assert canonical(lexicon, "Hissham Omar") == normalise_arabic("هشام")
    assert latin_shapes("mashhadani")[0].skeleton == arabic_shape(family).skeleton
