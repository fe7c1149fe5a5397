"""Assignments (tugas): definitions, hand-ins with files, rubric review, the OPD target."""
