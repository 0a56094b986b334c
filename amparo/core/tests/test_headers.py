from django.test import TestCase, override_settings


class SecurityHeadersTests(TestCase):
    def test_it_sends_a_strict_content_security_policy(self) -> None:
        response = self.client.get("/en/")
        csp = response.headers["Content-Security-Policy"]
        directives = {}
        for part in csp.split(";"):
            name, _, value = part.strip().partition(" ")
            directives[name] = value
        self.assertEqual(directives["default-src"], "'none'")
        self.assertEqual(directives["script-src"], "'self'")
        self.assertEqual(directives["style-src"], "'self'")
        self.assertEqual(directives["frame-ancestors"], "'none'")
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertNotIn("http", csp)

    def test_it_sends_the_privacy_headers(self) -> None:
        response = self.client.get("/en/")
        self.assertEqual(response.headers["Referrer-Policy"], "same-origin")
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response.headers["X-Frame-Options"], "DENY")
        self.assertIn("camera=()", response.headers["Permissions-Policy"])
        self.assertIn("geolocation=()", response.headers["Permissions-Policy"])
        self.assertEqual(response.headers["Cache-Control"], "no-store")

    def test_it_sends_the_headers_on_error_pages_too(self) -> None:
        response = self.client.get("/en/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("frame-ancestors 'none'", response.headers["Content-Security-Policy"])
        self.assertEqual(response.headers["Referrer-Policy"], "same-origin")

    def test_it_has_no_inline_script_or_style_in_pages(self) -> None:
        body = self.client.get("/en/").content.decode()
        self.assertNotIn("<script>", body)
        self.assertNotIn("<style", body)
        self.assertNotIn(" style=", body)

    @override_settings(
        SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=True
    )
    def test_it_sends_hsts_over_https(self) -> None:
        response = self.client.get("/en/", secure=True)
        self.assertIn("max-age=31536000", response.headers["Strict-Transport-Security"])

    def test_it_sets_samesite_on_the_csrf_cookie(self) -> None:
        response = self.client.get("/en/staff/login/")
        cookie = response.cookies["amparo_csrf"]
        self.assertEqual(cookie["samesite"], "Strict")
        self.assertTrue(cookie["httponly"])
