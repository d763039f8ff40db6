"""The old rotki stack in small: Flask on gevent's pywsgi with gevent-websocket's handler, one
process, one greenlet per request. GET /api/1/settings reads SQLite on the event loop under a
lock (rotki's gevent-era DB path: the sqlite3 call blocks the loop while it runs); PUT
/api/1/messages broadcasts rotki's `legacy` message to every /ws client, one greenlet per send
as rotki's notifier did. argv: PORT DB DEFAULTS."""
from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402
import gevent.lock  # noqa: E402
from flask import Flask, Response, request  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402

from common import Settings, args, legacy_message  # noqa: E402

port, db_path, defaults_path = args()
settings = Settings(db_path, defaults_path)
conn = settings.connect()
db_lock = gevent.lock.Semaphore()
clients = set()
app = Flask(__name__)


def json_response(text, status=200):
    return Response(text, status=status, mimetype="application/json")


@app.route("/api/1/ping")
def ping():
    return json_response('{"result": true, "message": ""}')


@app.route("/api/1/settings")
def get_settings():
    with db_lock:
        return json_response(settings.read(conn))


def send_one(ws, msg):
    try:
        ws.send(msg)
    except Exception:
        clients.discard(ws)


@app.route("/api/1/messages", methods=["PUT"])
def put_message():
    msg = legacy_message(request.get_data())
    targets = list(clients)
    for ws in targets:
        gevent.spawn(send_one, ws, msg)
    return json_response('{"result": {"clients": %d}, "message": ""}' % len(targets))


def ws_app(sock):
    """/ws, as gevent-websocket serves it (rotki ran it as a Resource beside the Flask app)."""
    clients.add(sock)
    try:
        while sock.receive() is not None:
            pass
    finally:
        clients.discard(sock)
    return []


def dispatch(environ, start_response):
    sock = environ.get("wsgi.websocket")
    if sock is not None and environ.get("PATH_INFO") == "/ws":
        return ws_app(sock)
    return app(environ, start_response)


WSGIServer(("127.0.0.1", port), dispatch, handler_class=WebSocketHandler, log=None, error_log=None,
           backlog=4096).serve_forever()
