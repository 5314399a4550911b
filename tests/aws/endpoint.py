#!/usr/bin/env python3
"""endpoint.py - a local stand-in for AWS that checks every request's SigV4
signature with botocore's signer (an implementation independent of
libcurl's, which aslc signs with) and answers a few services the way AWS
does, so that tests/aws/check.sh can run a workflow with --aws and
AWS_ENDPOINT_URL=http://127.0.0.1:PORT.

    python3 endpoint.py PORTFILE LOGFILE

Writes the port it listens on to PORTFILE, one line per request to
LOGFILE ("ok SERVICE WHAT" or "BAD SERVICE why"), and serves until killed.
A request whose signature does not verify is answered 403 with AWS's
InvalidSignatureException, as AWS would.

Services: JSON protocols (X-Amz-Target: SQS SendMessage, DynamoDB
PutItem/GetItem, Secrets Manager GetSecretValue, EventBridge PutEvents,
SFN DescribeStateMachine), Lambda Invoke (REST-JSON), S3 GetObject,
PutObject and ListObjectsV2 (REST-XML, path style), SNS Publish and STS
AssumeRole (query).
"""
import datetime
import hashlib
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    sys.stderr.write("endpoint.py: botocore is not installed\n")
    sys.exit(3)

# The keys the test hands aslc, and the role credentials AssumeRole hands out.
SECRETS = {
    "AKIDEXAMPLETEST": ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None),
    "ASIAROLETEST": ("roleSecretKey/abc+def", "role-session-token-XYZ/+="),
}
LOG_LOCK = threading.Lock()
STATE = {"items": {}, "objects": {}, "requests": 0}


def log(path, line):
    with LOG_LOCK, open(path, "a") as f:
        f.write(line + "\n")


def verify(method, path, headers, body, service_hint):
    """Checks the request's Authorization with botocore; returns
    (service, None) or (service, why)."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return service_hint, "no SigV4 Authorization header"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    akid, date, region, service, term = parts["Credential"].split("/")
    signed = parts["SignedHeaders"].split(";")
    if akid not in SECRETS:
        return service, "unknown access key " + akid
    secret, token = SECRETS[akid]
    for need in ["host", "x-amz-date"] + [
        h for h in ("content-type", "x-amz-target", "x-amz-security-token",
                    "x-amz-content-sha256") if h in {k.lower() for k in headers}
    ]:
        if need not in signed:
            return service, "header %s is not signed" % need
    if token and headers.get("X-Amz-Security-Token") != token:
        return service, "missing or wrong X-Amz-Security-Token for " + akid
    stamp = headers.get("X-Amz-Date", "")
    when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 900:
        return service, "X-Amz-Date %s is more than 15 minutes off" % stamp
    if date != stamp[:8] or term != "aws4_request":
        return service, "bad credential scope " + parts["Credential"]
    if service == "s3":
        sha = headers.get("X-Amz-Content-SHA256")
        if sha != hashlib.sha256(body).hexdigest():
            return service, "x-amz-content-sha256 %s is not the body's hash" % sha
    hdrs = {k: v for k, v in headers.items() if k.lower() in signed}
    req = AWSRequest(method=method, url="http://" + headers["Host"] + path, data=body, headers=hdrs)
    req.context["timestamp"] = stamp
    cls = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = cls(Credentials(akid, secret, token), service, region)
    canonical = signer.canonical_request(req)
    expect = signer.signature(signer.string_to_sign(req, canonical), req)
    if expect != parts["Signature"]:
        return service, "signature mismatch; botocore's canonical request:\n" + canonical
    return service, None


def xml(tag, inner):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="https://example.com/doc/">%s</%s>'
            % (tag, inner, tag)).encode()


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json", extra=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        with LOG_LOCK:
            STATE["requests"] += 1
            rid = "req-%d" % STATE["requests"]
        self.send_header("x-amzn-RequestId", rid)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        target = self.headers.get("X-Amz-Target")
        service, why = verify(self.command, self.path, self.headers, body, "?")
        logf = self.server.logfile
        if why:
            log(logf, "BAD %s %s %s" % (service, self.path, why.replace("\n", "\\n")))
            return self.reply(403, {"__type": "InvalidSignatureException",
                                    "message": "The request signature we calculated does not match"})
        what = target or (self.command + " " + self.path.split("?")[0])
        log(logf, "ok %s %s" % (service, what))
        if target:
            return self.json_call(target, json.loads(body or b"{}"))
        if self.path.startswith("/2015-03-31/functions/"):
            return self.lambda_call(body)
        if service == "s3":
            return self.s3_call(body)
        form = urllib.parse.parse_qs(body.decode())
        if form.get("Action") == ["Publish"]:
            return self.reply(200, xml("PublishResponse",
                                       "<PublishResult><MessageId>msg-%d</MessageId></PublishResult>"
                                       "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
                                       % len(form["Message"][0])), "text/xml")
        if form.get("Action") == ["AssumeRole"]:
            return self.reply(200, xml("AssumeRoleResponse",
                                       "<AssumeRoleResult><Credentials><AccessKeyId>ASIAROLETEST"
                                       "</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                                       "<SessionToken>%s</SessionToken></Credentials>"
                                       "</AssumeRoleResult>"
                                       % (esc(SECRETS["ASIAROLETEST"][0]),
                                          esc(SECRETS["ASIAROLETEST"][1]))), "text/xml")
        return self.reply(400, {"__type": "UnknownOperationException", "message": self.path})

    def json_call(self, target, p):
        if target == "AmazonSQS.SendMessage":
            md5 = hashlib.md5(p["MessageBody"].encode()).hexdigest()
            return self.reply(200, {"MD5OfMessageBody": md5, "MessageId": "m-" + md5[:8]},
                              "application/x-amz-json-1.0")
        if target == "DynamoDB_20120810.PutItem":
            STATE["items"][json.dumps(p["Item"]["id"])] = p["Item"]
            return self.reply(200, {}, "application/x-amz-json-1.0")
        if target == "DynamoDB_20120810.GetItem":
            item = STATE["items"].get(json.dumps(p["Key"]["id"]))
            return self.reply(200, {"Item": item} if item else {}, "application/x-amz-json-1.0")
        if target == "secretsmanager.GetSecretValue":
            if p.get("SecretId") != "db-password":
                return self.reply(400, {"__type": "ResourceNotFoundException",
                                        "message": "Secrets Manager can't find the specified secret."},
                                  "application/x-amz-json-1.1")
            return self.reply(200, {"Name": "db-password", "SecretString": "hunter2"},
                              "application/x-amz-json-1.1")
        if target == "AWSEvents.PutEvents":
            entries = [{"EventId": "e-%d" % i} for i, e in enumerate(p["Entries"])
                       if isinstance(e.get("Detail"), str)]
            return self.reply(200, {"Entries": entries,
                                    "FailedEntryCount": len(p["Entries"]) - len(entries)},
                              "application/x-amz-json-1.1")
        return self.reply(400, {"__type": "com.amazon.coral.service#UnknownOperationException",
                                "message": target}, "application/x-amz-json-1.0")

    def lambda_call(self, body):
        name = urllib.parse.unquote(self.path.split("/")[3])
        if name.endswith(":function:fail") or name == "fail":
            return self.reply(200, {"errorType": "ValueError", "errorMessage": "bad input"},
                              extra={"X-Amz-Function-Error": "Unhandled",
                                     "X-Amz-Executed-Version": "$LATEST"})
        if name == "slow":
            time.sleep(5)
        if name == "missing":
            return self.reply(404, {"Type": "User", "message": "Function not found: missing"},
                              extra={"x-amzn-ErrorType": "ResourceNotFoundException"})
        return self.reply(200, {"function": name, "event": json.loads(body or b"null")},
                          extra={"X-Amz-Executed-Version": "$LATEST"})

    def s3_call(self, body):
        u = urllib.parse.urlsplit(self.path)
        bucket, _, key = u.path[1:].partition("/")
        key = urllib.parse.unquote(key)
        q = urllib.parse.parse_qs(u.query)
        if self.command == "PUT":
            STATE["objects"][(bucket, key)] = (body, self.headers.get("Content-Type"))
            return self.reply(200, b"", extra={"ETag": '"%s"' % hashlib.md5(body).hexdigest()})
        if key:
            if (bucket, key) not in STATE["objects"]:
                return self.reply(404, b"<Error><Code>NoSuchKey</Code><Message>The specified "
                                  b"key does not exist.</Message></Error>", "application/xml")
            data, ctype = STATE["objects"][(bucket, key)]
            return self.reply(200, data, ctype or "binary/octet-stream",
                              {"ETag": '"%s"' % hashlib.md5(data).hexdigest(),
                               "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT",
                               "x-amz-meta-owner": "tests"})
        prefix = q.get("prefix", [""])[0]
        keys = sorted(k for (b, k) in STATE["objects"] if b == bucket and k.startswith(prefix))
        inner = "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys>" \
                "<IsTruncated>false</IsTruncated>" % (esc(bucket), esc(prefix), len(keys))
        for k in keys:
            inner += "<Contents><Key>%s</Key><Size>%d</Size><StorageClass>STANDARD</StorageClass>" \
                     "</Contents>" % (esc(k), len(STATE["objects"][(bucket, k)][0]))
        return self.reply(200, xml("ListBucketResult", inner), "application/xml")

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def main():
    portfile, logfile = sys.argv[1], sys.argv[2]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.logfile = logfile
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
