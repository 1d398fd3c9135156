"""Overhead of VitalClient per link token, as a ratio against bare httpx in the same run.

Both talk to the same in-process sandbox over loopback, alternating in rounds so machine
noise hits both alike; the median of each is compared.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc

import httpx

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer

ROUNDS = 15
PER_ROUND = 20


def main() -> int:
    with SandboxServer() as server:
        user_id = str(server.state.create_user("bench")["user_id"])
        body = {"user_id": user_id, "provider": "oura"}
        headers = {"x-vital-api-key": server.demo_key}
        bare = httpx.Client(base_url=server.base_url, headers=headers)
        client = VitalClient(server.demo_key, custom_target(server.base_url))
        floor: list[float] = []
        ours: list[float] = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for _ in range(PER_ROUND):
                bare.post("/v2/link/token", json=body).json()
            floor.append((time.perf_counter() - start) / PER_ROUND)
            start = time.perf_counter()
            for _ in range(PER_ROUND):
                client.create_link_token(LinkTokenRequest.build(user_id, "oura"))
            ours.append((time.perf_counter() - start) / PER_ROUND)

        tracemalloc.start()
        for _ in range(200):
            client.create_link_token(LinkTokenRequest.build(user_id, "oura"))
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        bare.close()
        client.close()

    floor_ms = statistics.median(floor) * 1000
    ours_ms = statistics.median(ours) * 1000
    ratio = ours_ms / floor_ms
    print(f"bare httpx floor : {floor_ms:7.2f} ms per link token")
    print(f"VitalClient      : {ours_ms:7.2f} ms per link token")
    print(f"ratio            : {ratio:7.2f} (target < 1.5)")
    print(f"memory after 200 : {current / 1024:7.1f} KiB retained, {peak / 1024:.1f} KiB peak")
    return 0 if ratio < 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
