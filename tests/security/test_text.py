"""Regression tests over real HTTP for the hardening finding "names, descriptions and e-mails
accept C1 controls, bidi overrides and zero-width characters (`innocent\\u202egnp.exe`); `a@b` is
accepted as an e-mail" (docs/spec/API.md, "Text"): text a person types refuses Unicode control
and format characters and is stored in NFC; e-mails follow WHATWG's rule with a dot in the
domain and are unique case-insensitively."""

import secrets
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import ServerTestCase, create_key, create_org  # noqa: E402

# Each one would make a name read differently from what it is, or hide a character.
INVISIBLE = {
    "RLO (bidi override)": "innocent\u202egnp.exe",
    "LRE (bidi embedding)": "a\u202ab",
    "RLI (bidi isolate)": "a\u2067b",
    "zero-width space": "ad\u200bmin",
    "zero-width joiner": "ad\u200dmin",
    "BOM": "\ufeffadmin",
    "soft hyphen": "ad\u00admin",
    "C1 NEL": "a\u0085b",
    "C1 CSI": "a\u009b31mred",
    "line separator": "a\u2028b",
}


def email():
    return f"text-{secrets.token_hex(4)}@example.com"


class InvisibleCharactersTest(ServerTestCase):

    def assertRefused(self, r, field):
        self.assertError(r, 400, "invalid_request")
        self.assertTrue(r.json()["error"]["message"].startswith(field + ": "), r)

    def test_console_names_and_descriptions_refuse_control_and_format_characters(self):
        a = self.new_account()
        for label, text in INVISIBLE.items():
            with self.subTest(label):
                self.assertRefused(a.post("/api/orgs", {"name": text}), "name")
                self.assertRefused(a.post("/api/keys", {"name": text}), "name")
                self.assertRefused(a.post("/api/keys", {"name": "ok", "description": text}),
                                   "description")
                r = self.client().post("/api/signup", {"email": email(), "password": "pw-" * 4,
                                                       "name": text})
                self.assertRefused(r, "name")
        # Nothing was stored.
        self.assertEqual(a.get("/api/orgs").json(), {"orgs": []})
        self.assertEqual(a.get("/api/keys").json(), {"keys": [], "next_cursor": None})
        key, _ = create_key(a, "fine")
        for label, text in INVISIBLE.items():
            with self.subTest(label, patch=True):
                self.assertRefused(a.patch(f"/api/keys/{key['id']}", {"name": text}), "name")
                self.assertRefused(a.patch(f"/api/keys/{key['id']}", {"description": text}),
                                   "description")
        self.assertEqual(a.get("/api/keys").json()["keys"][0]["name"], "fine")

    def test_cli_agent_and_host_names_refuse_control_and_format_characters(self):
        a = self.new_account()
        org = create_org(a)
        _, secret = create_key(a)
        base = f"/api/v1/orgs/{org['id']}"
        for label, text in INVISIBLE.items():
            with self.subTest(label):
                self.assertRefused(a.post(base + "/agents", {"name": text}, bearer=secret),
                                   "name")
                self.assertRefused(a.post(base + "/hosts", {"name": text, "address": "10.0.0.1"},
                                          bearer=secret), "name")
                self.assertRefused(a.post(base + "/hosts", {"name": "h", "address": text},
                                          bearer=secret), "address")
        self.assertEqual(a.get(base + "/agents", bearer=secret).json(), {"agents": []})
        self.assertEqual(a.get(base + "/hosts", bearer=secret).json(), {"hosts": []})

    def test_descriptions_keep_newlines_and_tabs(self):
        a = self.new_account()
        key, _ = create_key(a, "multi", description="line one\n\tline two")
        self.assertEqual(key["description"], "line one\n\tline two")
        self.assertRefused(a.post("/api/keys", {"name": "two\nlines"}), "name")


class NfcTest(ServerTestCase):

    def test_text_is_stored_and_answered_in_nfc(self):
        decomposed, composed = "Zoe\u0308 Cafe\u0301", "Zo\u00eb Caf\u00e9"
        a = self.client()
        r = a.signup(name=decomposed)
        self.assertEqual(r.json()["account"]["name"], composed)
        self.assertEqual(a.get("/api/session").json()["account"]["name"], composed)
        org = create_org(a, decomposed)
        self.assertEqual(org["name"], composed)
        self.assertEqual(a.get("/api/orgs").json()["orgs"][0]["name"], composed)
        key, secret = create_key(a, decomposed, description="Cre\u0300me")
        self.assertEqual((key["name"], key["description"]), (composed, "Cr\u00e8me"))
        listed = a.get("/api/keys").json()["keys"][0]
        self.assertEqual((listed["name"], listed["description"]), (composed, "Cr\u00e8me"))
        r = a.patch(f"/api/keys/{key['id']}", {"name": "\u212b"})  # ANGSTROM SIGN
        self.assertEqual(r.json()["key"]["name"], "\u00c5")
        r = a.post(f"/api/v1/orgs/{org['id']}/agents", {"name": decomposed}, bearer=secret)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["agent"]["name"], composed)
        agents = a.get(f"/api/v1/orgs/{org['id']}/agents", bearer=secret).json()["agents"]
        self.assertEqual(agents[0]["name"], composed)


class EmailTest(ServerTestCase):

    def assertBadEmail(self, address):
        r = self.client().post("/api/signup", {"email": address, "password": "pw-" * 4})
        self.assertError(r, 400, "invalid_request")
        self.assertTrue(r.json()["error"]["message"].startswith("email: "), r)

    def test_email_without_a_dot_in_the_domain_or_outside_whatwg_is_refused(self):
        for address in ["a@b", "ada@localhost", "ada@example..com", "ada@-example.com",
                        "\"ada\"@example.com", "ad\u202ea@example.com", "ad\u200ba@example.com",
                        "ada@\u0435xample.com", "ada@example.com."]:
            with self.subTest(address=address):
                self.assertBadEmail(address)
        # An owner inviting someone, and a change of address, are held to the same rule.
        a = self.new_account()
        org = create_org(a)
        r = a.post(f"/api/orgs/{org['id']}/invitations", {"email": "a@b", "role": "member"})
        self.assertError(r, 400, "invalid_request")
        r = a.patch("/api/account", {"email": "ad\u202ea@example.com", "password": a.password})
        self.assertError(r, 400, "invalid_request")

    def test_emails_are_unique_case_insensitively_and_sign_in_with_either_case(self):
        local = f"ada-{secrets.token_hex(4)}"
        first = self.client()
        first.signup(email=f"{local}@example.com")
        self.assertEqual(first.account["email"], f"{local}@example.com")
        r = self.client().post("/api/signup", {"email": f"{local.upper()}@Example.COM",
                                               "password": "pw-" * 4})
        self.assertError(r, 409, "email_taken")
        for address in (f"{local}@example.com", f"{local.upper()}@EXAMPLE.com"):
            with self.subTest(address=address):
                r = self.client().login(address, first.password)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["account"]["id"], first.account["id"])
        # Signing up mixed case stores it lower-cased.
        second = self.client()
        second.signup(email=f"Bob-{secrets.token_hex(4)}@Example.com")
        self.assertEqual(second.account["email"], second.email.lower())

    def test_a_lookalike_that_unicode_case_folds_to_an_existing_email_is_refused(self):
        # KELVIN SIGN (U+212A) lower-cases to "k" in Unicode: "\u212aim@..." is "kim@..." to a
        # person, and to any system that folds case by Unicode rules.
        suffix = secrets.token_hex(4)
        self.client().signup(email=f"kim{suffix}@example.com")
        self.assertBadEmail(f"\u212aim{suffix}@example.com")


if __name__ == "__main__":
    unittest.main()
