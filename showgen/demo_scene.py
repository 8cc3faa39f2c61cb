"""The script of the synthetic demo show "Burger Centraal" (13 June 2024), as showgen.synth scenes.

- demo_scene():  the full demo recording (about 6 minutes), used by scripts/make_demo_recording.py.
- short_show_scene(): a ~90 s show with the same structure (chatter, host, 2 guests, hand-over, 2 guests,
  closing, applause), used by the test fixture `demo_like_recording`.
- long_scene(minutes): the demo's show lines repeated to fill N minutes (benchmarks).

Chapter titles follow /tmp/briefs/interfaces.md. Writes nothing; see showgen.synth.render.
"""

from __future__ import annotations

from showgen.synth import Applause, Chatter, Pause, Say, Scene, SoundCheck, Voice

HOST = Voice("Presentator", "nl+klatt", pitch=50, pan=0.0)
MARIJE = Voice("Marije Boerlaagh", "nl+klatt4", pitch=78, gain_db=-6.0, pan=-0.3)  # sits further from the mic
MIKE = Voice("Mike Brantjes", "nl+klatt2", pitch=35, pan=0.3)
JORNT = Voice("Jornt van Zuijlen", "nl+klatt3", pitch=45, pan=-0.3)
STEVEN = Voice("Steven Blok", "nl+klatt6", pitch=65, pan=0.3)

CHAPTERS = ("Opening", "Marije en Mike: de K-Buurt schrijft de participatieverordening",
            "Jornt en Steven: een systemische analyse", "Afsluiting")

OPENING = (
    Say(HOST, "Goedenavond allemaal, en welkom bij Burger Centraal.", 0.0, CHAPTERS[0]),
    Say(HOST, "Dit is de live podcast van Ambtenaar van Nu.", 0.5),
    Say(HOST, "We zijn vanavond bij EMMA in Den Haag.", 0.5),
    Say(HOST, "Het thema is vertrouwen tussen bewoners en de overheid.", 0.6),
)

PART_1 = (
    Say(HOST, "We beginnen met Marije Boerlaagh en Mike Brantjes.", 0.8, CHAPTERS[1]),
    Say(HOST, "Marije, jij bent gebiedsmakelaar bij de gemeente Amsterdam.", 0.6),
    Say(HOST, "Wat doe je precies?", 0.3),
    Say(MARIJE, "Ik werk in Amsterdam Zuidoost.", 0.7),
    Say(MARIJE, "Ik ben de verbinding tussen de buurt en de gemeente.", 0.4),
    Say(MARIJE, "Ik luister naar bewoners en ik breng hun vragen naar binnen.", 0.5),
    Say(HOST, "Mike, hoe ben jij bij de K-Buurt betrokken geraakt?", 0.8),
    Say(MIKE, "Ik woon al twintig jaar in de K-Buurt.", 0.6),
    Say(MIKE, "Met Hart voor de K-Buurt zetten we ons in voor de wijk.", 0.5),
    Say(MIKE, "Bewoners willen meepraten over hun eigen buurt.", 0.5),
    Say(MIKE, "Maar vaak voelt het alsof alles al besloten is.", 0.4),
    Say(HOST, "En toen gingen jullie zelf iets schrijven?", 0.9),
    Say(MIKE, "Ja. De bewoners schrijven zelf de participatieverordening.", 0.6),
    Say(MIKE, "Daarin staat hoe de gemeente met ons moet samenwerken.", 0.5),
    Say(MARIJE, "En de ambtenaren reageren daarop.", 0.7),
    Say(MARIJE, "Dat was voor ons ook nieuw en soms spannend.", 0.4),
    Say(MARIJE, "We moesten echt leren luisteren.", 0.5),
    Say(HOST, "Marije, wat heb je geleerd over vertrouwen?", 1.0),
    Say(MARIJE, "Vertrouwen komt te voet en gaat te paard.", 0.7),
    Say(MARIJE, "Je moet doen wat je zegt.", 0.5),
    Say(MARIJE, "En je moet eerlijk zijn als iets niet kan.", 0.4),
    Say(MIKE, "Dat klopt. Wij willen gewoon serieus genomen worden.", 0.6),
    Say(MIKE, "Niet alleen een keer per jaar op een avond.", 0.4),
    Say(HOST, "Mike, wat is jouw advies aan ambtenaren?", 1.0),
    Say(MIKE, "Kom naar de buurt. Drink een kop koffie met ons.", 0.7),
    Say(MIKE, "En kom terug, ook als het moeilijk wordt.", 0.5),
    Say(HOST, "Marije, wat doen de ambtenaren nu anders?", 0.9),
    Say(MARIJE, "We schrijven onze antwoorden in gewone taal.", 0.7),
    Say(MARIJE, "En we komen elke maand naar het buurthuis.", 0.5),
    Say(MARIJE, "Dan vertellen we wat er met de ideeen is gebeurd.", 0.4),
    Say(MIKE, "Dat merken wij. Er is meer vertrouwen dan vroeger.", 0.7),
    Say(MIKE, "Maar we zijn er nog niet.", 0.4),
)

HANDOVER = (
    Say(HOST, "Dank jullie wel, Marije en Mike.", 1.2),
)

PART_2 = (
    Say(HOST, "We gaan verder met Jornt van Zuijlen en Steven Blok.", 0.0, CHAPTERS[2]),
    Say(HOST, "Jornt, jij werkt aan lokale democratievernieuwing.", 0.6),
    Say(JORNT, "Klopt. Ik werk bij het programma Grenzeloos samenwerken.", 0.8),
    Say(JORNT, "We kijken hoe inwoners en overheid beter kunnen samenwerken.", 0.5),
    Say(JORNT, "Niet alleen bij de gemeente, maar over grenzen heen.", 0.4),
    Say(HOST, "Steven, jij schreef het boek Leren in Participatieland.", 0.9),
    Say(HOST, "Wat zie je als je naar de K-Buurt kijkt?", 0.3),
    Say(STEVEN, "Ik maak een systemische analyse.", 0.7),
    Say(STEVEN, "Ik kijk niet naar een persoon, maar naar het hele systeem.", 0.5),
    Say(STEVEN, "Regels, geld en gewoontes bepalen wat ambtenaren doen.", 0.5),
    Say(STEVEN, "Daarom loopt participatie vaak vast.", 0.4),
    Say(JORNT, "Dat herken ik. Goede bedoelingen zijn niet genoeg.", 0.8),
    Say(JORNT, "Het systeem moet ook veranderen.", 0.4),
    Say(HOST, "Steven, wat moet er dan anders?", 1.0),
    Say(STEVEN, "We moeten samen leren, bewoners en ambtenaren.", 0.6),
    Say(STEVEN, "En we moeten ruimte maken om te experimenteren.", 0.5),
    Say(STEVEN, "Fouten maken hoort daarbij.", 0.4),
    Say(JORNT, "Democratie is meer dan elke vier jaar stemmen.", 0.8),
    Say(JORNT, "Het gaat om hoe we elke dag samen beslissen.", 0.5),
    Say(HOST, "Jornt, wat kan het Rijk daarbij doen?", 1.0),
    Say(JORNT, "Het Rijk kan gemeenten helpen met kennis en tijd.", 0.7),
    Say(JORNT, "En we kunnen leren van buurten zoals de K-Buurt.", 0.5),
    Say(STEVEN, "Een verordening is een begin, geen eindpunt.", 0.8),
    Say(STEVEN, "Het gaat erom wat je er samen mee doet.", 0.4),
)

CLOSING = (
    Say(HOST, "Dank jullie wel, Jornt en Steven.", 1.2, CHAPTERS[3]),
    Say(HOST, "Dat was Burger Centraal, de live podcast van Ambtenaar van Nu.", 0.8),
    Say(HOST, "De verhalen van vanavond komen ook in ons magazine.", 0.6),
    Say(HOST, "Het slotevent is op zestien januari tweeduizend vijfentwintig.", 0.6),
    Say(HOST, "Dank jullie wel voor het luisteren, en tot ziens.", 0.6),
)


def demo_scene() -> Scene:
    """The full demo show (about 6 minutes): 40 s before, the show, 25 s of applause and chatter after."""
    return Scene(events=(
        Chatter(24.0, seed=11), SoundCheck(pause=0.4), Chatter(16.0, seed=12, pause=0.4), Pause(1.5),
        *OPENING, Applause(4.0, pause=0.4, seed=21), Pause(0.8),
        *PART_1, *HANDOVER, Applause(5.0, pause=0.3, seed=22), Pause(2.5),
        *PART_2, *CLOSING, Applause(9.0, pause=0.2, seed=23), Chatter(18.0, seed=13, pause=0.0),
    ))


def short_show_scene() -> Scene:
    """A ~90 s show with the demo's structure: 20 s chatter, host, 2 guests, hand-over, 2 guests, closing."""
    return Scene(events=(
        Chatter(14.0, seed=31), SoundCheck(pause=0.3), Chatter(5.0, seed=32, pause=0.3), Pause(1.2),
        OPENING[0], OPENING[1],
        PART_1[0], PART_1[1], PART_1[3], PART_1[6], PART_1[7], PART_1[12],
        *HANDOVER, Applause(3.0, pause=0.3, seed=41), Pause(2.0),
        PART_2[0], PART_2[2], PART_2[5], PART_2[7], PART_2[11],
        CLOSING[0], CLOSING[1], Applause(5.0, pause=0.2, seed=42), Chatter(6.0, seed=33),
    ))


def long_scene(minutes: float, sample_rate: int = 48000, cache_dir=None) -> Scene:
    """About `minutes` (within a few seconds) of show: chatter, opening, then the demo's discussion lines
    repeated in rounds (each round's chapters get "(ronde N)"), closing, applause and chatter.

    Speech arrays are shared between repeats, so memory stays at the size of one demo show.
    """
    from dataclasses import replace

    from showgen.synth import speak

    def seconds(event) -> float:
        if isinstance(event, Say):
            return event.pause + len(speak(event.text, event.voice, sample_rate, cache_dir)) / sample_rate
        if isinstance(event, Pause):
            return event.seconds
        return event.pause + event.seconds

    body = (*PART_1, *HANDOVER, Applause(5.0, pause=0.3, seed=22), Pause(2.5), *PART_2)
    edges = (Chatter(30.0, seed=11), Pause(1.5), *OPENING)
    ending = (*CLOSING, Applause(9.0, pause=0.2, seed=23), Chatter(20.0, seed=13))
    budget = minutes * 60 - sum(map(seconds, (*edges, *ending))) - 0.8
    events: list = list(edges)
    round_no, index = 1, 0
    while True:
        event = body[index]
        if seconds(event) > budget:
            break
        if isinstance(event, Say) and event.chapter:
            event = replace(event, chapter=f"{event.chapter} (ronde {round_no})")
        events.append(event)
        budget -= seconds(event)
        index = (index + 1) % len(body)
        round_no += index == 0
    return Scene(events=(*events, *ending))


CHAPTER_PEOPLE = ((HOST,), (MARIJE, MIKE), (JORNT, STEVEN), (HOST,))


def episode_plan_toml(chapters: bool = True) -> str:
    """The [[people]] (and [[chapters]]) blocks of an episode.toml for shows made from this scene."""
    lines = []
    for voice in (HOST, MARIJE, MIKE, JORNT, STEVEN):
        lines += ["[[people]]", f'name = "{voice.name}"'] + (['role = "host"'] if voice is HOST else [])
    for title, people in zip(CHAPTERS, CHAPTER_PEOPLE) if chapters else ():
        names = ", ".join(f'"{p.name}"' for p in people)
        lines += ["[[chapters]]", f'title = "{title}"', f"people = [{names}]"]
    return "\n".join(lines) + "\n"
