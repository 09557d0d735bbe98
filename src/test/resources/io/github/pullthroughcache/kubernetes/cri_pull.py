"""A minimal CRI client: runtime.v1.ImageService/PullImage over containerd's socket, as the kubelet calls it.

The messages are encoded by hand from the CRI definitions (kubernetes/cri-api pkg/apis/runtime/v1/api.proto):
PullImageRequest {ImageSpec image = 1; AuthConfig auth = 2}, ImageSpec {string image = 1},
AuthConfig {string username = 1; string password = 2; string server_address = 4}, PullImageResponse {string image_ref = 1}.
The kubelet never sets server_address (kubernetes pkg/credentialprovider), so neither does this client.

usage: cri_pull.py <socket> <image> [<username> <password>]
prints one line: PULLED <image> <image_ref>, or REFUSED <image> <gRPC code> <details>
"""
import sys

import grpc


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def text(number, value):
    return field(number, value.encode())


def first_string(message):
    # PullImageResponse: field 1, wire type 2
    if not message or message[0] != 0x0A:
        return ""
    length, shift, i = 0, 0, 1
    while True:
        byte = message[i]
        length |= (byte & 0x7F) << shift
        i += 1
        shift += 7
        if byte < 0x80:
            break
    return message[i:i + length].decode()


def main():
    socket, image = sys.argv[1], sys.argv[2]
    request = field(1, text(1, image))
    if len(sys.argv) == 5:
        request += field(2, text(1, sys.argv[3]) + text(2, sys.argv[4]))
    channel = grpc.insecure_channel("unix://" + socket)
    pull = channel.unary_unary("/runtime.v1.ImageService/PullImage",
                               request_serializer=lambda b: b, response_deserializer=lambda b: b)
    try:
        response = pull(request, timeout=60)
        print("PULLED", image, first_string(response))
    except grpc.RpcError as error:
        print("REFUSED", image, error.code().name, (error.details() or "").replace("\n", " "))
    finally:
        channel.close()


if __name__ == "__main__":
    main()
