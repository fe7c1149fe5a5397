"""Use cases of quizzes: the catalog, the attempt engine, and results as they stand.

Stored snapshots are decoded here, once, into the typed model (lms.quizzes.questions); nothing
above this package reads their JSON. Reads never write: an open attempt past its deadline and
grace counts as finished with what it saved (results.attempt_state); finalize_overdue is the
explicit step that records it (the job worker every minute, the CLI, the attempt POSTs).
"""

from __future__ import annotations

from lms.quizzes.services.catalog import (sync_quizzes, current_version, rules_of,
                                          version_questions, get_quiz, list_quizzes)
from lms.quizzes.services.attempts import (user_attempts, open_attempt, final_percent_of,
                                           attempts_left, start_attempt, attempt_questions,
                                           responses_of, check_owner, save_answer, is_overdue,
                                           submit, finalize, grade_attempt, Result, result_of,
                                           finalize_overdue, run_finalize_overdue)
from lms.quizzes.services.results import (AttemptState, attempt_state, review_items,
                                          counted_attempts, ParticipantResult, final_results,
                                          ItemStat, item_analysis, regrade)

__all__ = ["AttemptState", "ItemStat", "ParticipantResult", "Result", "attempt_questions",
           "attempt_state", "attempts_left", "check_owner", "counted_attempts", "current_version",
           "final_percent_of", "final_results", "finalize", "finalize_overdue", "get_quiz",
           "grade_attempt", "is_overdue", "item_analysis", "list_quizzes", "open_attempt",
           "regrade", "responses_of", "result_of", "review_items", "rules_of",
           "run_finalize_overdue", "save_answer", "start_attempt", "submit", "sync_quizzes",
           "user_attempts", "version_questions"]
