"""What vulture (tests/test_quality.py) cannot see used: public API, names other code calls
by convention, and names kept on branches being reworked. Keep it short: anything else it
reports is dead code to delete. A line here is a name vulture sees used."""

# ruff: noqa: B018, F821

# public API and its documented constants
_.unregister_kind  # trustguard.kinds: a plug-in's kind taken out again (tests)
_.unjudged_in  # change_kinds.ChangeKind: the coverage tests and docs/generate.py ask it
_.EXIT_FAIL  # _cli_exit (re-exported by cli): the exit codes, named together
_.NO_SURPRISES  # model.Principle: values a rule pack names
_.NO_DARK_PATTERNS
_.__class__  # trustguard/__init__.py: the module's class, for guarded lazy names
_.attrs  # load/terms.py: html.parser's handle_starttag signature
_.api_keys  # impact/customers.py: a column of the customers file

# files another branch is reworking now (pricing, impact log formats): theirs to keep or drop
_.base_plans  # impact/billing.py
_.INTEGRATION_KEYS  # impact/usage.py
_.parse_json_line  # impact/files.py
_.enabled_features  # load/pricing.py
_.saas
_.multiplier
_.is_unlimited

# fields read by the Jinja2 templates (report/templates) and the JSON report, not by Python
_.short_notice  # model_notices: a field of the JSON report
_.text_x  # report/charts.py: the chart templates
_.text_y
_.caption
_.label_width
_.label_x
_.customers_hidden  # report/html.py: the report template
_.customer_columns
_.certain_severity  # impact/json_report.py: fields of trustguard impact -f json
_.certain_findings
_.certainty  # impact/json_report.py: a field of each customer and reason
_.malformed
_.schema_version
_.response_headers  # impact/logs/har.py: a field of a parsed HAR entry
_.digits_are_ids  # impact/routes.py: the logs branch's (kept for it to keep or drop)
_.__qualname__  # api.py: the API's functions are named as their own (help(), tracebacks)
