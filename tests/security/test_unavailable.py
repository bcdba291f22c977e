"""A 503 tells an unauthenticated caller only that the service is temporarily unavailable, with
Retry-After; what failed (the store's error, its host and port) goes to the operator's log.
Reproduced with the SQLite store locked by another process."""

import os
import sqlite3
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import ServerTestCase  # noqa: E402


class UnavailableStoreTest(ServerTestCase):
    def test_503_names_no_store_detail_and_the_log_has_it(self):
        db = sqlite3.connect(os.path.join(self.server.workdir, "accounts.db"), timeout=1)
        try:
            db.execute("BEGIN EXCLUSIVE")  # every write of the server waits, then gives up
            r = self.client().post("/api/signup", {"email": "blocked@example.com",
                                                    "password": "correct horse battery",
                                                    "name": "Blocked"})
        finally:
            db.rollback()
            db.close()
        self.assertError(r, 503, "unavailable")
        self.assertEqual(r.json()["error"]["message"],
                         "The service is temporarily unavailable; try again shortly.")
        self.assertNotIn("sqlite", r.body.lower())
        self.assertNotIn("locked", r.body.lower())
        self.assertEqual(r.header("Retry-After"), "1")
        self.assertIn("answered 503: sqlite: database is locked", self.server.log())
        # And the store works again once the lock is gone.
        self.assertEqual(self.client().post("/api/signup", {
            "email": "after@example.com", "password": "correct horse battery",
            "name": "After"}).status, 201)


if __name__ == "__main__":
    unittest.main()
