"""Where each chapter of the plan starts: the decision logic of the chapters stage. Pure: no files, no audio.

Input: the transcript (words with times and Whisper probabilities), the voice turns of the speakers stage (or
none), what the audio says about pauses and applause (`Breaks`, measured by pipeline.audiocues), and one
`ChapterCue` per planned chapter (people, keywords, `start` override, `approx` hint).

How a boundary is found. Every gap between two words is a candidate cut. For the boundary into chapter j each
candidate gets a score from independent kinds of evidence:
  - hand-over phrases of the host (HANDOVER_PHRASES): a phrase that opens a part right after the cut ("we gaan
    verder met", "welkom"; for the last chapter a closing phrase: "tot slot"), and thanks ("dank jullie wel")
    just before it when new people come next (the thanks end the previous part), or as the first words after
    it when nobody new comes (the thanks open the closing). Thanks to the audience ("... voor het luisteren")
    hand nothing over;
  - voices (the speakers stage's turns): voices that are heard for the first time after the cut (a new part)
    or for the last time before it (a closing), a changed mix of voices, another speaker right at the cut;
    and, with the voices' names, for the closing: the closing's people (the host) take the floor back at the
    cut and keep it to the end while no other voice speaks any more (the guests are done). That holds on the
    whole stretch from the guests' last words to the end, so it places no cut by itself: it tells a closing
    from a turn inside the last part, and makes a closing without a closing phrase sure;
    voices the speakers stage gave one name are one speaker here (the host's voice split in two);
  - a break: the length of the pause at the cut, applause that ends just before it;
  - names and keywords of the plan, matched fuzzily ("Marijen Boelach" is Marije Boerlaagh): the new part's
    people introduced right after the cut, the previous part's people thanked around it, and over a wider
    stretch the parts' people and keywords before and after the cut ("topic"); names of another part's
    hand-over count against a cut. A person's introduction (their first mention and the host's first
    question soon after it) names nobody off, so it is no sign that the next part starts. A name counts only
    when Whisper was sure of it (word probability), the audio under it is speech, and its segment is more than
    a bare list of names (what hotwords print on noise).
    Names and keywords only add to a cut that has a hand-over phrase, a voice change or a break: a name alone
    never places a boundary.
The chapters' starts are then chosen together (dynamic programming: in plan order, at least MIN_CHAPTER
apart, one hand-over for one chapter, overrides fixed, `approx` limits the search to approx_window() around
the hint), each cut sits in the pause just before the first word of the new part (snap), and each gets an
honest confidence: high only when several kinds of evidence agree, the host's words among them, and no cut
elsewhere (more than ALTERNATIVE_DISTANCE away, between the neighbouring boundaries) is nearly as good. A cut
elsewhere is no rival when the plan rules it out: it would leave a part that brings new people without a new
voice first heard in it.

Modules: cues (the inputs), phrases (phrase and name matching), voices (voice evidence), scoring (cuts,
evidence, score, confidence), search (the best starts together: detect()).
"""

from pipeline.chaptering.cues import Breaks, ChapterCue
from pipeline.chaptering.phrases import (HANDOVER_PHRASES, MIN_NAME_PROBABILITY, MIN_NAME_SPEECH,
                                         MIN_PHRASE_PROBABILITY, MIN_PHRASE_SPEECH, Hit, Phrase, PhraseBook, Token,
                                         check_support, find_names, find_phrases, name_forms, normalise_word,
                                         tokens_of)
from pipeline.chaptering.scoring import (ALTERNATIVE_DISTANCE, APPROX_WINDOW, LEAD, Clues, Cut, Evidence,
                                         approx_window, cuts_between_words, evidence_at, gather, snap)
from pipeline.chaptering.search import LOW_CONFIDENCE, MIN_CHAPTER, Boundary, detect, validate_overrides
from pipeline.chaptering.voices import Voices

__all__ = ["ALTERNATIVE_DISTANCE", "APPROX_WINDOW", "HANDOVER_PHRASES", "LEAD", "LOW_CONFIDENCE", "MIN_CHAPTER",
           "MIN_NAME_PROBABILITY", "MIN_NAME_SPEECH", "MIN_PHRASE_PROBABILITY", "MIN_PHRASE_SPEECH", "Boundary",
           "Breaks", "ChapterCue", "Clues", "Cut", "Evidence", "Hit", "Phrase", "PhraseBook", "Token", "Voices",
           "approx_window", "check_support", "cuts_between_words", "detect", "evidence_at", "find_names",
           "find_phrases", "gather", "name_forms", "normalise_word", "snap", "tokens_of", "validate_overrides"]
