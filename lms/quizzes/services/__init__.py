"""Use cases of quizzes: the catalog, the attempt engine, and results as they stand.

Stored snapshots are decoded here, once, into the typed model (lms.quizzes.questions); nothing
above this package reads their JSON. Reads never write: an open attempt past its deadline and
grace counts as finished with what it saved (results.attempt_state); finalize_overdue is the
explicit step that records it (the job worker every minute, the CLI, the attempt POSTs).
"""

from __future__ import annotations

from lms.quizzes.services.attempts import (
                                          Result,
                                          attempt_questions,
                                          attempts_left,
                                          check_owner,
                                          final_percent_of,
                                          finalize,
                                          finalize_overdue,
                                          forget_decoded_attempts,
                                          get_attempt,
                                          grade_attempt,
                                          has_overdue,
                                          is_overdue,
                                          may_retry,
                                          open_attempt,
                                          responses_of,
                                          result_of,
                                          run_finalize_overdue,
                                          save_answer,
                                          set_page,
                                          start_attempt,
                                          started_now,
                                          submit,
                                          user_attempts,
)
from lms.quizzes.services.catalog import (
                                          current_content,
                                          current_version,
                                          get_quiz,
                                          list_quizzes,
                                          rules_of,
                                          sync_quizzes,
                                          version_questions,
)
from lms.quizzes.services.results import (
                                          AttemptState,
                                          FinalScore,
                                          ItemStat,
                                          ParticipantResult,
                                          attempt_state,
                                          counted_attempts,
                                          final_results,
                                          final_scores,
                                          item_analysis,
                                          regrade,
                                          review_items,
)

__all__ = ["AttemptState", "FinalScore", "ItemStat", "ParticipantResult", "Result", "attempt_questions",
           "attempt_state", "attempts_left", "check_owner", "counted_attempts", "current_content", "current_version",
           "final_percent_of", "final_results", "final_scores", "finalize", "finalize_overdue",
           "forget_decoded_attempts", "get_attempt", "get_quiz",
           "grade_attempt", "has_overdue", "is_overdue", "item_analysis", "list_quizzes", "may_retry", "open_attempt",
           "regrade", "responses_of", "result_of", "review_items", "rules_of",
           "run_finalize_overdue", "save_answer", "set_page", "start_attempt", "started_now", "submit", "sync_quizzes",
           "user_attempts", "version_questions"]
