"""Import every model so the metadata is complete (migrations, schema checks)."""

from lms.accounts.models import Agency, Institution, LoginSession, LoginThrottle, User, UserImport  # noqa: F401
from lms.assignments.models import (  # noqa: F401
    Assignment,
    CommentSnippet,
    Review,
    Submission,
    SubmissionFile,
    TrainingAssignment,
)
from lms.attendance.models import AttendanceRecord, AttendanceSession  # noqa: F401
from lms.audit.models import AuditEvent  # noqa: F401
from lms.bundles.models import BundleUpload  # noqa: F401
from lms.certificates.models import Certificate, CertificateSequence, EligibilityOverride, Job  # noqa: F401
from lms.courses.models import Course, Lesson, LessonProgress  # noqa: F401
from lms.evaluations.models import EvaluationAnswer, EvaluationSubmission  # noqa: F401
from lms.quizzes.models import Attempt, Quiz, QuizVersion, Response  # noqa: F401
from lms.reports.models import ReportPhoto, TrainingReport  # noqa: F401
from lms.trainings.models import AgendaItem, Enrollment, Training  # noqa: F401
