"""What the two Python peers share: rotki's settings read (every row of the `settings` table,
each value turned back into its type, the defaults filled in, the answer as JSON) and rotki's
`legacy` WebSocket message. The DB and the types come from bench_compare.py: a rotki-schema
SQLite file and a JSON map of each setting's default (pipit's answer for a new user)."""
import json
import sqlite3
import sys


class Settings:
    def __init__(self, db_path, defaults_path):
        with open(defaults_path) as f:
            self.defaults = json.load(f)
        self.db_path = db_path

    def connect(self):
        # rotki's DB connection: one per process, shared under a lock by the caller
        return sqlite3.connect(self.db_path, check_same_thread=False)

    def read(self, conn):
        """The settings as rotki's GET /api/1/settings answers them: {"result": {...}, "message": ""}."""
        rows = conn.execute("SELECT name, value FROM settings").fetchall()
        out = dict(self.defaults)
        for name, value in rows:
            d = self.defaults.get(name)
            if isinstance(d, bool):
                out[name] = value == "True"
            elif isinstance(d, int):
                out[name] = int(value)
            elif isinstance(d, (list, dict)):
                out[name] = json.loads(value)
            elif name in out:
                out[name] = value
        return json.dumps({"result": out, "message": ""})


def legacy_message(body):
    """rotki's `legacy` message for a PUT /api/1/messages body."""
    req = json.loads(body)
    return json.dumps({"type": "legacy", "data": {"verbosity": req["verbosity"], "value": req["value"]}})


def args():
    """argv: PORT DB DEFAULTS"""
    return int(sys.argv[1]), sys.argv[2], sys.argv[3]
