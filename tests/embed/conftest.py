"""Fixtures of the encoder tests: the torch reference beside the default runtime."""

from __future__ import annotations

from dataclasses import replace

import pytest

from recommender.embed.encoder import load_encoder


@pytest.fixture(scope="session")
def torch_encoder(config):
    """The bundled model on torch, the reference the fast runtimes are checked against."""
    return load_encoder(replace(config, encoder_backend="torch"))
