"""The far end of dial-out calls for clients/run.sh: a SIP user agent server
over UDP (RFC 3261) that answers every INVITE (100 Trying, 180 Ringing,
200 OK with an SDP answer), and answers BYE, CANCEL and OPTIONS with 200 OK.
It prints the port it listens on, then one line per request it received.

    python3 clients/sipuas.py    # then: chimed --sip-trunk sip:127.0.0.1:<port>
"""

import socket
import sys
import uuid

# RFC 3261 compact header forms.
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type"}


def parse(data):
    head, _, _ = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        headers.append((COMPACT.get(name, name), value.strip()))
    return lines[0], headers


def response(status, reason, headers, local, to_tag, body=b""):
    """A response to the request whose headers are given: the dialog headers
    copied back, a tag on To, and the body (an SDP answer for a 200 to an
    INVITE)."""
    out = [f"SIP/2.0 {status} {reason}"]
    for name, value in headers:
        if name == "to" and status > 100 and ";tag=" not in value:
            value += f";tag={to_tag}"
        if name in ("via", "from", "to", "call-id", "cseq"):
            out.append(f"{name.title() if name != 'call-id' else 'Call-ID'}: {value}")
    out.append(f"Contact: <sip:uas@{local[0]}:{local[1]}>")
    if body:
        out.append("Content-Type: application/sdp")
    out.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(out) + "\r\n\r\n").encode() + body


def sdp_answer(local):
    return (f"v=0\r\no=uas 1 1 IN IP4 {local[0]}\r\ns=chimed far end\r\nc=IN IP4 {local[0]}\r\nt=0 0\r\n"
            f"m=audio 9 RTP/AVP 0\r\na=inactive\r\n").encode()


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    local = sock.getsockname()
    print(local[1], flush=True)
    tags = {}
    while True:
        data, peer = sock.recvfrom(65535)
        first, headers = parse(data)
        if first.startswith("SIP/2.0"):
            continue  # a response to nothing we sent
        method = first.split(" ", 1)[0]
        print(f"{method} {dict(headers).get('from', '')} -> {dict(headers).get('to', '')}", flush=True)
        call_id = dict(headers).get("call-id", "")
        tag = tags.setdefault(call_id, uuid.uuid4().hex[:10])
        if method == "INVITE":
            sock.sendto(response(100, "Trying", headers, local, tag), peer)
            sock.sendto(response(180, "Ringing", headers, local, tag), peer)
            sock.sendto(response(200, "OK", headers, local, tag, sdp_answer(local)), peer)
        elif method in ("BYE", "CANCEL", "OPTIONS"):
            sock.sendto(response(200, "OK", headers, local, tag), peer)
        # ACK needs no answer.


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
