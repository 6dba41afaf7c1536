"""Release: one release as an event (its documents, dates, announcement) and what each
customer is told about it."""
