// The review studio's page: shows the episode from GET /api/episode, saves through the JSON API and applies.
// Every text from the episode goes into the page through textContent (never innerHTML).
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const LEAD_IN = 5; // seconds: a decision is heard from this long before it
const VOICE_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"];

let state = null; // the last GET /api/episode
let wave = null; // wavesurfer of the published audio
let markers = null; // its regions plugin
let recording = null; // wavesurfer of the recording (trim points)
let recordingMarkers = null;
let words = []; // every word of the transcript: {start, end, node}
let currentWord = null;

// ---------------------------------------------------------------- small helpers

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clock(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return (h ? pad(h) + ":" : "") + pad(m) + ":" + pad(s) + "." + pad(ms % 1000, 3);
}

function parseTime(text) {
  // "83.5", "01:23.500" or "00:01:23.500" -> seconds; null when empty; NaN when unreadable
  text = String(text).trim();
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d{1,3})?)$/.exec(text);
  if (!match) return NaN;
  return Math.round(((Number(match[1] || 0) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000) / 1000;
}

function say(text, kind = "ok") {
  const message = document.getElementById("message");
  message.textContent = text;
  message.className = kind;
}

async function api(method, path, body) {
  const options = { method, headers: { "X-Review-Token": TOKEN } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

async function save(path, body, file, what) {
  try {
    const result = await api("PUT", path, { ...body, version: state.versions[file] });
    state.versions = result.versions;
    say(`Bewaard: ${what}. Klik op Toepassen om de pipeline te laten volgen.`);
    return true;
  } catch (error) {
    say(`Niet bewaard (${what}): ${error.message}`, "error");
    return false;
  }
}

// ---------------------------------------------------------------- players

function playAt(player, seconds) {
  const target = Math.max(0, seconds);
  const start = () => { player.setTime(target); player.play(); };
  if (player.getDuration() > 0) start();
  else player.once("ready", start);
}

function hear(time, timeline) {
  if (time === null || time === undefined) return;
  playAt(timeline === "recording" ? recording : wave, time - LEAD_IN);
}

async function peaks(timeline) {
  const response = await fetch(`/api/peaks?timeline=${timeline}&buckets=4000`);
  if (!response.ok) return null;
  return response.json();
}

async function makePlayers() {
  const published = await peaks("published");
  if (published && !wave) {
    markers = WaveSurfer.Regions.create();
    wave = WaveSurfer.create({
      container: "#wave", url: state.playable.published ? "/media/published" : undefined,
      peaks: [published.max, published.min],
      duration: published.duration, height: 110, waveColor: "#8aa9c9", progressColor: "#3a6ea5",
      normalize: true, plugins: [markers, WaveSurfer.Timeline.create({ container: "#timeline" }),
        WaveSurfer.Minimap.create({ height: 28, waveColor: "#bbb", progressColor: "#888" })],
    });
    wave.on("timeupdate", follow);
    markers.on("region-updated", region => {
      if (region.id.startsWith("chapter-")) {
        const input = document.querySelector(`#chapters tr[data-n="${region.id.slice(8)}"] input.start`);
        if (input) input.value = clock(region.start);
      }
    });
    document.getElementById("play").addEventListener("click", () => wave.playPause());
    document.getElementById("zoom").addEventListener("input", event => {
      if (wave.getDuration() > 0) wave.zoom(Number(event.target.value));
    });
  } else if (published && wave) {
    wave.load("/media/published?v=" + Date.now(), [published.max, published.min], published.duration);
  }
  const source = await peaks("recording");
  if (source && !recording) {
    recordingMarkers = WaveSurfer.Regions.create();
    recording = WaveSurfer.create({
      container: "#recording-wave", media: document.getElementById("recording"),
      url: state.playable.recording ? "/media/recording" : undefined,
      peaks: [source.max, source.min], duration: source.duration, height: 60, waveColor: "#c9b38a",
      progressColor: "#a5773a", normalize: true, plugins: [recordingMarkers],
    });
    recordingMarkers.on("region-updated", region => {
      const input = document.querySelector(`#trim input.${region.id}`);
      if (input) input.value = clock(region.start);
    });
  }
}

function drawMarkers() {
  if (markers) {
    markers.clearRegions();
    const voices = state.voices.map(v => v.voice);
    for (const turn of state.turns) {
      const colour = VOICE_COLOURS[voices.indexOf(turn.voice) % VOICE_COLOURS.length] + "33";
      markers.addRegion({ start: turn.start, end: turn.end, color: colour, drag: false, resize: false });
    }
    for (const chapter of state.chapters) {
      if (chapter.start === null) continue;
      markers.addRegion({ id: `chapter-${chapter.n}`, start: chapter.start, color: "#d62728",
        content: String(chapter.n), drag: chapter.n > 1, resize: false });
    }
  }
  if (recordingMarkers) {
    recordingMarkers.clearRegions();
    for (const key of ["start", "end"]) {
      if (state.trim[key] === null) continue;
      recordingMarkers.addRegion({ id: key, start: state.trim[key], color: "#2ca02c", content: key, drag: true,
        resize: false });
    }
  }
}

function follow(time) {
  document.getElementById("clock").textContent = clock(time).slice(0, -2);
  let low = 0, high = words.length - 1, found = null;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (words[middle].start <= time) { found = words[middle]; low = middle + 1; } else high = middle - 1;
  }
  const word = found && time < found.end + 0.3 ? found : null;
  if (word === currentWord) return;
  if (currentWord) currentWord.node.classList.remove("current");
  if (word) word.node.classList.add("current");
  currentWord = word;
}

// ---------------------------------------------------------------- sections

function renderChecks() {
  const list = document.getElementById("checks");
  list.replaceChildren();
  if (!state.checks.length) list.append(el("li", {}, "Niets te controleren."));
  for (const check of state.checks) {
    const item = el("li", { class: "check" },
      check.time !== null ? el("button", { type: "button", class: "play", title: "speel vanaf 5 s ervoor",
        onclick: () => hear(check.time, check.timeline) }, "▶ " + clock(check.time)) : null, " ",
      el("span", { class: "stage" }, check.stage), el("span", { class: "text" }, check.message),
      check.confidence !== null ? el("span", { class: "confidence" }, ` (zekerheid ${check.confidence})`) : null);
    if (check.evidence.length) {
      item.append(el("details", {}, el("summary", {}, "bewijs"),
        el("ul", {}, ...check.evidence.map(e => el("li", {}, e)))));
    }
    list.append(item);
  }
}

function renderChapters() {
  const body = document.querySelector("#chapters tbody");
  body.replaceChildren();
  for (const chapter of state.chapters) {
    const input = el("input", { class: "start", type: "text", value: clock(chapter.start),
      "aria-label": `start van hoofdstuk ${chapter.n}` });
    if (chapter.n === 1) input.disabled = true;
    const saveButton = el("button", { type: "button", class: "save", onclick: async () => {
      const start = parseTime(input.value);
      if (Number.isNaN(start)) return say(`Hoofdstuk ${chapter.n}: schrijf de tijd als 01:23.500`, "error");
      await save(`/api/chapters/${chapter.n}`, { start }, "episode", `start van hoofdstuk ${chapter.n}`);
    } }, "bewaar");
    body.append(el("tr", { dataset: { n: chapter.n } },
      el("td", {}, chapter.n), el("td", { class: "title" }, chapter.title),
      el("td", {}, input, chapter.override !== null ? " (vast)" : ""),
      el("td", {}, chapter.n > 1 ? saveButton : null,
        el("button", { type: "button", class: "play", onclick: () => hear(chapter.start) }, "▶")),
      el("td", { class: chapter.low_confidence ? "low" : "" },
        chapter.confidence === null ? "" : chapter.confidence,
        chapter.evidence.length ? el("details", {}, el("summary", {}, "bewijs"),
          el("ul", {}, ...chapter.evidence.map(e => el("li", {}, e)))) : null)));
  }
}

function renderVoices() {
  const body = document.querySelector("#voices tbody");
  body.replaceChildren();
  for (const voice of state.voices) {
    const select = el("select", { "aria-label": `persoon voor ${voice.voice}` },
      el("option", { value: "" }, "(niet vastgezet)"),
      ...state.people.map(p => el("option", { value: p.name }, p.name)));
    select.value = voice.pinned || "";
    body.append(el("tr", { dataset: { voice: voice.voice } },
      el("td", {}, voice.voice), el("td", { class: "name" }, voice.name),
      el("td", {}, select),
      el("td", {},
        el("button", { type: "button", class: "save", onclick: () => save(
          `/api/voices/${encodeURIComponent(voice.voice)}`, { name: select.value || null }, "episode",
          `naam van ${voice.voice}`) }, "bewaar"),
        voice.sample ? el("button", { type: "button", class: "play", title: "voorbeeld",
          onclick: () => playAt(wave, voice.sample[0]) }, "▶") : null,
        !voice.pinned && state.people.some(p => p.name === voice.name)
          ? el("button", { type: "button", class: "confirm", title: "de naam klopt: vastzetten (stemmenbank)",
            onclick: () => save(`/api/voices/${encodeURIComponent(voice.voice)}/confirm`, {}, "episode",
              `${voice.name} bevestigd voor ${voice.voice}`) }, "bevestig") : null),
      el("td", {}, voice.talk_time === null ? "" : `${voice.talk_time} s`,
        voice.confidence === null ? "" : ` · zekerheid ${voice.confidence}`,
        voice.library ? ` · uit de stemmenbank (${voice.library})` : "")));
  }
}

function renderTrim() {
  const box = document.getElementById("trim");
  const inputs = {};
  box.replaceChildren();
  for (const key of ["start", "end"]) {
    inputs[key] = el("input", { class: key, type: "text", value: clock(state.trim[key]),
      "aria-label": `knippunt ${key}` });
    box.append(el("label", {}, key === "start" ? "begin " : " eind ", inputs[key]),
      el("button", { type: "button", class: "play", onclick: () => hear(state.trim[key], "recording") }, "▶"));
  }
  box.append(" ", el("button", { type: "button", class: "save", onclick: () => {
    const start = parseTime(inputs.start.value), end = parseTime(inputs.end.value);
    if (Number.isNaN(start) || Number.isNaN(end)) return say("Knippunten: schrijf de tijd als 01:23.500", "error");
    return save("/api/trim", { start, end }, "episode", "knippunten");
  } }, "bewaar"));
  if (state.trim.recording_duration) box.append(el("p", { class: "hint" },
    `De opname duurt ${clock(state.trim.recording_duration)}. Een leeg veld: de pipeline kiest zelf.`));
}

function renderTranscript() {
  const list = document.getElementById("transcript");
  list.replaceChildren();
  words = [];
  for (const segment of state.transcript) {
    const text = el("span", { class: "text" });
    for (const word of segment.words) {
      const node = el("span", { class: word.unsure ? "word unsure" : "word", title: `p = ${word.p}` }, word.text);
      words.push({ start: word.start, end: word.end, node });
      text.append(node, " ");
    }
    if (!segment.words.length) text.textContent = segment.text;
    const item = el("li", { dataset: { n: segment.n } },
      el("button", { type: "button", class: "time", onclick: () => playAt(wave, segment.start) },
        clock(segment.start)), " ",
      el("span", { class: "speaker" }, segment.speaker || ""), text, " ",
      el("button", { type: "button", class: "edit", onclick: () => editLine(item, segment) }, "verbeter"));
    list.append(item);
  }
  words.sort((a, b) => a.start - b.start);
}

function editLine(item, segment) {
  const input = el("input", { class: "text", type: "text", value: segment.text,
    "aria-label": `tekst van regel ${segment.n}` });
  const done = el("button", { type: "button", class: "save", onclick: async () => {
    if (await save(`/api/transcript/${segment.n}`, { text: input.value }, "corrections", `regel ${segment.n}`)) {
      segment.text = input.value;
      item.querySelector(".text").textContent = input.value;
      form.remove();
    }
  } }, "bewaar");
  const form = el("div", { class: "editing" }, input, done);
  item.append(form);
  input.focus();
}

// ---------------------------------------------------------------- apply

function renderApply(status) {
  document.getElementById("apply-state").textContent =
    { idle: "", running: "bezig…", done: "klaar", failed: "mislukt: " + (status.error || "") }[status.state]
    + (status.task ? ` ${status.task.description} ${Math.round(status.task.fraction * 100)}%` : "");
  document.getElementById("apply-state").dataset.state = status.state;
  const list = document.getElementById("apply-stages");
  list.replaceChildren(...status.stages.map(s => el("li", { class: s.status, title: s.reason || "" },
    `${s.name}: ${s.status}` + (s.seconds ? ` ${s.seconds} s` : ""))));
}

async function apply() {
  const button = document.getElementById("apply");
  button.disabled = true;
  try {
    renderApply(await api("POST", "/api/apply"));
    let status;
    do {
      await new Promise(resolve => setTimeout(resolve, 1000));
      status = await api("GET", "/api/apply");
      renderApply(status);
    } while (status.state === "running");
    if (status.state === "done") {
      await load();
      say("Toegepast: de resultaten hieronder zijn bijgewerkt.");
    } else say("Toepassen mislukt: " + status.error, "error");
  } catch (error) {
    say("Toepassen mislukt: " + error.message, "error");
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- start

async function load() {
  state = await api("GET", "/api/episode");
  renderChecks();
  renderChapters();
  renderVoices();
  renderTrim();
  renderTranscript();
  await makePlayers();
  drawMarkers();
}

document.getElementById("apply").addEventListener("click", apply);
load().then(async () => {
  const status = await api("GET", "/api/apply");
  if (status.state !== "idle") renderApply(status);
  document.body.dataset.ready = "yes";
}).catch(error => say("Kon de aflevering niet laden: " + error.message, "error"));
window.review = { state: () => state, player: () => wave, recording: () => recording };
