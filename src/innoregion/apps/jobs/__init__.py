"""Background jobs: scoring, ladder and benefit runs, large imports and exports, run by a database
worker (django-tasks with the django-tasks-db backend), with progress, log, result and retry."""
