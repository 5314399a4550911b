#!/usr/bin/env python3
# tests/serve/robust.py - hostile clients against `aslc serve` (issue 13),
# on raw sockets: malformed and mistyped bodies get AWS's error shape,
# oversized bodies are refused unread, garbage bytes, vanishing, slow and
# silent clients, and a flood of connections; after each, the server must
# still answer. Run by robust.sh: robust.py PORT.
import json
import os
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
IDLE_TIMEOUT = 20  # server/http.c
passes = 0
fails = 0


def ok():
    global passes
    passes += 1


def bad(msg):
    global fails
    fails += 1
    print("serve-robust: FAIL: " + msg, flush=True)


def connect(timeout=10):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    return s


def read_reply(s):
    """One HTTP reply: (status, headers, body) or None if the server closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def request(body, action="ListStateMachines", extra=b"", raw_target=None, timeout=10):
    if isinstance(body, str):
        body = body.encode()
    target = raw_target if raw_target is not None else ("AWSStepFunctions." + action)
    msg = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           b"Content-Type: application/x-amz-json-1.0\r\n")
    if target:
        msg += b"X-Amz-Target: " + target.encode() + b"\r\n"
    msg += extra + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
    s = connect(timeout)
    try:
        s.sendall(msg + body)
        return read_reply(s)
    finally:
        s.close()


def expect_error(what, reply, status, typ):
    if reply is None:
        bad(what + ": the server closed the connection without a reply")
        return
    st, headers, body = reply
    try:
        doc = json.loads(body)
    except ValueError:
        bad("%s: the reply is not JSON: %r" % (what, body[:200]))
        return
    if st != status or doc.get("__type") != typ or not isinstance(doc.get("message"), str):
        bad("%s: want %d %s with a message, got %d %r" % (what, status, typ, st, body[:300]))
        return
    if headers.get("content-type") != "application/x-amz-json-1.0":
        bad("%s: content type %r" % (what, headers.get("content-type")))
        return
    ok()


def still_up(what):
    try:
        r = request("{}")
    except OSError as e:
        bad("after %s: the server does not answer: %s" % (what, e))
        return
    if r is None or r[0] != 200 or b"stateMachines" not in r[2]:
        bad("after %s: ListStateMachines answered %r" % (what, r))
    else:
        ok()


# A silent connection, opened first, checked last: the server drops it.
silent = connect(timeout=IDLE_TIMEOUT + 15)
silent_since = time.time()

# ---- bodies ---------------------------------------------------------------
expect_error("malformed JSON", request("{not json"), 400, "SerializationException")
expect_error("truncated JSON", request('{"maxResults": 1'), 400, "SerializationException")
expect_error("a JSON array", request("[1,2]"), 400, "SerializationException")
expect_error("a JSON string", request('"hello"'), 400, "SerializationException")
expect_error("deep nesting", request("[" * 100000), 400, "SerializationException")
expect_error("invalid UTF-8", request(b'{"nextToken":"\xff\xfe"}'), 400, "SerializationException")
expect_error("overlong UTF-8", request(b'{"nextToken":"\xc0\xaf"}'), 400, "SerializationException")
expect_error("UTF-16 surrogate", request(b'{"nextToken":"\xed\xa0\x80"}'), 400,
             "SerializationException")
expect_error("NUL bytes", request(b'{"a":1}\x00\x00'), 400, "SerializationException")
expect_error("string field given a number",
             request('{"stateMachineArn": 5}', "DescribeStateMachine"), 400,
             "SerializationException")
expect_error("string field given an object",
             request('{"name": {}, "definition": "{}"}', "CreateStateMachine"), 400,
             "SerializationException")
expect_error("integer field given a string", request('{"maxResults": "ten"}'), 400,
             "SerializationException")
expect_error("boolean field given a string",
             request('{"executionArn": "arn:aws:states:us-east-1:123456789012:execution:a:b",'
                     ' "reverseOrder": "yes"}', "GetExecutionHistory"), 400,
             "SerializationException")
expect_error("maxResults out of range", request('{"maxResults": 5000}'), 400,
             "ValidationException")
expect_error("required member missing", request("{}", "DescribeStateMachine"), 400,
             "ValidationException")
expect_error("enum value", request('{"name":"x","definition":"{}","roleArn":"r","type":"BIG"}',
                                   "CreateStateMachine"), 400, "ValidationException")
expect_error("unknown action", request("{}", "Frobnicate"), 400, "UnknownOperationException")
expect_error("no target header", request("{}", raw_target=""), 400, "UnknownOperationException")
expect_error("another service's target", request("{}", raw_target="DynamoDB_20120810.ListTables"),
             400, "UnknownOperationException")
still_up("bad bodies")

# ---- oversized bodies -------------------------------------------------------
# announced: answered before the body is sent (we send none at all)
s = connect()
s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
          b"Content-Length: 50000000\r\n\r\n")
t0 = time.time()
expect_error("a 50 MB body announced", read_reply(s), 413, "ValidationException")
if time.time() - t0 > 5:
    bad("the oversized body was not refused at once (%.1f s)" % (time.time() - t0))
s.close()
expect_error("a body of 1 MB + 1", request(b" " * ((1 << 20) + 1)), 413, "ValidationException")
r = request(b" " * (1 << 20) + b"")  # exactly at the limit: whitespace is not JSON
expect_error("a body of exactly 1 MB", r, 400, "SerializationException")
# chunked, without a length: drained and answered
s = connect()
s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
          b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
chunk = b"a" * 65536
try:
    for _ in range(40):  # 2.5 MB
        s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
    s.sendall(b"0\r\n\r\n")
    expect_error("a chunked 2.5 MB body", read_reply(s), 413, "ValidationException")
except OSError as e:
    bad("chunked oversized body: %s" % e)
s.close()
# a chunked body that never ends is cut off
s = connect()
s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
          b"Transfer-Encoding: chunked\r\n\r\n")
cut = False
try:
    for _ in range(1000):  # up to 64 MB
        s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
except OSError:
    cut = True
s.close()
if cut:
    ok()
else:
    bad("an endless chunked body was read to 64 MB")
big_headers = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 1000) for i in range(200))
r = None
try:
    s = connect()
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n" + big_headers + b"Content-Length: 2\r\n\r\n{}")
    r = read_reply(s)
    s.close()
except OSError:
    pass
if r is None or r[0] >= 400:
    ok()  # refused (431 / 413) or closed: both fine
else:
    bad("200 KB of headers were accepted: %r" % (r,))
still_up("oversized bodies")

# ---- garbage and vanishing clients --------------------------------------------
rnd = os.urandom(4096)
for junk in (rnd, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + rnd[:200],  # a TLS hello
             b"GARBAGE\r\n\r\n", b"POST / HTTP/9.9\r\n\r\n", b"\r\n" * 5000,
             b"POST /" + b"x" * 100000 + b" HTTP/1.1\r\n\r\n"):
    try:
        s = connect()
        s.sendall(junk)
        s.settimeout(5)
        try:
            s.recv(4096)
        except OSError:
            pass
        s.close()
    except OSError:
        pass
still_up("garbage bytes")
for i in range(200):  # connect and go
    socket.create_connection(("127.0.0.1", PORT)).close()
for i in range(50):  # half a request, then go
    s = connect()
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\":")
    s.close()
for i in range(20):  # a reset instead of a close
    s = connect()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
    s.close()
still_up("vanishing clients")

# ---- slow clients do not hold up the others -------------------------------------
stop_slow = threading.Event()


def slow_client():
    try:
        s = connect(timeout=60)
        for b in b"POST / HTTP/1.1\r\nHost: x\r\n":
            if stop_slow.is_set():
                break
            s.send(bytes([b]))
            time.sleep(0.5)
        s.close()
    except OSError:
        pass


slow = [threading.Thread(target=slow_client) for _ in range(30)]
for t in slow:
    t.start()
time.sleep(1)
t0 = time.time()
still_up("30 slow clients")
if time.time() - t0 > 2:
    bad("a request took %.1f s beside slow clients" % (time.time() - t0))
stop_slow.set()
for t in slow:
    t.join()

# ---- a flood of connections ---------------------------------------------------
answered = [0]
lock = threading.Lock()


def one():
    try:
        r = request("{}", timeout=30)
        if r and r[0] == 200:
            with lock:
                answered[0] += 1
    except OSError:
        pass


flood = [threading.Thread(target=one) for _ in range(300)]
for t in flood:
    t.start()
for t in flood:
    t.join()
if answered[0] == 300:
    ok()
else:
    bad("a flood of 300 requests: %d answered" % answered[0])
# more connections than the limit, all idle: the server refuses the excess,
# and answers again as soon as they go
idle = []
try:
    for i in range(1200):
        idle.append(socket.create_connection(("127.0.0.1", PORT), timeout=5))
except OSError:
    pass
time.sleep(0.5)
for s in idle:
    s.close()
time.sleep(0.5)
t0 = time.time()
still_up("1200 idle connections")
if time.time() - t0 > 2:
    bad("the first request after the flood took %.1f s" % (time.time() - t0))

# ---- the silent connection was dropped ----------------------------------------
try:
    left = IDLE_TIMEOUT + 10 - (time.time() - silent_since)
    silent.settimeout(max(left, 1))
    got = silent.recv(1)
    waited = time.time() - silent_since
    if got == b"" and waited < IDLE_TIMEOUT + 10:
        ok()
    else:
        bad("the silent connection: got %r after %.1f s" % (got, waited))
except socket.timeout:
    bad("a silent connection was kept over %d s" % (IDLE_TIMEOUT + 10))
except OSError:
    ok()  # reset: dropped too
silent.close()
still_up("everything")
print("serve-robust: %d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
