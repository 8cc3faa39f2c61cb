"""Speech recognition parts of the transcribe stage: audio windows, resume log, guards, names.

The decision logic (where to cut, what a guard removes, when a name is real) is in pure functions here, tested
without audio; pipeline/stages/transcribe.py wires them to faster-whisper and the files.
"""
