"""Cost per password guess against a session handle read from XCom, offline (no request to ThoughtSpot).

An XCom reader who has a handle but not the connection can only guess the login secret and try each
guess: derive the key, try to decrypt. This measures one guess with the key derivation of session handles
version 2 (scrypt, then HKDF) against version 1 (HKDF alone), on one core. With Airflow's ``[core]
fernet_key`` set, no guess works at all without that key as well.

Run: ``python -m bench.handle_guess [--guesses N]``; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from airflow_provider_tssession.session_handle import derive_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

BINDING = b"thoughtspot_default\0https://my.thoughtspot.cloud\0etl"


def v1_guess(guess: str) -> bytes:
    """Derive a key as handles version 1 did: HKDF-SHA256 of the password with a fixed salt."""
    salt = b"airflow-provider-thoughtspot/session-handle/v1"
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=BINDING).derive(guess.encode())


def v2_guess(guess: str, salt: bytes = os.urandom(16)) -> bytes:
    """Derive a key as handles version 2 do without a Fernet key: scrypt (32 MiB), then HKDF."""
    return derive_key(guess, salt, None, BINDING)


def seconds_per_guess(derive: Callable[[str], bytes], guesses: int) -> float:
    """Mean seconds per guess over `guesses` distinct guesses."""
    started = time.perf_counter()
    for number in range(guesses):
        derive(f"guess-{number}")
    return (time.perf_counter() - started) / guesses


def main(argv: Sequence[str] | None = None) -> None:
    """Measure both derivations and print the cost per guess and guesses per second on one core."""
    parser = argparse.ArgumentParser(prog="python -m bench.handle_guess", description=__doc__)
    parser.add_argument("--guesses", type=int, default=20, help="guesses timed with version 2")
    args = parser.parse_args(argv)
    rows = [
        ("version 1 (HKDF only)", seconds_per_guess(v1_guess, args.guesses * 1000)),
        ("version 2 (scrypt n=2^15 r=8, then HKDF)", seconds_per_guess(v2_guess, args.guesses)),
    ]
    print("| Handle key derivation | per guess | guesses/s on one core |")
    print("|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.3f} ms | {1 / seconds:,.0f} |")
    print(f"\nversion 2 costs {rows[1][1] / rows[0][1]:,.0f} times more per guess than version 1")


if __name__ == "__main__":
    main()
