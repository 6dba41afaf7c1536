"""Parsing shared by every stage, below them all: bytes to text with hostile input bounded
(:mod:`.text`), JSON (:mod:`.json_text`, :mod:`.json_members`) and YAML (:mod:`.yaml_tree`)
into plain values with their positions (:mod:`.locator`), JSON pointers (:mod:`.pointers`),
reading regular files only (:mod:`.regular`), and service levels read from text as
quantities with units (:mod:`.sla_quantities`).

The loaders (trustguard.load), the config, the rule packs and the impact inputs all read
through these; none of them is a stage of its own.
"""
