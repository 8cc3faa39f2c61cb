"""The review studio in real Chromium (Selenium + Debian's chromedriver): the page loads without console
errors, lists every chapter and CHECK, plays a decision from just before it; a person types a chapter start,
names a voice, corrects a word and applies; ffprobe, the feed's transcript and the editors' document show it."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import tomllib

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.helpers import ffprobe
from tests.review_studio import Studio, line_and_its_voice
from tests.test_review import feed_transcript

pytestmark = pytest.mark.slow
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--mute-audio",
         "--autoplay-policy=no-user-gesture-required", "--window-size=1400,1000"]


@pytest.fixture
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "Chromium and chromedriver are needed (scripts/install.sh installs chromium and " \
                                "chromium-driver)"
    profile = tempfile.mkdtemp(prefix="chromium-review-")
    options = webdriver.ChromeOptions()
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    yield session
    session.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(produced_episode, browser):
    """The studio of a freshly restored episode, open in Chromium and loaded: (browser, folder)."""
    folder = produced_episode.fresh()
    studio = Studio(folder)
    try:
        browser.get(studio.url)
        wait_for(browser, "return document.body.dataset.ready")
        yield browser, folder
    finally:
        studio.close()


def wait_for(browser, script: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(script)


def errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def saved(browser, what: str) -> None:
    message = wait_for(browser, f"""const m = document.getElementById("message");
        return m.textContent.includes({json.dumps(what)}) && m.textContent""")
    assert message.startswith("Bewaard"), message


def test_page_lists_every_decision_and_plays_from_just_before(page):
    browser, folder = page
    wait_for(browser, "return window.review.player().getDuration() > 0")
    assert errors(browser) == []
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    chapters = browser.find_element(By.ID, "chapters").text
    for chapter in report["chapters"]:
        assert chapter["title"] in chapters
    shown = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#checks li.check .text")]
    assert shown == [w.split(": ", 1)[1] for w in report["warnings"]]

    third = report["chapters"][2]["start"]
    browser.find_element(By.CSS_SELECTOR, "#chapters tr[data-n='3'] button.play").click()
    wait_for(browser, "return window.review.player().isPlaying()")
    position = browser.execute_script("return window.review.player().getCurrentTime()")
    assert third - 5.0 <= position <= third - 5.0 + 2.0, (third, position)
    for button in browser.find_elements(By.CSS_SELECTOR, "#checks li.check button.play")[:1]:
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)  # not under the sticky header
        button.click()
        time.sleep(0.5)
        position = browser.execute_script("return [window.review.player().getCurrentTime(), "
                                          "window.review.recording().getCurrentTime()]")
        check = browser.execute_script("return window.review.state().checks.find(c => c.time !== null)")
        heard = position[1] if check["timeline"] == "recording" else position[0]
        assert max(0.0, check["time"] - 5.0) <= heard <= max(0.0, check["time"] - 5.0) + 2.0
    assert errors(browser) == []


def test_drag_a_chapter_marker_and_save(page):
    browser, folder = page
    wait_for(browser, "return window.review.player().getDuration() > 0")
    wave = browser.find_element(By.CSS_SELECTOR, "#wave > div")
    marker = wave.shadow_root.find_element(By.CSS_SELECTOR, "[part~='chapter-3']")
    field = browser.find_element(By.CSS_SELECTOR, "#chapters tr[data-n='3'] input.start")
    shown = field.get_attribute("value")
    before = seconds(shown)
    width, duration = wave.rect["width"], browser.execute_script("return window.review.player().getDuration()")
    ActionChains(browser).move_to_element_with_offset(marker, 0, 20).click_and_hold() \
        .move_by_offset(30, 0).move_by_offset(30, 0).release().perform()
    after = seconds(wait_for(browser, f"""const v = document.querySelector("#chapters tr[data-n='3'] input.start")
        .value; return v !== {json.dumps(shown)} && v"""))
    assert after - before == pytest.approx(60 / width * duration, abs=0.5)
    browser.find_element(By.CSS_SELECTOR, "#chapters tr[data-n='3'] button.save").click()
    saved(browser, "start van hoofdstuk 3")
    written = tomllib.loads((folder / "episode.toml").read_text(encoding="utf-8"))["chapters"][2]["start"]
    assert seconds(written) == pytest.approx(after, abs=0.001)


def seconds(clock: str) -> float:
    parts = [float(p) for p in clock.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))


def test_type_name_correct_apply_in_the_browser(page, produced_episode):
    browser, folder = page
    state = browser.execute_script("return window.review.state()")

    new_start = round(state["chapters"][1]["start"] + 3.0, 3)
    field = browser.find_element(By.CSS_SELECTOR, "#chapters tr[data-n='2'] input.start")
    field.clear()
    field.send_keys(f"{int(new_start // 60):02d}:{new_start % 60:06.3f}")
    browser.find_element(By.CSS_SELECTOR, "#chapters tr[data-n='2'] button.save").click()
    saved(browser, "start van hoofdstuk 2")

    line, voice, person = line_and_its_voice(state)
    row = browser.find_element(By.CSS_SELECTOR, f"#voices tr[data-voice='{voice['voice']}']")
    Select(row.find_element(By.TAG_NAME, "select")).select_by_visible_text(person)
    row.find_element(By.CSS_SELECTOR, "button.save").click()
    saved(browser, f"naam van {voice['voice']}")

    item = browser.find_element(By.CSS_SELECTOR, f"#transcript li[data-n='{line['n']}']")
    item.find_element(By.CSS_SELECTOR, "button.edit").click()
    words = line["text"].split()
    corrected = " ".join(words[:-1] + ["Wijnhavenkwartier."])
    text = item.find_element(By.CSS_SELECTOR, "input.text")
    text.clear()
    text.send_keys(corrected)
    item.find_element(By.CSS_SELECTOR, "button.save").click()
    saved(browser, f"regel {line['n']}")

    browser.find_element(By.ID, "apply").click()
    state_of_apply = wait_for(browser, """const s = document.getElementById("apply-state").dataset.state;
        return (s === "done" || s === "failed") && s""", timeout=600)
    assert state_of_apply == "done", browser.find_element(By.ID, "apply-state").text
    wait_for(browser, """return document.getElementById("message").textContent.startsWith("Toegepast")""")
    assert "Wijnhavenkwartier." in browser.find_element(By.ID, "transcript").text
    assert errors(browser) == []

    chapters = ffprobe(folder / f"{folder.name}.mp3", "-show_chapters")["chapters"]
    assert abs(float(chapters[1]["start_time"]) - new_start) <= 0.05
    segments = feed_transcript(produced_episode.show, folder.name)["segments"]
    fixed = [s for s in segments if "Wijnhavenkwartier." in s["body"]]
    assert fixed and all(s.get("speaker") == person for s in fixed), fixed
    markdown = (folder / "editor" / f"{folder.name}.md").read_text(encoding="utf-8")
    assert "Wijnhavenkwartier." in markdown and f"**{person}**" in markdown


def test_text_from_the_episode_is_shown_as_text_never_run(produced_episode, browser):
    folder = produced_episode.fresh()
    toml = folder / "episode.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('title = "Testaflevering"', 'title = "<script>window.pwned = 1</script>Aflevering"', 1)
    text = text.replace('title = "Opening"', 'title = "<img src=x onerror=\\"window.pwned = 2\\">Opening"', 1)
    toml.write_text(text, encoding="utf-8")
    studio = Studio(folder)
    try:
        browser.get(studio.url)
        wait_for(browser, "return document.body.dataset.ready")
        assert browser.find_element(By.TAG_NAME, "h1").text == "<script>window.pwned = 1</script>Aflevering"
        assert '<img src=x onerror="window.pwned = 2">Opening' in browser.find_element(By.ID, "chapters").text
        assert browser.execute_script("return window.pwned === undefined && document.images.length === 0")
    finally:
        studio.close()
