#!/usr/bin/env python3
"""Loopback test endpoints for the benchmark (127.0.0.1 only).

  --slow PORT   answers every request after 200 ms (HTTP/1.1 keep-alive, 200 OK)
  --hang PORT   accepts connections, reads what is sent, never replies

Runs until killed or until --max-seconds elapse (every server here is bounded in time)."""
import argparse, asyncio

DELAY = 0.2
RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}"

async def read_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return head

async def slow(reader, writer):
    try:
        while True:
            await read_request(reader)
            await asyncio.sleep(DELAY)
            writer.write(RESPONSE)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()

async def hang(reader, writer):
    try:
        while await reader.read(65536):
            pass
    except Exception:
        pass
    finally:
        writer.close()

async def main(a):
    servers = []
    if a.slow:
        servers.append(await asyncio.start_server(slow, "127.0.0.1", a.slow, backlog=1024))
    if a.hang:
        servers.append(await asyncio.start_server(hang, "127.0.0.1", a.hang, backlog=1024))
    print("ready", flush=True)
    await asyncio.sleep(a.max_seconds)

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--slow", type=int)
    p.add_argument("--hang", type=int)
    p.add_argument("--max-seconds", type=float, default=900)
    asyncio.run(main(p.parse_args()))
