"""Kinds of job: a name and the function that does the work, registered from each app's jobs.py."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobKind:
    name: str
    function: Callable
    # The work reads the job's input file: without it the job cannot run (again).
    input_required: bool = False
    # Included in the job's page once it has finished, with `job` (e.g. an import's outcome).
    result_template: str = ""


_KINDS: dict[str, JobKind] = {}


class JobError(Exception):
    """A failure to show the user as it is (the message is translated and has no internals).

    `info` is kept with the job for its page (e.g. an import's errors, row by row).
    """

    def __init__(self, message: str, *, info: dict | None = None):
        super().__init__(message)
        self.info = info or {}


class JobSuperseded(Exception):
    """This run no longer owns its job (it was given up as stale, or started again): stop."""


def job_kind(name: str, *, input_required: bool = False, result_template: str = ""):
    """Register `function(job)` as the work of jobs of this kind."""

    def register(function: Callable) -> Callable:
        known = _KINDS.get(name)
        if known is not None and known.function is not function:
            raise ValueError(f"Job kind {name!r} is registered twice.")
        _KINDS[name] = JobKind(name, function, input_required, result_template)
        return function

    return register


def job_kind_get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValueError(f"Unknown job kind {name!r}.") from None


def job_function(name: str) -> Callable:
    return job_kind_get(name).function
