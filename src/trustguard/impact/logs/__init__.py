"""Reading real access logs: which format a file is, and its requests as usage rows.

One small module per family (``clf``: Apache/nginx common and combined; ``jsonlog``:
nginx/Envoy JSON and trustguard's own JSON lines; ``alb``; ``cloudfront``; ``har``;
``otlp``: OpenTelemetry HTTP server spans; CSV stays in ``usage``). :mod:`.detect` tells
the format from the content; :mod:`.source` opens plain or gzip files and expands globs.
"""
