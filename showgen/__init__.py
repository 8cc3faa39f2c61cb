"""Synthetic shows for the demo, the tests and the benchmarks: not part of the shipped `pipeline` package.

- showgen.synth: renders a scene (voices from espeak-ng, chatter, applause, pauses) to a room recording plus
  its ground truth (`<recording>.truth.json`).
- showgen.demo_scene: the script of the demo show "Burger Centraal" and the shorter/longer variants.
- showgen.voices, showgen.room: live shows composed from real recorded Dutch voices (Debian's Fish Fillets NG
  voice-over, fetched by scripts/fetch_voices.sh), with the same kind of truth, for bench/judgement_bench.py.
- showgen.metrics: grading against a truth (DER, share of speech time named right, CHECK calibration).

Importable from the repository root (pytest's pythonpath, and scripts/ and bench/ put the root on sys.path).
"""
