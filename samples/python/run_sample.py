#!/usr/bin/env python3
"""Submit the sample workflow to a Routines service over its HTTP API, follow its log, print its result.

Python's standard library only. Where the service is: ROUTINES_SERVER (default http://127.0.0.1:8080), and a
token in ROUTINES_TOKEN when the service asks for one (docs/api.md). Exit codes are the `routines` command line's:
0 succeeded, 1 the run failed, 2 bad input, 4 it timed out, 6 the service cannot be reached, 7 the token is missing,
wrong or lacks the scope, 8 no such run or routine, 130 the run was cancelled.
"""
import json
import os
import sys
import urllib.error
import urllib.request

SERVER = os.environ.get("ROUTINES_SERVER", "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ.get("ROUTINES_TOKEN")
EXIT_CODES = {"succeeded": 0, "failed": 1, "timedOut": 4, "cancelled": 130}
EXIT_CODES_BY_HTTP_STATUS = {400: 2, 401: 7, 403: 7, 404: 8, 413: 2, 415: 2}


class ApiError(Exception):
    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


def request(method, path, body=None, accept="application/json"):
    """Opens one API request; an error answer (an RFC 9457 problem detail) becomes an ApiError carrying its detail."""
    headers = {"Accept": accept}
    if TOKEN:
        headers["Authorization"] = f"Bearer {TOKEN}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(f"{SERVER}/api/v1{path}", data=data, headers=headers, method=method)
    try:
        return urllib.request.urlopen(req)
    except urllib.error.HTTPError as error:
        try:
            problem = json.load(error)
            message = problem.get("detail") or problem.get("title")
        except ValueError:
            message = error.reason
        raise ApiError(f"{method} {path}: {error.code} {message}", EXIT_CODES_BY_HTTP_STATUS.get(error.code, 6)) from None
    except urllib.error.URLError as error:
        raise ApiError(f"cannot reach the Routines service at {SERVER} ({error.reason})", 6) from None


def call(method, path, body=None):
    with request(method, path, body) as response:
        return json.load(response)


def follow_log(run_id):
    """Prints the run's log lines as they come (Server-Sent Events) until the run ends."""
    with request("GET", f"/runs/{run_id}/logs/stream", accept="text/event-stream") as stream:
        event, data = "message", []
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif line == "":  # a blank line ends one event
                if event == "log" and data:
                    entry = json.loads("\n".join(data))
                    print(f"{entry['timestamp'][11:19]} {entry['message']}", flush=True)
                elif event == "end":
                    return
                event, data = "message", []


def main():
    try:
        run = call("POST", "/runs", {"routine": "train_and_pick_model", "input": {"dataset": "iris", "epochs": 40}})
        run_id = run["runId"]
        print(f"run {run_id} submitted", flush=True)
        follow_log(run_id)
        finished = call("GET", f"/runs/{run_id}")
        status = finished["status"]
        if status == "succeeded":
            print(f"succeeded: {json.dumps(finished['output'])}")
        else:
            print(f"{status}: {(finished.get('error') or {}).get('message', '')}", file=sys.stderr)
        return EXIT_CODES.get(status, 1)
    except ApiError as error:
        print(error, file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
