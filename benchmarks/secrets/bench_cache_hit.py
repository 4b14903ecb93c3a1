"""Cache-hit cost: pavedroad.secrets.SecretCache.get against aws-secretsmanager-caching.

Both caches read the same secret from moto (started here on loopback, as a separate process)
and are warmed first; then each hit path is timed in the same run, interleaved, and the median
of several repeats is reported with the ratio between them.

    python benchmarks/secrets/bench_cache_hit.py [--seconds S] [--repeats R]

Needs pavedroad-secrets with the ``bench`` extra (boto3, moto[server],
aws-secretsmanager-caching). The target is at least as fast as aws-secretsmanager-caching and
under 2 microseconds per hit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import timeit
from collections.abc import Callable

import boto3
from aws_secretsmanager_caching import SecretCache as AwsSecretCache
from aws_secretsmanager_caching import SecretCacheConfig
from pavedroad.secrets import SecretCache
from pavedroad.secrets.testing import MotoServer

SECRET_ID = "bench/app/token"
TARGET_NS = 2000


def calls_per_sample(function: Callable[[], object], seconds: float) -> int:
    """How many calls take about ``seconds``: each cache gets samples of similar duration."""
    number, elapsed = timeit.Timer(function).autorange()
    return max(1, int(number * seconds / elapsed))


def per_hit_ns(function: Callable[[], object], calls: int) -> float:
    return timeit.Timer(function).timeit(number=calls) / calls * 1e9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="duration of one sample")
    parser.add_argument("--repeats", type=int, default=9, help="samples per cache")
    args = parser.parse_args()

    with MotoServer() as moto:
        os.environ.update(moto.env())
        client = boto3.session.Session().client("secretsmanager")
        client.create_secret(Name=SECRET_ID, SecretString="xoxb-bench-token")

        ours = SecretCache(ttl=3600, max_staleness=7200)
        theirs = AwsSecretCache(config=SecretCacheConfig(), client=client)
        ref = f"aws-sm:{SECRET_ID}"
        assert ours.get(ref).reveal() == theirs.get_secret_string(SECRET_ID)

        def our_hit() -> object:
            return ours.get(ref)

        def their_hit() -> object:
            return theirs.get_secret_string(SECRET_ID)

        our_calls = calls_per_sample(our_hit, args.seconds)
        their_calls = calls_per_sample(their_hit, args.seconds)
        # Interleave the samples so that both caches see the same machine state.
        our_samples: list[float] = []
        their_samples: list[float] = []
        for _ in range(args.repeats):
            our_samples.append(per_hit_ns(our_hit, our_calls))
            their_samples.append(per_hit_ns(their_hit, their_calls))
        ours.close()

    ours_ns = statistics.median(our_samples)
    theirs_ns = statistics.median(their_samples)
    result = {
        "benchmark": "cache_hit",
        "python": sys.version.split()[0],
        "repeats": args.repeats,
        "pavedroad_secrets_hits_per_sample": our_calls,
        "aws_secretsmanager_caching_hits_per_sample": their_calls,
        "pavedroad_secrets_ns_per_hit_median": round(ours_ns, 1),
        "aws_secretsmanager_caching_ns_per_hit_median": round(theirs_ns, 1),
        "speedup_vs_aws_caching": round(theirs_ns / ours_ns, 2),
        "target_ns": TARGET_NS,
        "meets_target": ours_ns < TARGET_NS and ours_ns <= theirs_ns,
    }
    print(
        f"pavedroad.secrets SecretCache.get hit:            {ours_ns:8.1f} ns "
        f"(median of {args.repeats} samples of {our_calls} hits)"
    )
    print(
        f"aws-secretsmanager-caching get_secret_string hit: {theirs_ns:8.1f} ns "
        f"(median of {args.repeats} samples of {their_calls} hits)"
    )
    print(f"ratio (aws-caching / pavedroad):                  {theirs_ns / ours_ns:8.2f}x")
    print(json.dumps(result))
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
