"""The job worker's entry point: `huey_consumer lms.worker.huey` (make run starts one)."""

from lms import create_app

app = create_app()
huey = app.extensions["lms_jobs"]["huey"]
