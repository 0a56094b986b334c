"""The WSGI app for bench/faults.py: amparo's, with every URL's view imported before
gunicorn forks (with --preload), so a worker that replaces a killed one serves at once
instead of importing the views (and Pillow, pikepdf...) on its first request."""

from django.urls import get_resolver

from amparo.wsgi import application

get_resolver().url_patterns  # noqa: B018  imports every view module

__all__ = ["application"]
