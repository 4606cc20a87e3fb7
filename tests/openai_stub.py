"""A loopback OpenAI-compatible chat-completions server that returns canned judge outputs.

Tests give it a function from the request's text (what the judge was shown) to either a
reply string, an HTTP status to fail with, or ``DROP_CONNECTION`` (the socket is closed
with no response, as when a connection times out or breaks); it records every request so tests can check
what reached the "judge" (prompt text, attached images, generation settings). It listens on
127.0.0.1 only and stops when the context manager exits.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from tests.loopback import QuietHandler, loopback_server


@dataclass
class ReceivedRequest:
    text: str
    image_urls: list[str]
    body: dict[str, Any]


@dataclass
class StubServer:
    base_url: str
    requests: list[ReceivedRequest] = field(default_factory=list)


Reply = str | int  # a completion text, or an HTTP status code to fail with
DROP_CONNECTION: Final = "<drop the connection>"


def _flatten(messages: list[dict[str, Any]]) -> tuple[str, list[str]]:
    texts: list[str] = []
    images: list[str] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
            continue
        for part in content or []:
            if part.get("type") == "text":
                texts.append(part["text"])
            elif part.get("type") == "image_url":
                images.append(part["image_url"]["url"])
    return "\n".join(texts), images


@contextmanager
def serve_chat_completions(reply_for: Callable[[str], Reply]) -> Iterator[StubServer]:
    server_state: StubServer

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            text, images = _flatten(body.get("messages", []))
            server_state.requests.append(ReceivedRequest(text, images, body))
            reply = reply_for(text)
            if reply is DROP_CONNECTION:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if isinstance(reply, int):
                payload = json.dumps({"error": {"message": f"stub failure {reply}", "type": "server_error"}}).encode()
                self.send_response(reply)
            else:
                payload = json.dumps(
                    {
                        "id": f"chatcmpl-stub-{len(server_state.requests)}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "stub"),
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                        ],
                        "usage": {
                            "prompt_tokens": len(text) // 4,
                            "completion_tokens": len(reply) // 4,
                            "total_tokens": (len(text) + len(reply)) // 4,
                        },
                    }
                ).encode()
                self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with loopback_server(Handler) as url:
        server_state = StubServer(base_url=f"{url}/v1")
        yield server_state
