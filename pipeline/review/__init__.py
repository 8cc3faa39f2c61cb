"""The review studio: `pipeline review EPISODE_DIR` (docs/review.md).

A local web app where the producer and the editors hear and see every decision of a run and fix it in place.
It saves only the overrides the pipeline already honours (`[[chapters]] start`, `[speakers]`, `[trim]` in
episode.toml, and transcript/corrections.txt) and re-runs the stages they touch.

    model.py   what the page shows, read from the episode's files (pure readers)
    save.py    the edits: checked, written atomically under a lock, refused on a conflict
    peaks.py   waveform peaks from the 16 kHz WAV files the pipeline already writes
    apply.py   re-running the pipeline in a background thread, with per-stage progress
    app.py     the Starlette app (JSON API, page, media) and its start under uvicorn
"""
