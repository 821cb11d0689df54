"""A learner's grade as structured data: per task, cases passed out of total and points; a status.

Part of the course's tools (used by ``nnlib.course.grade`` and its outputs); no chapter
introduces it.

Statuses are :class:`Flag` values, never message text read back: a grade's ``status`` in the
gradebook is ``ok`` or its flags, in the order of :class:`Flag`. One flag, :attr:`Flag.ERROR`,
means the *machinery* failed (the sandbox, the kernel's start, a disk): that learner was not
graded, is listed for re-grading, and gets no score rather than a zero.

A task's score comes from its cases at one place, :attr:`TaskGrade.score`: points times the
fraction of its cases (visible and hidden) that pass, rounded to 0.01 (partial credit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from nnlib.course.exercise import Exercise
from nnlib.course.selfcheck import CaseResult, format_results

DECIMALS = 2


class Flag(str, Enum):
    """What happened to a submission (several may hold), in the order the status lists them."""

    UNREADABLE = "unreadable"  # the file could not be read as a notebook
    REFUSED = "refused"  # a symbolic link, a hidden file, a folder without one notebook
    NAME_CLASH = "name-clash"  # another submission maps to the same learner name
    TAMPERED = "tampered"  # locked or check cells were changed (undone)
    TIMEOUT = "timeout"  # a cell ran over its time
    FLOOD = "flood"  # a cell printed too much
    UNRESPONSIVE = "unresponsive"  # the kernel ignored an interrupt
    MEMORY = "memory"  # the submission went over its memory limit
    KERNEL_DIED = "kernel-died"  # the learner's code ended the kernel
    TIME_LIMIT = "time-limit"  # the notebook used up its total time
    ERROR = "error"  # the machinery failed: not graded, re-grade


@dataclass
class TaskGrade:
    """The verdict on one task: every case (visible, then hidden) and its points."""

    name: str
    points: float
    results: list[CaseResult]

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def score(self) -> float:
        """Points times the fraction of cases that pass (the one place a score is computed)."""
        return round(self.points * self.passed / self.total, DECIMALS) if self.total else 0.0

    def report(self) -> str:
        """The learner-facing verdict: visible cases in detail, hidden ones by number."""
        return format_results(self.name, self.results, what="tests", note="")


@dataclass
class Grade:
    """One learner's grade: a verdict per task, notes for the feedback, and status flags.

    ``entry`` is the file or folder the submission was found as.
    """

    learner: str
    exercise: Exercise
    entry: Path | None = None
    tasks: list[TaskGrade] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: set[Flag] = field(default_factory=set)

    @property
    def total(self) -> float:
        return round(sum(t.score for t in self.tasks), DECIMALS)

    @property
    def max_score(self) -> float:
        return round(sum(t.points for t in self.tasks), DECIMALS)

    @property
    def needs_regrade(self) -> bool:
        return Flag.ERROR in self.flags

    @property
    def status(self) -> str:
        """``ok``, or the flags raised, e.g. ``tampered;timeout``."""
        return ";".join(flag.value for flag in Flag if flag in self.flags) or "ok"
