"""The release review: a release file (file.py), run through the pipeline and merged into one
Report (run.py), with the notice each change is owed (notice.py) and what the announcement
discloses (announce.py). See docs/release.md."""
