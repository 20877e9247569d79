#!/usr/bin/env python3
"""One IMDSv2 exchange on stdin/stdout, as EC2's instance-metadata service answers it.

QEMU runs this once per guest connection to 169.254.169.254:80 (a user-network guestfwd
with cmd:). Token from PUT /latest/api/token (TTL header required), then GETs carrying it,
401 without it. IMDS_USER_DATA is the user data file; IMDS_DELAY_SECONDS delays every answer
(a slow metadata service). Nothing is printed but the answer.
"""
import json
import os
import sys
import time

TOKEN = "i2kit-test-token"
INSTANCE_ID = "i-0123456789abcdef0"
ROLE = "i2kit-test-role"
# The instance role's temporary credentials: the stand-in's keys, with its session token.
CREDENTIALS = {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "AKIDSTANDIN",
               "SecretAccessKey": "STANDINSECRET", "Token": "i2kit-test-session",
               "Expiration": "2099-01-01T00:00:00Z", "LastUpdated": "2026-11-23T00:00:00Z"}


def answer(status, body=b"", headers=()):
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}[status]
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", "Connection: close"]
    head += list(headers)
    sys.stdout.buffer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    sys.stdout.buffer.flush()


def main():
    stream = sys.stdin.buffer
    request_line = stream.readline().decode("latin-1").strip()
    headers = {}
    while True:
        line = stream.readline().decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if length:
        stream.read(length)
    time.sleep(float(os.environ.get("IMDS_DELAY_SECONDS", "0")))
    method, path = (request_line.split(" ") + ["", ""])[:2]
    if method == "PUT" and path == "/latest/api/token":
        if "x-aws-ec2-metadata-token-ttl-seconds" not in headers:
            return answer(400)
        return answer(200, TOKEN.encode(), ["X-aws-ec2-metadata-token-ttl-seconds: 21600"])
    if headers.get("x-aws-ec2-metadata-token") != TOKEN:
        return answer(401)
    if method != "GET":
        return answer(400)
    if path == "/latest/meta-data/instance-id":
        return answer(200, INSTANCE_ID.encode())
    if path == "/latest/meta-data/placement/region":
        return answer(200, b"us-east-1")
    if path == "/latest/meta-data/iam/security-credentials/":
        return answer(200, ROLE.encode())
    if path == "/latest/meta-data/iam/security-credentials/" + ROLE:
        return answer(200, json.dumps(CREDENTIALS).encode())
    if path == "/latest/user-data":
        with open(os.environ["IMDS_USER_DATA"], "rb") as f:
            return answer(200, f.read())
    return answer(404)


if __name__ == "__main__":
    main()
