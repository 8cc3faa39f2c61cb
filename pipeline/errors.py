"""The errors a user can meet. The CLI turns each into one line and an exit code; nothing else prints."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: an error with a message meant for the producer, not a traceback."""

    exit_code = 1


class ConfigError(PipelineError):
    """A config or episode file (or a file it names) is wrong. Nothing has been written."""

    exit_code = 2

    def __init__(self, file, key: str | None, problem: str):
        self.file, self.key, self.problem = str(file), key, problem
        where = f"{self.file}: {key}: " if key else f"{self.file}: "
        super().__init__(where + problem)


class UsageError(PipelineError):
    """The command line asks for something that does not exist (an unknown stage, say)."""

    exit_code = 2


class InputError(PipelineError):
    """A source recording (or another input file) cannot be used. Nothing has been written."""

    exit_code = 2


class StageError(PipelineError):
    """A stage failed while running."""

    def __init__(self, stage: str, episode: str, problem: str):
        self.stage, self.episode, self.problem = stage, episode, problem
        super().__init__(f"{episode}: stage {stage} failed: {problem}")
