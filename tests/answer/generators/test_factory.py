"""The generator factory: names in settings resolve to generators, unknown names list the valid ones."""

from __future__ import annotations

import pytest

from rag.answer.generators import (
    GENERATORS,
    Generator,
    get_generator,
)
from rag.assistant import Assistant
from rag.errors import UnknownComponent


def test_factory_names(seed_assistant: Assistant) -> None:
    s = seed_assistant.settings
    for name in GENERATORS:
        gen = get_generator(name, settings=s, embedder=seed_assistant.embedder)
        assert isinstance(gen, Generator) and gen.name == name
    assert not get_generator("extractive", settings=s, embedder=seed_assistant.embedder).generative


def test_unknown_generator_lists_the_valid_names(seed_assistant: Assistant) -> None:
    with pytest.raises(UnknownComponent) as err:
        get_generator("gpt-17", settings=seed_assistant.settings, embedder=seed_assistant.embedder)
    assert all(name in str(err.value) for name in GENERATORS)
