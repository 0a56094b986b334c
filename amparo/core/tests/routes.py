"""core's rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.tests.routes import PUBLIC

ROUTES = {
    "healthz": PUBLIC,
}
