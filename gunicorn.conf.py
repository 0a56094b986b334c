"""gunicorn settings for Amparo: `make run` and the README's production command use it.

    gunicorn -c gunicorn.conf.py amparo.wsgi:application --bind 127.0.0.1:8000 \
        --worker-class gthread --workers 2 --threads 4

The logs keep no client address, user agent, referrer, query string or secret path (an
enrolment token, a case or file id): amparo.lib.serverlog.PrivateLogger empties those
atoms whatever access_log_format says, and withholds addresses and request lines from
the error log (gunicorn names the client of every malformed request there).
"""

import os

# Both logs to standard error/output, for the service manager to collect.
accesslog = os.environ.get("AMPARO_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("AMPARO_GUNICORN_LOG_LEVEL", "info")
logger_class = "amparo.lib.serverlog.PrivateLogger"
# Method, path (secrets replaced, no query string), status, bytes sent, milliseconds.
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"

# Never trust forwarding headers from anything but the local reverse proxy.
forwarded_allow_ips = "127.0.0.1,::1"
# A request line or header block larger than this is refused before Django sees it.
limit_request_line = 8190
limit_request_field_size = 8190


def post_worker_init(worker: object) -> None:
    """Start the file-scrubbing sandbox's fork server and its first child at boot, so
    that the first reporter who sends a file does not wait for them (about 0.5 s)."""
    from amparo.intake.sandbox import warm_up

    warm_up()
