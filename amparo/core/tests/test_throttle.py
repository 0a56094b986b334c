from django.test import RequestFactory, SimpleTestCase, override_settings

from amparo.core.throttle import Throttle, client_id


class ClientIdTests(SimpleTestCase):
    def request(self, address: str, **headers: str):  # type: ignore[no-untyped-def]
        return RequestFactory().get("/", REMOTE_ADDR=address, headers=headers)

    def test_it_uses_the_remote_address(self) -> None:
        self.assertEqual(client_id(self.request("203.0.113.9")), "203.0.113.9")

    @override_settings(PRODUCTION=True)
    def test_it_treats_loopback_as_unknown_in_production(self) -> None:
        # An onion service or a local proxy: everyone would look like one client.
        self.assertIsNone(client_id(self.request("127.0.0.1")))
        self.assertIsNone(client_id(self.request("::1")))
        self.assertEqual(client_id(self.request("203.0.113.9")), "203.0.113.9")

    @override_settings(PRODUCTION=True, AMPARO_CLIENT_ADDRESS_HEADER="X-Real-IP")
    def test_it_reads_the_proxy_header_when_configured(self) -> None:
        request = self.request("127.0.0.1", **{"X-Real-IP": "198.51.100.4"})
        self.assertEqual(client_id(request), "198.51.100.4")
        self.assertIsNone(client_id(self.request("127.0.0.1")))


class ThrottleTests(SimpleTestCase):
    def test_it_counts_up_to_the_limit_per_subject(self) -> None:
        throttle = Throttle("test-scope", limit=2, window_seconds=60)
        for _ in range(2):
            self.assertFalse(throttle.exceeded("a"))
            throttle.hit("a")
        self.assertTrue(throttle.exceeded("a"))
        self.assertFalse(throttle.exceeded("b"))
        throttle.reset("a")
        self.assertFalse(throttle.exceeded("a"))
