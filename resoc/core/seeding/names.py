"""Plausible local names and municipalities for synthetic people, by country."""

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


@dataclass(frozen=True)
class NamePool:
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]


SERBIAN = NamePool(
    male=_words(
        "Marko, Nikola, Stefan, Miloš, Nemanja, Dragan, Zoran, Dejan, Aleksandar, Milan, "
        "Vladimir, Ivan, Dušan, Đorđe, Bojan, Goran, Srđan, Žarko, Predrag, Slobodan, "
        "Saša, Uroš, Lazar, Miroslav, Dalibor, Vukašin"
    ),
    female=_words(
        "Jelena, Milica, Ana, Marija, Ivana, Jovana, Snežana, Dragana, Tijana, Maja, "
        "Gordana, Vesna, Biljana, Ljiljana, Nataša, Đurđa, Kristina"
    ),
    family=_words(
        "Jovanović, Petrović, Nikolić, Marković, Đorđević, Stojanović, Ilić, Stanković, "
        "Pavlović, Milošević, Popović, Živković, Todorović, Kostić, Ristić, Radovanović, "
        "Mitić, Savić, Lazić, Đukić, Tomić, Obradović, Kovačević, Vasić, Simić, Krstić, "
        "Milenković, Stevanović, Cvetković, Jančić, Šarčević, Mladenović, Nedeljković, "
        "Vučković, Zdravković"
    ),
)

BOSNIAN = NamePool(
    male=_words(
        "Amir, Emir, Adnan, Haris, Kenan, Mirza, Edin, Nermin, Senad, Almir, Jasmin, "
        "Dženan, Tarik, Elvir, Samir, Ismet, Muhamed, Damir, Ante, Mladen"
    ),
    female=_words(
        "Amra, Lejla, Amela, Selma, Emina, Aida, Merima, Alma, Azra, Belma, Jasmina, "
        "Sanela, Dženana, Ajla"
    ),
    family=_words(
        "Hodžić, Hadžić, Begić, Delić, Kovačević, Mehmedović, Hasanović, Husić, "
        "Omerović, Mujić, Salihović, Softić, Šehić, Čaušević, Imamović, Ibrahimović, "
        "Alić, Karić, Zukić, Osmanović, Muratović, Džafić, Bešlagić, Jukić, Babić, "
        "Vidović"
    ),
)

ALBANIAN = NamePool(
    male=_words(
        "Arben, Besnik, Driton, Agron, Fatmir, Ilir, Kastriot, Gentian, Erion, Blerim, "
        "Valon, Artan, Luan, Endrit, Florian, Shkëlzen, Ardit, Bujar, Dritan, Ermal, "
        "Fitim, Gëzim"
    ),
    female=_words(
        "Drita, Arta, Blerta, Elira, Mimoza, Vjosa, Teuta, Fatjona, Lindita, Anila, "
        "Besa, Jonida, Albana, Ermira, Flutura, Shpresa"
    ),
    family=_words(
        "Hoxha, Krasniqi, Gashi, Berisha, Shala, Morina, Kelmendi, Bytyqi, Hysa, "
        "Dervishi, Leka, Kola, Prifti, Çela, Shehu, Muça, Dushku, Rama, Basha, Lika, "
        "Mehmeti, Zeka, Hasani, Bajrami, Thaçi, Llapashtica"
    ),
)

MONTENEGRIN = NamePool(
    male=_words(
        "Vuk, Luka, Balša, Nikola, Marko, Filip, Danilo, Petar, Vuksan, Miloš, Radovan, "
        "Budimir, Dragiša, Vesko, Mirko, Žarko"
    ),
    female=_words(
        "Milena, Jelena, Ana, Marija, Danijela, Milica, Tamara, Sanja, Jovana, Bojana, Ljubica"
    ),
    family=_words(
        "Vujović, Radović, Popović, Marković, Vujošević, Đukanović, Bulatović, Perović, "
        "Šćepanović, Lekić, Milić, Kaluđerović, Raičević, Krivokapić, Vukčević, Pejović, "
        "Ivanović, Bošković, Nikčević, Đurović"
    ),
)

# (pool, weight) per country: most people of a country carry its majority's names.
POOLS_BY_COUNTRY = {
    "RS": ((SERBIAN, 92), (BOSNIAN, 5), (ALBANIAN, 3)),
    "BA": ((BOSNIAN, 75), (SERBIAN, 25)),
    "XK": ((ALBANIAN, 90), (SERBIAN, 10)),
    "ME": ((MONTENEGRIN, 80), (ALBANIAN, 10), (BOSNIAN, 10)),
    "AL": ((ALBANIAN, 100),),
}

MUNICIPALITIES = {
    "RS": _words(
        "Beograd, Niš, Novi Sad, Kragujevac, Subotica, Zrenjanin, Pančevo, Čačak, "
        "Kraljevo, Smederevo, Leskovac, Valjevo, Kruševac, Vranje, Šabac, Užice, Sombor, "
        "Požarevac, Pirot, Zaječar, Sremska Mitrovica, Jagodina, Novi Pazar, Prokuplje"
    ),
    "BA": _words(
        "Sarajevo, Zenica, Tuzla, Mostar, Banja Luka, Bihać, Foča, Bijeljina, Travnik, "
        "Doboj, Goražde, Brčko, Visoko, Cazin"
    ),
    "XK": _words(
        "Prishtinë, Prizren, Pejë, Gjakovë, Mitrovicë, Ferizaj, Gjilan, Podujevë, "
        "Vushtrri, Lipjan, Istog, Suharekë"
    ),
    "ME": _words(
        "Podgorica, Nikšić, Bar, Bijelo Polje, Cetinje, Berane, Pljevlja, Budva, "
        "Herceg Novi, Kotor, Ulcinj, Danilovgrad"
    ),
    "AL": _words(
        "Tiranë, Durrës, Shkodër, Elbasan, Vlorë, Fier, Korçë, Berat, Lushnjë, Kukës, Krujë, Lezhë"
    ),
}

STAFF_ROLES = _words(
    "treatment officer, workshop instructor, security officer, social worker, "
    "psychologist, head of treatment, teacher, medical staff"
)
