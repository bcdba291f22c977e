"""A real SMTP server for the tests: Debian's python3-aiosmtpd, in a process of its own.

Every message it accepts is stored as DIR/<arrival>.eml, the envelope's recipients first as
`X-Sink-Rcpt:` lines, written to a temporary name and renamed, so a reader never sees half a
message. Prints its port on the first line of stdout once it accepts connections.

    python3 smtp_sink.py --dir DIR [--port N]
"""

import argparse
import asyncio
import itertools
import os
import socket
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count()

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self.counter):06d}"
        head = "".join(f"X-Sink-Rcpt: {r}\r\n" for r in envelope.rcpt_tos).encode()
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(head + envelope.original_content)
        os.rename(tmp, os.path.join(self.directory, name + ".eml"))
        return "250 OK"


async def serve(directory, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    sink = Sink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, enable_SMTPUTF8=True), sock=sock)
    print(sock.getsockname()[1], flush=True)
    await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(serve(args.dir, args.port))


if __name__ == "__main__":
    main()
