"""The declarations of the built-in document kinds, one module each (``KIND``).

They wire the stages together, so they sit with the API on top of them; each imports its
stages inside its hooks, so that listing the kinds (``--help``, the rule-pack schema)
imports none of them. ``trustguard.kinds`` says what a declaration holds.
"""
