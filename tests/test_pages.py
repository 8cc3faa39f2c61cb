"""The listener pages: transcript grouping (pure), the rendered HTML (lxml), and real behaviour in headless
Chromium: no console errors, a chapter click moves the player, lines highlight and seek, search filters."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from pipeline.config import load_show
from pipeline.publish import build_site
from pipeline.chapter import Chapter
from pipeline.publish.pages import duration_text, iso_duration, transcript_blocks, Heading, Turn
from pipeline.serve import make_server
from tests.browser import Browser, require_chromium
from tests.publishing import CHAPTERS, SEGMENTS, make_episode, make_show

SLUG = "2024-06-13-burger-centraal"


def seg(speaker, start, end, body):
    return {"speaker": speaker, "startTime": start, "endTime": end, "body": body}


# ---------------------------------------------------------------- transcript grouping (pure)


def test_turns_follow_speakers_and_chapters_start_headings():
    segments = [seg(*s) for s in SEGMENTS]
    blocks = transcript_blocks(segments, tuple(Chapter(s, t) for s, t in CHAPTERS))
    shape = [("H", b.title) if isinstance(b, Heading) else ("T", b.speaker, len(b.lines)) for b in blocks]
    assert shape == [("H", "Opening"), ("T", "Presentator", 2),
                     ("H", "Marije en Mike: de K-Buurt schrijft de participatieverordening"),
                     ("T", "Marije Boerlaagh", 1), ("T", "Mike Brantjes", 1),
                     ("H", "Afsluiting"), ("T", "Presentator", 1)]


def test_word_level_segments_join_into_sentence_lines():
    words = "Goedemiddag allemaal. Welkom bij Burger Centraal vandaag.".split()
    segments = [seg("Presentator", i * 0.4, i * 0.4 + 0.35, w) for i, w in enumerate(words)]
    (turn,) = transcript_blocks(segments)
    assert [line.text for line in turn.lines] == ["Goedemiddag allemaal.", "Welkom bij Burger Centraal vandaag."]
    assert turn.lines[1].start == pytest.approx(0.8) and turn.lines[1].end == pytest.approx(2.75)


def test_a_long_pause_ends_a_line_and_a_chapter_splits_a_turn():
    segments = [seg("A", 0.0, 1.0, "eerst"), seg("A", 4.0, 5.0, "later"), seg("A", 10.0, 11.0, "daarna")]
    blocks = transcript_blocks(segments, (Chapter(9.5, "Deel twee"),))
    assert isinstance(blocks[0], Turn) and [l.text for l in blocks[0].lines] == ["eerst", "later"]
    assert isinstance(blocks[1], Heading) and blocks[1].title == "Deel twee"
    assert [l.text for l in blocks[2].lines] == ["daarna"]


# ---------------------------------------------------------------- rendered HTML


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("show")
    make_show(folder)
    make_episode(folder)
    return build_site(load_show(folder / "config.toml")).parent


def _local_links(page: Path) -> list[str]:
    doc = lxml.html.parse(str(page)).getroot()
    links = []
    for element, attribute, link, _ in doc.iterlinks():
        parts = urlsplit(link)
        if not parts.scheme and not link.startswith("#"):
            links.append(unquote(parts.path))
    return links


def test_every_relative_link_of_the_pages_resolves_to_a_file(site):
    for page in (site / "index.html", site / "episodes" / SLUG / "index.html"):
        links = _local_links(page)
        assert links, page
        for link in links:
            assert (page.parent / link).resolve().is_file(), f"{page}: {link}"


def has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def test_episode_page_has_player_chapters_transcript_and_every_format(site):
    doc = lxml.html.parse(str(site / "episodes" / SLUG / "index.html")).getroot()
    assert doc.get("lang") == "nl"
    (audio,) = doc.xpath("//audio[@id='player']")
    assert audio.get("src") == f"{SLUG}.mp3"
    chapters = doc.xpath(f"//button[{has_class('chapter')}]")
    assert [(float(b.get("data-seek")), b.xpath("span")[0].text) for b in chapters] == CHAPTERS
    lines = doc.xpath(f"//*[@id='transcript']//p[{has_class('line')}]")
    assert [line.xpath(f"span[{has_class('text')}]")[0].text for line in lines] == [s[3] for s in SEGMENTS]
    assert [float(line.get("data-start")) for line in lines] == [s[1] for s in SEGMENTS]
    assert doc.xpath(f"//*[@id='transcript']//p[{has_class('speaker')}]/text()") == [
        "Presentator", "Marije Boerlaagh", "Mike Brantjes", "Presentator"]
    hrefs = set(doc.xpath("//a/@href"))
    for name in (f"{SLUG}.vtt", f"{SLUG}.srt", f"{SLUG}.transcript.json", f"{SLUG}.txt",
                 f"{SLUG}.chapters.json", f"{SLUG}.mp3", "https://podcast.example.nl/burger/feed.xml"):
        assert name in hrefs
    assert doc.xpath("//label[@for='transcript-search']") and doc.xpath("//input[@id='transcript-search']")


def test_durations_are_honest_to_the_second():
    assert duration_text(275.2) == "4 min 35 s" and iso_duration(275.2) == "PT4M35S"  # not "5 min"
    assert duration_text(3723) == "1 uur 2 min 3 s" and iso_duration(3723) == "PT1H2M3S"
    assert duration_text(3600) == "1 uur 0 min 0 s" and duration_text(12.4) == "12 s"


def test_people_get_one_role_label_and_the_page_the_real_length(site):
    from tests.helpers import duration

    doc = lxml.html.parse(str(site / "episodes" / SLUG / "index.html")).getroot()
    people = doc.xpath(f"//ul[{has_class('people')}]/li")
    roles = [li.xpath(f"span[{has_class('role')}]/text()") for li in people]
    assert roles == [[], ["gast"], ["gast"]]  # the host's description already says "presentator"
    assert [li.xpath(f"span[{has_class('about')}]/text()")[0] for li in people][0] == "presentator van Burger Centraal"
    assert "presentatie" not in lxml.html.tostring(doc, encoding="unicode").lower()
    seconds = duration(site / "episodes" / SLUG / f"{SLUG}.mp3")  # ffprobe
    kicker = doc.xpath(f"//p[{has_class('kicker')}]/time[last()]")[0]
    assert kicker.text == duration_text(seconds) and kicker.get("datetime") == iso_duration(seconds)
    assert kicker.text == "12 s"


def test_show_page_lists_episodes_and_how_to_subscribe(site):
    doc = lxml.html.parse(str(site / "index.html")).getroot()
    assert doc.xpath("//input[@id='feed-url']/@value") == ["https://podcast.example.nl/burger/feed.xml"]
    apps = [a.text_content() for a in doc.xpath(f"//ul[{has_class('apps')}]//a")]
    assert apps == ["Open in Apple Podcasts", "Open in AntennaPod", "Open in Pocket Casts", "Open in Overcast"]
    assert doc.xpath(f"//li[{has_class('episode-card')}]//h3/a/@href") == [f"episodes/{SLUG}/index.html"]


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser():
    executable = require_chromium()
    b = Browser(executable)
    yield b
    b.close()


@pytest.fixture(scope="module")
def served(site):
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


WAIT_METADATA = """new Promise(resolve => {
  const audio = document.getElementById("player");
  if (audio.readyState >= 1) return resolve(audio.duration);
  audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
  audio.addEventListener("error", () => resolve(-1));
  setTimeout(() => resolve(-2), 15000);
})"""


def test_clicking_a_chapter_moves_the_player_to_its_start(browser, served):
    browser.goto(f"{served}episodes/{SLUG}/")
    assert browser.eval(WAIT_METADATA, await_promise=True) == pytest.approx(12.0, abs=0.2)
    browser.eval("""window.seeks = []; document.getElementById("player").addEventListener("seeking",
                 e => window.seeks.push(e.target.currentTime))""")
    browser.click(".chapter[data-seek='9.000']")
    assert browser.wait_for("window.seeks.length > 0")
    assert browser.eval("window.seeks[0]") == pytest.approx(9.0, abs=0.01)
    current = browser.eval("document.getElementById('player').currentTime")
    assert 9.0 - 0.01 <= current < 10.5  # it may have played on a little since
    # The chapter and the transcript line at that time are highlighted.
    assert browser.wait_for("document.querySelector('.chapter.current')?.dataset.seek === '9.000'")
    assert browser.wait_for("document.querySelector('#transcript .line.current')?.dataset.start === '9.000'")
    assert browser.errors() == []


def test_clicking_a_transcript_line_seeks_and_search_filters(browser, served):
    browser.goto(f"{served}episodes/{SLUG}/")
    browser.eval(WAIT_METADATA, await_promise=True)
    browser.eval("document.getElementById('player').pause()")
    browser.click("#transcript .line[data-start='5.000'] .text")
    assert browser.wait_for("Math.abs(document.getElementById('player').currentTime - 5) < 1.5")
    assert browser.eval("document.getElementById('player').currentTime") >= 4.99

    browser.type_text("#transcript-search", "ambtenaren")
    visible = browser.eval("""[...document.querySelectorAll('#transcript .line')].filter(l => !l.hidden)
                              .map(l => l.querySelector('.text').textContent)""")
    assert visible == ["En de ambtenaren reageerden daarop."]
    assert browser.eval("document.querySelector('#transcript mark').textContent") == "ambtenaren"
    assert browser.eval("document.getElementById('search-status').textContent") == "1 regel gevonden."
    assert browser.errors() == []


def test_pages_open_from_the_folder_without_errors(browser, site):
    for page in (site / "index.html", site / "episodes" / SLUG / "index.html"):
        browser.goto(page.as_uri())
        assert browser.eval("document.querySelector('h1').textContent")
        assert browser.errors() == [], page
    browser.eval(WAIT_METADATA, await_promise=True)
    browser.click(".chapter[data-seek='5.000']")
    assert browser.wait_for("Math.abs(document.getElementById('player').currentTime - 5) < 1.5")


def test_an_episode_without_transcript_still_gets_a_page(tmp_path):
    make_show(tmp_path)
    make_episode(tmp_path, transcripts=False)
    site = build_site(load_show(tmp_path / "config.toml")).parent
    doc = lxml.html.parse(str(site / "episodes" / SLUG / "index.html")).getroot()
    assert not doc.xpath("//*[@id='transcript']")
    assert "nog geen transcript" in doc.text_content()
    assert len(doc.xpath(f"//button[{has_class('chapter')}]")) == len(CHAPTERS)
