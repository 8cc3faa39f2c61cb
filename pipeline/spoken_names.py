"""Which guest a question was put to, when Whisper did not hear the name: the Whisper model as the judge.

Whisper base rarely spells a name it does not know: "En Lotte, wat denk jij?" comes out as "En wat laten je?"
or "En water, wat denk jij?", and which of these it writes changes with the level of the recording. The
model still heard *something* in the place of the name. So the host's line is scored again under teacher
forcing (the model reads a given text against the audio and says how likely each token is): the heard text
with each guest's first name put in the place of an address (before the line, after "En", or in place of one
of its first words), for each guest of the part, with the guests' names as the prompt (both names then
equally expected, so the audio decides). The best candidate per guest is that guest's score; the lead of the
best guest over the next is evidence for that guest, which varies smoothly with the audio instead of
flipping with one spelled word.

Pure here: the candidate texts and turning scores into evidence. `WhisperJudge` is the model call (the thin
edge), used by the speakers stage; naming.name_voices decides which lines to judge and asks for the scores
through a `Judge` function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

# log-probability of each candidate text, for the audio from `start` to `end` s, after `prompt`
Judge = Callable[[float, float, Sequence[str], str], Sequence[float]]

LEADS = {"en", "ja", "dus", "nou", "oké", "en,", "ja,"}  # "En Lotte, wat denk jij?": the name after these
PLACES = 3  # a name may take the place of one of the first this many heard words
MIN_LEAD = 2.0  # log-probability (nats) by which the best guest must lead the next to count at all
FULL_LEAD = 8.0  # ... and at which it counts fully (about the lead of a name the model heard clearly)
WEIGHT = 0.6  # the most one judged line is worth against a spelled address (1.0): it is the model's guess
#               of a name it could not spell
LEAD_IN = 1.0  # seconds of audio before the line (after the previous line): Whisper's segment often starts
TAIL = 0.2  #    after the name it dropped (show 150 at -10 dB: "wat moeder anders." began 0.63 s after "Bram,")
QUESTION_SECONDS = 3.0  # a turn without words is judged over its last this many seconds (where the question
#                         to the next speaker is; from its start, show 10 heard the introduction of both)


def candidate_texts(heard: str, first_name: str) -> list[str]:
    """The heard line with `first_name` in the place of an address: before it ("Lotte, wat ..."), after a
    leading "En"/"Ja" ("En Lotte, wat ..."), or instead of one of its first PLACES words, keeping that
    word's punctuation ("En water, wat denk jij?" -> "En Lotte, wat denk jij?"). Distinct, in that order.
    Nothing heard (the host's turn has no words): the name alone, or after "En", as the first words. Pure."""
    words = heard.split()
    if not words:
        return [f"{first_name},", f"En {first_name},"]
    found = [" ".join([first_name + ","] + words)]
    if words and words[0].lower().rstrip(",") in LEADS:
        found.append(" ".join(words[:1] + [first_name + ","] + words[1:]))
    for i, word in enumerate(words[:PLACES]):
        mark = re.search(r"[,.?!]*$", word).group(0)
        found.append(" ".join(words[:i] + [first_name + mark] + words[i + 1:]))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Verdict:
    """The judge's view of one line: the guest it most likely addresses, and by how much (nats) that
    guest's best candidate beats the next guest's."""
    person: str
    lead: float

    @property
    def weight(self) -> float:
        """Evidence for `person`: none under MIN_LEAD, half of WEIGHT there, rising to WEIGHT at FULL_LEAD."""
        if self.lead < MIN_LEAD:
            return 0.0
        return round(WEIGHT * (0.5 + 0.5 * min(1.0, (self.lead - MIN_LEAD) / (FULL_LEAD - MIN_LEAD))), 3)


def prompt_for(guests: Sequence[str]) -> str:
    """The prompt the candidates are read after: the guests' full names. Pure."""
    return ", ".join(guests) + "."


def judge_line(judge: Judge, start: float, end: float, heard: str, guests: Sequence[str]) -> Verdict | None:
    """Which of `guests` (two or more) the line from `start` to `end`, heard as `heard` ("" for a turn without
    words), addresses by name, by the judge's scores of `candidate_texts`. None when the judge gives no guest
    a lead of MIN_LEAD."""
    if len(guests) < 2:
        return None
    texts, owners = [], []
    for guest in guests:
        for text in candidate_texts(heard.strip(), guest.split()[0]):
            texts.append(text)
            owners.append(guest)
    scores = judge(start, end, texts, prompt_for(guests))
    best: dict[str, float] = {}
    for owner, score in zip(owners, scores):
        best[owner] = max(best.get(owner, float("-inf")), float(score))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    verdict = Verdict(ranked[0][0], round(ranked[0][1] - ranked[1][1], 2))
    return verdict if verdict.lead >= MIN_LEAD else None


# ------------------------------------------------------------------------------------------ the model (edge)


class WhisperJudge:
    """Scores texts against the speech copy with a faster-whisper model (CTranslate2's `align` gives each
    text token's probability under teacher forcing). Call it as a `Judge`. The model is loaded by `load()` on
    the first call (a show where no line needs judging never loads it); a call asked twice is answered from
    memory (naming runs again after a voice is split or named from the library). `lines`: audio clips scored."""

    BATCH = 4  # texts per align call (larger batches were slower per text on the CPU)

    def __init__(self, load: Callable[[], object], wav, language: str):
        self.load, self.wav, self.language = load, wav, language
        self.whisper = self.tokenizer = None
        self.lines = 0
        self.known: dict[tuple, list[float]] = {}

    def __call__(self, start: float, end: float, texts: Sequence[str], prompt: str) -> list[float]:
        key = (round(start, 3), round(end, 3), tuple(texts), prompt)
        if key not in self.known:
            self.known[key] = self._score(start, end, texts, prompt)
        return self.known[key]

    def _score(self, start: float, end: float, texts: Sequence[str], prompt: str) -> list[float]:
        import ctranslate2
        import numpy as np
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_ctranslate2_storage

        if self.whisper is None:
            self.whisper = self.load()
            self.tokenizer = Tokenizer(self.whisper.hf_tokenizer, True, task="transcribe", language=self.language)
        self.lines += 1
        audio = self.wav.read(max(0.0, start), min(self.wav.duration, end))
        features = self.whisper.feature_extractor(audio)[:, :3000]
        frames = features.shape[-1]
        padded = np.zeros((features.shape[0], 3000), dtype=np.float32)  # Whisper's 30 s input, as it pads
        padded[:, :frames] = features
        encoded = np.array(self.whisper.model.encode(get_ctranslate2_storage(padded[None]), to_cpu=False))
        tok = self.tokenizer
        start_sequence = [tok.sot_prev, *tok.encode(" " + prompt), *tok.sot_sequence]
        tokens = [tok.encode(" " + text) for text in texts]
        scores: list[float] = []
        for i in range(0, len(tokens), self.BATCH):
            batch = tokens[i:i + self.BATCH]
            results = self.whisper.model.align(
                ctranslate2.StorageView.from_array(np.repeat(encoded, len(batch), axis=0)), start_sequence, batch,
                [max(1, frames // 2)] * len(batch))
            scores += [float(np.log(np.maximum(np.asarray(r.text_token_probs, dtype=np.float64), 1e-12)).sum())
                       for r in results]
        return scores
