"""Uncached read cost of each provider: what a cache miss (or a refresh) costs.

Every read goes through ``Resolver.resolve`` (reference parsing, provider dispatch, backend
read, ``#key`` selection), with the provider's client created once beforehand, as in a running
service. Backends are local: env, a file in a Kubernetes-style symlinked volume, moto over
HTTP on loopback, and an OpenBao/Vault dev server on loopback when a ``bao`` or ``vault``
binary is available (``.tools/bin`` or PATH). Network numbers measure this library plus the
HTTP client against a local server, not a cloud round trip.

    python benchmarks/secrets/bench_providers.py [--reads N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3
from pavedroad.secrets import Resolver
from pavedroad.secrets.testing import MotoServer, VaultDevServer, find_vault_binary

REPO_ROOT = Path(__file__).resolve().parents[2]


def median_us(read: Callable[[], object], reads: int, repeats: int) -> float:
    read()  # warm: client, connection pool, file cache
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(reads):
            read()
        samples.append((time.perf_counter() - start) / reads * 1e6)
    return statistics.median(samples)


def kubelet_volume(root: Path, key: str, value: str) -> Path:
    data = root / "..2026_01_01_00_00_00.1"
    data.mkdir(parents=True)
    (data / key).write_text(value)
    os.symlink(data.name, root / "..data")
    os.symlink(f"..data/{key}", root / key)
    return root / key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=300, help="network reads per repeat")
    parser.add_argument("--local-reads", type=int, default=20_000, help="env/file reads per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, float | str] = {}
    resolver = Resolver()

    os.environ["BENCH_TOKEN"] = "xoxb-bench"
    results["env"] = median_us(
        lambda: resolver.resolve("env:BENCH_TOKEN"), args.local_reads, args.repeats
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = kubelet_volume(Path(tmp), "token", "xoxb-bench\n")
        results["file"] = median_us(
            lambda: resolver.resolve(f"file:{path}"), args.local_reads, args.repeats
        )

    with MotoServer() as moto:
        os.environ.update(moto.env())
        client = boto3.session.Session().client("secretsmanager")
        client.create_secret(Name="bench/db", SecretString=json.dumps({"password": "p"}))
        results["aws-sm (moto, loopback HTTP)"] = median_us(
            lambda: resolver.resolve("aws-sm:bench/db#password"), args.reads, args.repeats
        )

    binary = find_vault_binary(REPO_ROOT / ".tools")
    if binary is None:
        results["vault (KV v2)"] = "skipped: no bao or vault binary (run `make bootstrap`)"
    else:
        with VaultDevServer(binary) as vault:
            os.environ.update(vault.env())
            import hvac

            hvac.Client(
                url=vault.address, token=vault.root_token
            ).secrets.kv.v2.create_or_update_secret(path="bench/app", secret={"key": "v"})
            vault_resolver = Resolver()
            results[f"vault (KV v2, {Path(binary).name} dev server)"] = median_us(
                lambda: vault_resolver.resolve("vault:secret/bench/app#key"),
                args.reads,
                args.repeats,
            )
            vault_resolver.close()
    resolver.close()

    for name, value in results.items():
        shown = f"{value:10.1f} us/read" if isinstance(value, float) else value
        print(f"{name:40} {shown}")
    print(json.dumps({"benchmark": "uncached_provider_reads_us_median", "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
