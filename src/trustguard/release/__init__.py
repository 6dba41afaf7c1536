"""The release review: a release file (file.py), run through the pipeline and merged into one
Report (run.py), with the notice each change is owed (notice.py), what the announcement
discloses (announce.py), and what each affected customer is told (notices.py, written for
mail merge by notices_out.py). See docs/release.md and docs/notices.md."""
