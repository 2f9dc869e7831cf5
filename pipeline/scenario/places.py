"""The simulator's own list of Mosul neighbourhoods (independent of the pipeline's gazetteer).

(key, Arabic, Latin spellings in use, bank, lat, lon, old_city)
"""

NEIGHBOURHOODS = [
    ("zuhur", "الزهور", ["al-Zuhur", "Zuhur", "Al Zuhoor"], "east", 36.362, 43.178, False),
    ("muthanna", "المثنى", ["al-Muthanna", "Muthanna", "Al Muthana"], "east", 36.378, 43.165, False),
    ("quds", "القدس", ["al-Quds", "Quds", "Al Qods"], "east", 36.352, 43.196, False),
    ("karama", "الكرامة", ["al-Karama", "Karama", "Al Karamah"], "east", 36.343, 43.186, False),
    ("intisar", "الانتصار", ["al-Intisar", "Intisar", "Al Intissar"], "east", 36.318, 43.186, False),
    ("sukkar", "السكر", ["al-Sukkar", "Sukkar", "Al Sukar"], "east", 36.370, 43.152, False),
    ("tahrir", "التحرير", ["al-Tahrir", "Tahrir", "Al Tahreer"], "east", 36.381, 43.180, False),
    ("nabi_younis", "النبي يونس", ["al-Nabi Younis", "Nabi Yunus", "Nebi Younis"], "east", 36.352, 43.159, False),
    ("gogjali", "كوكجلي", ["Gogjali", "Kokjali", "Gokjali"], "east", 36.364, 43.243, False),
    ("arabi", "العربي", ["al-Arabi", "Arabi", "Al Arabi"], "east", 36.389, 43.153, False),
    ("hadba", "الحدباء", ["al-Hadba", "Hadba", "Al Hadbaa"], "east", 36.398, 43.143, False),
    ("mithaq", "الميثاق", ["al-Mithaq", "Mithaq", "Al Methaq"], "east", 36.334, 43.168, False),
    ("sadiqiya", "الصديقية", ["al-Sadiqiya", "Sadiqiya", "Al Sadeqiya"], "east", 36.360, 43.145, False),
    ("wahda", "الوحدة", ["al-Wahda", "Wahda", "Al Wahdah"], "east", 36.330, 43.155, False),
    ("zahraa", "الزهراء", ["al-Zahraa", "Zahraa", "Al Zahra"], "east", 36.372, 43.190, False),
    ("jadida", "الجديدة", ["al-Jadida", "Jadida", "Al Jadidah", "Jedida"], "west", 36.339, 43.100, False),
    ("zanjili", "الزنجيلي", ["al-Zanjili", "Zanjili", "Al Zinjili", "Zinjili"], "west", 36.352, 43.118, False),
    ("shifa", "الشفاء", ["al-Shifa", "Shifa", "Al Shifaa"], "west", 36.357, 43.125, False),
    ("najjar", "النجار", ["al-Najjar", "Najjar", "Al Najar"], "west", 36.333, 43.111, False),
    ("rifai", "الرفاعي", ["al-Rifai", "Rifai", "Al Refai"], "west", 36.348, 43.104, False),
    ("thawra", "الثورة", ["al-Thawra", "Thawra", "Al Thawrah"], "west", 36.326, 43.117, False),
    ("bab_al_tob", "باب الطوب", ["Bab al-Tob", "Bab al-Toub", "Bab Altob"], "west", 36.339, 43.132, True),
    ("bab_sinjar", "باب سنجار", ["Bab Sinjar", "Bab Sinjer", "Bab al-Sinjar"], "west", 36.347, 43.127, True),
    ("maidan", "الميدان", ["al-Maidan", "Maidan", "Al Midan"], "west", 36.346, 43.137, True),
    ("farouq", "الفاروق", ["al-Farouq", "Farouk", "Al Faruq"], "west", 36.343, 43.130, True),
    ("shahwan", "الشهوان", ["al-Shahwan", "Shahwan", "Al Shahwan"], "west", 36.338, 43.127, True),
    ("yarmouk", "اليرموك", ["al-Yarmouk", "Yarmuk", "Al Yarmook"], "west", 36.330, 43.093, False),
    ("tayaran", "الطيران", ["al-Tayaran", "Tayaran", "Al Tayran"], "west", 36.310, 43.128, False),
    ("mansour", "المنصور", ["al-Mansour", "Mansour", "Al Mansur"], "west", 36.319, 43.098, False),
    ("wadi_hajar", "وادي حجر", ["Wadi Hajar", "Wadi Hajjar", "Wadi al-Hajar"], "west", 36.303, 43.116, False),
    ("tammuz_17", "17 تموز", ["Tammuz 17", "17 Tammuz", "17th of July"], "west", 36.365, 43.100, False),
    ("resala", "الرسالة", ["al-Resala", "Risala", "Al Rasala"], "west", 36.318, 43.107, False),
    ("nablus", "نابلس", ["Nablus", "Nablis", "al-Nablus"], "west", 36.324, 43.086, False),
    ("old_city", "المدينة القديمة", ["Old City", "the Old City", "old city of Mosul"], "west", 36.341, 43.134, True),
    ("mosul_jadida", "الموصل الجديدة", ["Mosul al-Jadida", "New Mosul", "Mosul Jadida"], "west", 36.325, 43.095, False),
    ("ismailiya", "الاسماعيلية", ["al-Ismailiya", "Ismailiya", "Al Ismaeliya"], "west", 36.335, 43.122, False),
]

BANK_AR = {"east": "الساحل الايسر", "west": "الساحل الايمن"}
BANK_LATIN = {"east": "east Mosul", "west": "west Mosul"}
