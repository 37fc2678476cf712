"""The targets of bots' events for clients/run.sh, since PutEventsConfiguration
checks a target before saving it: on one loopback HTTP port,

  POST /events                      an HTTPS-endpoint stand-in: echoes a
                                    {"Challenge": ...} body, takes any event (200)
  POST /2015-03-31/functions/{name}/invocations
                                    the Lambda Invoke API for any function:
                                    DryRun → 204, otherwise 200 {}

It prints the port it listens on, then one line per request.

    python3 clients/botstub.py   # then: chimed --allow-private-endpoints \\
                                 #   --lambda-endpoint http://127.0.0.1:<port> ...
"""

import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        print(self.command, self.path, self.headers.get("X-Amz-Invocation-Type", ""), flush=True)
        if self.path == "/events":
            self.answer(200, body if self.is_challenge(body) else b"")
        elif self.path.startswith("/2015-03-31/functions/") and self.path.endswith("/invocations"):
            if self.headers.get("X-Amz-Invocation-Type") == "DryRun":
                self.answer(204, b"")
            else:
                self.answer(200, b"{}")
        else:
            self.answer(404, b"")

    @staticmethod
    def is_challenge(body):
        try:
            return "Challenge" in json.loads(body)
        except ValueError:
            return False

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
