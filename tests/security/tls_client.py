#!/usr/bin/env python3
"""A real gRPC client over TLS for the security tests: one grpc.health.v1.Health/Check call.

Uses only Debian's python3-grpcio (no generated stubs): the request is the empty
HealthCheckRequest (zero bytes) and the answer is compared as raw bytes, b"\\x08\\x01" being
HealthCheckResponse{status: SERVING}.

Usage: tls_client.py HOST:PORT CA_PEM [--cert CLIENT_PEM --key CLIENT_KEY] [--token TOKEN]
Prints SERVING and exits 0 on success; prints "error: CODE: details" and exits 1 otherwise.
"""
import argparse
import sys

import grpc

SERVING = b"\x08\x01"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--token")
    args = parser.parse_args()

    with open(args.ca, "rb") as f:
        root = f.read()
    chain = key = None
    if args.cert:
        with open(args.cert, "rb") as f:
            chain = f.read()
        with open(args.key, "rb") as f:
            key = f.read()
    credentials = grpc.ssl_channel_credentials(
        root_certificates=root, private_key=key, certificate_chain=chain)
    metadata = [("authorization", "Bearer " + args.token)] if args.token else None
    with grpc.secure_channel(args.address, credentials) as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=lambda raw: raw,
            response_deserializer=lambda raw: raw)
        try:
            answer = check(b"", timeout=30, metadata=metadata)
        except grpc.RpcError as e:
            print("error: %s: %s" % (e.code().name, e.details()))
            return 1
    if answer != SERVING:
        print("error: unexpected answer %r" % answer)
        return 1
    print("SERVING")
    return 0


if __name__ == "__main__":
    sys.exit(main())
