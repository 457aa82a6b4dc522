"""Closed-loop HTTP clients: each sends its next POST /contact as soon as the last one is answered."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

# Enough variety that the workflow takes each branch, including the admin email for NEGATIVE.
_TEXTS = (
    "Thank you, the new release works really well",
    "This is terrible, awful service and I am angry",
    "Where can I find the invoice for last month?",
    "Great support but the delivery was awful",
)


@dataclass(frozen=True)
class Exchange:
    """One request and its answer."""

    status: int  # 0: no HTTP answer at all
    seconds: float
    ticket_id: str | None
    message: str
    failure: str | None = None  # why there was no answer (ConnectionResetError, TimeoutError...)


def submission(run_id: str, client: int, number: int) -> dict[str, str]:
    """A unique submission; ``run_id`` marks every text so the audit and the log scan can find them."""
    return {
        "message": f"{_TEXTS[number % len(_TEXTS)]} [{run_id} c{client} n{number}]",
        "name": f"Load {run_id} {client}",
        "email": f"load.{run_id}.{client}@example.com",
    }


def post(url: str, document: dict[str, str], timeout: float = 30) -> tuple[int, dict]:
    """POST a JSON document; (status, JSON body), or (0, {"failure": reason}) when nothing answered."""
    request = urllib.request.Request(
        url, data=json.dumps(document).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except urllib.error.URLError as error:
        return 0, {"failure": type(error.reason).__name__}
    except (OSError, ValueError) as error:
        return 0, {"failure": type(error).__name__}


def drive(api_url: str, run_id: str, clients: int, duration: float, max_requests: int) -> list[Exchange]:
    """Run ``clients`` threads until ``duration`` seconds passed or ``max_requests`` were sent."""
    exchanges: list[Exchange] = []
    lock = threading.Lock()
    budget = iter(range(max_requests))
    deadline = time.monotonic() + duration

    def client(index: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                number = next(budget, None)
            if number is None:
                return
            document = submission(run_id, index, number)
            started = time.perf_counter()
            status, body = post(f"{api_url}/contact", document)
            exchange = Exchange(status, time.perf_counter() - started, body.get("ticketId"), document["message"],
                                body.get("failure") if status == 0 else None)
            with lock:
                exchanges.append(exchange)

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return exchanges
