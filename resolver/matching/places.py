"""Country words: a name's place qualifier ("Iranian", "in Tehran", "-Somalia") tells bodies apart.

"Interior Ministry" of Iraq is not the "Iranian Interior Ministry"; "ISIS-Somalia" is not "ISIS".
The resolver asks :func:`place_of` which country a word of a mention names (by its name, demonym
or capital); when an entity's own aliases name countries and this is not one of them, the mention
names another body or another man (al-Iraqi is not al-Masri).  General knowledge, not data from
any store: every word maps to an ISO 3166 alpha-2 code.
"""

from __future__ import annotations

__all__ = ["place_of"]

# code: the country's own words (names, demonyms, capital), after normalisation (lower case, no
# accents, no article); only words that are rarely anything else.  "Korea" (north or south?),
# "Africa" (a continent) and "Jerusalem" (the Quds Force's own name) are left out.
_COUNTRIES = """
AF: afghanistan afghan afghani kabul
AL: albania albanian tirana
DZ: algeria algerian algiers
AO: angola angolan luanda
AR: argentina argentine argentinian
AM: armenia armenian yerevan
AU: australia australian canberra
AT: austria austrian vienna
AZ: azerbaijan azerbaijani azeri baku
BH: bahrain bahraini manama
BD: bangladesh bangladeshi dhaka
BY: belarus belarusian belorussian minsk
BE: belgium belgian brussels
BZ: belize belizean
BA: bosnia bosnian herzegovina sarajevo
BR: brazil brazilian brasilia
BG: bulgaria bulgarian
MM: burma burmese myanmar yangon naypyidaw
KH: cambodia cambodian phnom
CM: cameroon cameroonian
CA: canada canadian ottawa
CL: chile chilean
CN: china chinese beijing
CO: colombia colombian bogota
CU: cuba cuban havana
CY: cyprus cypriot nicosia
CZ: czech czechia prague
DK: denmark danish copenhagen
DJ: djibouti djiboutian
EG: egypt egyptian cairo misr
ER: eritrea eritrean asmara
ET: ethiopia ethiopian addis
FR: france french paris
GE: georgia georgian tbilisi
DE: germany german berlin deutschland
GR: greece greek athens
HK: hongkong
IN: india indian delhi
ID: indonesia indonesian jakarta
IR: iran iranian persia persian tehran teheran
IQ: iraq iraqi irak baghdad
IE: ireland irish dublin
IL: israel israeli
IT: italy italian rome
JP: japan japanese tokyo
JO: jordan jordanian amman
KZ: kazakhstan kazakh astana almaty
KE: kenya kenyan nairobi
KP: dprk pyongyang
KW: kuwait kuwaiti
KG: kyrgyzstan kyrgyz bishkek
LB: lebanon lebanese beirut
LY: libya libyan tripoli
MY: malaysia malaysian kuala
ML: mali malian bamako
MR: mauritania mauritanian nouakchott
MX: mexico mexican
MA: morocco moroccan rabat
NL: netherlands dutch holland amsterdam
NI: nicaragua nicaraguan managua
NE: niger nigerien niamey
NG: nigeria nigerian abuja lagos
NO: norway norwegian oslo
OM: oman omani muscat
PK: pakistan pakistani islamabad karachi
PS: palestine palestinian gaza
PA: panama panamanian
PE: peru peruvian
PH: philippines philippine filipino manila
PL: poland polish warsaw
PT: portugal portuguese lisbon
QA: qatar qatari doha
RO: romania romanian bucharest
RU: russia russian moscow rossiya rossii
SA: ksa saudi riyadh jeddah
SN: senegal senegalese dakar
RS: serbia serbian belgrade beograd
SG: singapore singaporean
SO: somalia somali mogadishu
KR: seoul
SS: juba
ES: spain spanish madrid
LK: lanka lankan colombo
SD: sudan sudanese khartoum
SE: sweden swedish stockholm
CH: switzerland swiss geneva zurich
SY: syria syrian damascus aleppo
TW: taiwan taiwanese taipei
TJ: tajikistan tajik dushanbe
TZ: tanzania tanzanian
TH: thailand thai bangkok
TN: tunisia tunisian tunis
TR: turkey turkish turkiye istanbul ankara
TM: turkmenistan turkmen ashgabat
UG: uganda ugandan kampala
UA: ukraine ukrainian kyiv kiev
AE: uae emirates emirati dubai abudhabi sharjah
GB: uk britain british england english london
US: usa america american washington
UZ: uzbekistan uzbek tashkent
VE: venezuela venezuelan caracas
VN: vietnam vietnamese hanoi
YE: yemen yemeni sanaa aden
ZW: zimbabwe zimbabwean harare
"""

_PLACES: dict[str, str] = {
    word: code
    for line in _COUNTRIES.strip().splitlines()
    for code, words in [line.split(":", 1)]
    for word in words.split()
}


def place_of(word: str) -> str | None:
    """The ISO country code a normalised word names ("iranian" -> "IR"), or None."""
    return _PLACES.get(word)
