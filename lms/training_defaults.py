"""Defaults of a new training, in one place.

The model's column defaults, the training form's initial values, the view's fallbacks for an
empty field and the service's TrainingData all read them here, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.dates import DEFAULT_ZONE


@dataclass(frozen=True)
class TrainingDefaults:
    """What a training starts with until the organiser says otherwise."""

    time_zone: str = DEFAULT_ZONE
    status: str = "draft"
    minutes_per_jp: int = 45  # one JP (jam pelajaran) of a bimtek
    min_attendance_percent: int = 80  # for a certificate
    require_posttest_pass: bool = True
    require_courses_complete: bool = True
    evaluation_days: int = 7  # the evaluation stays open this many days after the last day
    require_evaluation: bool = False  # evaluasi wajib sebelum unduh sertifikat
    late_after_minutes: int = 15  # a check-in after this counts as terlambat
    present_statuses: tuple[str, ...] = ("hadir", "terlambat")  # what counts as attended

    def present_list(self) -> list[str]:
        """Return present_statuses as the list a model column or form stores."""
        return list(self.present_statuses)


TRAINING = TrainingDefaults()
