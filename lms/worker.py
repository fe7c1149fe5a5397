"""The job worker's entry point: `huey_consumer lms.worker.huey` (make run starts one).

The worker runs below the web server's CPU priority: a bulk issue renders PDFs flat out, and on
a two-core venue laptop it would otherwise take a core from the answer saves of a running test.
It only ever waits longer itself (lms.jobs.lower_priority).
"""

from lms import create_app
from lms.jobs import lower_priority

lower_priority()
app = create_app()
huey = app.extensions["lms_jobs"]["huey"]
