"""Kinds of job: a name and the function that does the work, registered from each app's jobs.py."""

from collections.abc import Callable

_KINDS: dict[str, Callable] = {}


class JobError(Exception):
    """A failure to show the user as it is (the message is translated and has no internals)."""


def job_kind(name: str):
    """Register `function(job)` as the work of jobs of this kind."""

    def register(function: Callable) -> Callable:
        if _KINDS.get(name, function) is not function:
            raise ValueError(f"Job kind {name!r} is registered twice.")
        _KINDS[name] = function
        return function

    return register


def job_function(name: str) -> Callable:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValueError(f"Unknown job kind {name!r}.") from None
