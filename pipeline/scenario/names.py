"""Iraqi Arabic name pools and the Latin spellings each name reaches English with.

Each entry: (Arabic, [Latin variants, most usual first], weight). Weights give Zipf-like
frequencies: Mohammed and Ahmed are everywhere, most names are rare. Independent of the
pipeline's transliteration on purpose: the linker must cope with spellings it did not write.
"""

MALE = [
    ("محمد", ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad"], 60),
    ("أحمد", ["Ahmed", "Ahmad", "Ahmet"], 40),
    ("علي", ["Ali", "Aly"], 30),
    ("عمر", ["Omar", "Umar", "Omer"], 22),
    ("يونس", ["Younis", "Yunus", "Younes", "Yunis"], 18),
    ("خالد", ["Khalid", "Khaled"], 16),
    ("حسين", ["Hussein", "Husayn", "Hussain", "Hussien"], 16),
    ("حسن", ["Hassan", "Hasan"], 14),
    ("عبد الله", ["Abdullah", "Abdallah", "Abd Allah", "Abdulla"], 20),
    ("عبد الرحمن", ["Abdulrahman", "Abd al-Rahman", "Abdelrahman", "Abdul Rahman"], 12),
    ("عبد الكريم", ["Abdulkarim", "Abd al-Karim", "Abdul Kareem"], 6),
    ("عبد العزيز", ["Abdulaziz", "Abd al-Aziz", "Abdul Aziz"], 5),
    ("ابراهيم", ["Ibrahim", "Ebrahim", "Ibraheem"], 12),
    ("يوسف", ["Yousif", "Yusuf", "Yousef", "Youssef"], 12),
    ("محمود", ["Mahmoud", "Mahmud", "Mahmood"], 12),
    ("مصطفى", ["Mustafa", "Mostafa", "Mustapha"], 9),
    ("ذنون", ["Thanoon", "Dhanun", "Thanun", "Zanoon"], 8),
    ("سالم", ["Salem", "Salim"], 8),
    ("صالح", ["Saleh", "Salih"], 8),
    ("جاسم", ["Jasim", "Jassim", "Jasem"], 7),
    ("فاضل", ["Fadhil", "Fadel", "Fadil"], 5),
    ("سعد", ["Saad", "Sa'ad"], 7),
    ("فيصل", ["Faisal", "Faysal", "Feisal"], 4),
    ("ياسر", ["Yasser", "Yasir", "Yaser"], 6),
    ("رائد", ["Raed", "Ra'id", "Raid"], 5),
    ("زياد", ["Ziad", "Ziyad", "Zeyad"], 5),
    ("وليد", ["Waleed", "Walid"], 5),
    ("نبيل", ["Nabil", "Nabeel"], 3),
    ("طارق", ["Tariq", "Tarek", "Tareq"], 4),
    ("قاسم", ["Qasim", "Kassim", "Qassem"], 4),
    ("حامد", ["Hamid", "Hamed"], 4),
    ("حميد", ["Hameed", "Humaid"], 3),
    ("كريم", ["Karim", "Kareem"], 3),
    ("ماجد", ["Majid", "Majed"], 3),
    ("مهند", ["Muhannad", "Mohanad", "Muhanad"], 4),
    ("اياد", ["Ayad", "Iyad", "Eyad"], 3),
    ("عماد", ["Imad", "Emad"], 3),
    ("هشام", ["Hisham", "Hesham"], 3),
    ("بشار", ["Bashar", "Bashshar"], 2),
    ("نوفل", ["Nawfal", "Nofal"], 2),
    ("شهاب", ["Shihab", "Shehab"], 2),
    ("غانم", ["Ghanim", "Ghanem"], 3),
    ("سلطان", ["Sultan", "Soltan"], 2),
    ("عثمان", ["Othman", "Uthman", "Osman"], 3),
    ("حمزة", ["Hamza", "Hamzah"], 3),
    ("أنس", ["Anas", "Enes"], 2),
    ("بكر", ["Bakr", "Baker"], 2),
    ("مؤيد", ["Muayad", "Moayad", "Mu'ayyad"], 2),
    ("لؤي", ["Luay", "Louay", "Lu'ay"], 2),
    ("نزار", ["Nizar", "Nezar"], 2),
    ("آدم", ["Adam", "Aadam"], 2),
    ("ريان", ["Rayan", "Rayyan"], 2),
    ("سيف", ["Saif", "Sayf", "Seif"], 3),
    ("زيد", ["Zaid", "Zayd", "Zeid"], 3),
    ("نعمان", ["Nu'man", "Noman", "Numan"], 1),
    ("مازن", ["Mazin", "Mazen"], 2),
    ("أيمن", ["Ayman", "Aymen"], 2),
    ("عدنان", ["Adnan", "Adnaan"], 2),
    ("خليل", ["Khalil", "Khaleel"], 2),
    ("اسماعيل", ["Ismail", "Ismael", "Esmail"], 2),
]

FEMALE = [
    ("فاطمة", ["Fatima", "Fatma", "Fatimah"], 20),
    ("زينب", ["Zainab", "Zeinab", "Zaynab"], 16),
    ("مريم", ["Maryam", "Mariam", "Miriam"], 12),
    ("عائشة", ["Aisha", "Aysha", "Ayesha"], 10),
    ("خديجة", ["Khadija", "Khadeeja", "Khadijah"], 9),
    ("نور", ["Noor", "Nour", "Nur"], 9),
    ("سارة", ["Sara", "Sarah"], 8),
    ("هدى", ["Huda", "Hoda"], 6),
    ("أسماء", ["Asmaa", "Asma", "Esma"], 6),
    ("رقية", ["Ruqaya", "Roqaya", "Ruqayyah"], 5),
    ("شيماء", ["Shaimaa", "Shayma", "Shaima"], 4),
    ("سعاد", ["Suad", "Souad", "Su'ad"], 4),
    ("انتصار", ["Intisar", "Entisar", "Intesar"], 3),
    ("ليلى", ["Layla", "Leila", "Laila"], 5),
    ("هناء", ["Hanaa", "Hana", "Hanaa'"], 4),
    ("وفاء", ["Wafaa", "Wafa"], 3),
    ("رنا", ["Rana", "Ranaa"], 3),
    ("سناء", ["Sanaa", "Sana"], 3),
    ("أمل", ["Amal", "Aml"], 4),
    ("اسراء", ["Israa", "Esraa", "Isra"], 4),
    ("آمنة", ["Amina", "Aminah", "Amena"], 4),
    ("حليمة", ["Halima", "Haleema"], 2),
    ("سلمى", ["Salma", "Selma"], 3),
    ("رحاب", ["Rehab", "Rihab"], 2),
    ("بشرى", ["Bushra", "Boushra"], 2),
    ("منى", ["Muna", "Mona"], 3),
    ("دعاء", ["Duaa", "Doaa", "Du'a"], 3),
    ("غفران", ["Ghufran", "Ghofran"], 2),
    ("نادية", ["Nadia", "Nadya"], 2),
    ("جميلة", ["Jamila", "Jameela"], 2),
]

FAMILY = [
    ("الجبوري", ["al-Jubouri", "Jubouri", "Al Jubouri", "el-Jbouri", "al-Jabouri"], 12),
    ("العبيدي", ["al-Obeidi", "Obeidi", "Al Ubaidi", "al-Ubaydi"], 9),
    ("الطائي", ["al-Tai", "Tai", "Al Taie", "al-Ta'i"], 7),
    ("الحمداني", ["al-Hamdani", "Hamdani", "Al Hamadani"], 6),
    ("الشمري", ["al-Shammari", "Shammari", "Al Shamari"], 6),
    ("الدليمي", ["al-Dulaimi", "Dulaimi", "Al Dulaymi"], 5),
    ("الجحيشي", ["al-Juhaishi", "Juhaishi", "Al Jhayshi"], 3),
    ("السبعاوي", ["al-Sabawi", "Sabawi", "Al Sabaawi"], 3),
    ("اللهيبي", ["al-Lahibi", "Lahibi", "Al Luhaibi"], 3),
    ("الحيالي", ["al-Hayali", "Hayali", "Al Hayyali"], 3),
    ("العمري", ["al-Omari", "Omari", "Al Umari"], 4),
    ("البدراني", ["al-Badrani", "Badrani", "Al Badrany"], 3),
    ("التكريتي", ["al-Tikriti", "Tikriti", "Al Takriti"], 2),
    ("الخاتوني", ["al-Khatoni", "Khatouni", "Al Khatuni"], 2),
    ("الموصلي", ["al-Mosuli", "Mosuli", "Al Mawsili"], 4),
    ("الشرابي", ["al-Sharabi", "Sharabi", "Al Sharaby"], 2),
    ("النعيمي", ["al-Nuaimi", "Nuaimi", "Al Naimi"], 4),
    ("الحديدي", ["al-Hadidi", "Hadidi", "Al Hadeedi"], 3),
    ("الزبيدي", ["al-Zubaidi", "Zubaidi", "Al Zubaydi"], 3),
    ("العزاوي", ["al-Azzawi", "Azzawi", "Al Azawi"], 3),
    ("البياتي", ["al-Bayati", "Bayati", "Al Bayaty"], 2),
    ("الراوي", ["al-Rawi", "Rawi", "Al Rawy"], 2),
    ("السامرائي", ["al-Samarrai", "Samarrai", "Al Samarraie"], 2),
    ("الكبيسي", ["al-Kubaisi", "Kubaisi", "Al Kubeisi"], 2),
    ("الصفار", ["al-Saffar", "Saffar", "Al Safar"], 2),
    ("الحسيني", ["al-Husseini", "Husseini", "Al Hussaini"], 2),
    ("القيسي", ["al-Qaisi", "Qaisi", "Al Kaisi"], 2),
    ("المشهداني", ["al-Mashhadani", "Mashhadani", "Al Mashadani"], 2),
    ("الدباغ", ["al-Dabbagh", "Dabbagh", "Al Dabagh"], 2),
    ("الطحان", ["al-Tahhan", "Tahhan", "Al Tahan"], 1),
]


def arabic_spelling_variant(text: str, rng) -> str:
    """A clerk's variant: hamza dropped, taa marbuta as haa, alef maqsura as yaa, compound joined."""
    out = text
    if rng.random() < 0.5:
        out = out.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    if rng.random() < 0.35:
        out = out.replace("ة", "ه")
    if rng.random() < 0.2:
        out = out.replace("ى", "ي")
    if rng.random() < 0.4:
        out = out.replace("عبد ", "عبد")
    return out
