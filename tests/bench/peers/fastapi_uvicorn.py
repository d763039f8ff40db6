"""The new rotki stack in small: FastAPI on uvicorn (h11, asyncio: rotki's plain `uvicorn`
dependency) with the websockets backend, one process. GET /api/1/settings is a plain `def`
endpoint, so FastAPI runs it in its thread pool, reading SQLite under a lock; PUT
/api/1/messages broadcasts rotki's `legacy` message to every /ws client, one task per send.
argv: PORT DB DEFAULTS."""
import asyncio
import threading

import uvicorn
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response

from common import Settings, args, legacy_message

port, db_path, defaults_path = args()
settings = Settings(db_path, defaults_path)
conn = settings.connect()
db_lock = threading.Lock()
clients = set()
app = FastAPI()


def json_response(text, status=200):
    return Response(content=text, status_code=status, media_type="application/json")


@app.get("/api/1/ping")
async def ping():
    return json_response('{"result": true, "message": ""}')


@app.get("/api/1/settings")
def get_settings():
    with db_lock:
        return json_response(settings.read(conn))


async def send_one(ws, msg):
    try:
        await ws.send_text(msg)
    except Exception:
        clients.discard(ws)


@app.put("/api/1/messages")
async def put_message(request: Request):
    msg = legacy_message(await request.body())
    targets = list(clients)
    for ws in targets:
        asyncio.get_running_loop().create_task(send_one(ws, msg))
    return json_response('{"result": {"clients": %d}, "message": ""}' % len(targets))


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    clients.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        clients.discard(websocket)


uvicorn.run(app, host="127.0.0.1", port=port, ws="websockets", log_level="warning", access_log=False,
            ws_ping_interval=60, ws_ping_timeout=60, timeout_keep_alive=300, backlog=4096)
