"""jieba segmentation where characters alone cannot tell where a noun phrase
ends: ``47家工业企业实现“小升规”`` counts 工业企业, not the whole clause.

jieba cuts the words; the words its dictionary tags as verbs, prepositions,
conjunctions and particles (``data/pos_boundaries.txt``, generated from
jieba's own dict.txt) end the phrase. The tokenizer is the project's own
instance with its own cache file (jieba's shared ``/tmp/jieba.cache`` breaks
with several users: fxsjy/jieba #26), built lazily on first use.
"""
from __future__ import annotations

import functools
import logging
import os
import tempfile
from typing import Any

from .lexicon import DATA


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    tokenizer.cache_file = f"jieba.govfigures.{uid}.cache"
    return tokenizer


@functools.lru_cache(maxsize=1)
def boundary_words() -> frozenset[str]:
    with open(DATA / "pos_boundaries.txt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))


def noun_head(text: str) -> str:
    """The noun phrase that opens ``text``, up to its first verb.

    >>> noun_head("工业企业实现“小升规”")
    '工业企业'
    >>> noun_head("疫情防控阻击战")
    '疫情防控阻击战'
    >>> noun_head("实现收入的税种中")
    '实现收入的税种中'
    """
    stops = boundary_words()
    words = list(_tokenizer().cut(text, HMM=False))
    if not words or words[0] in stops:
        return text
    pos = 0
    for i, word in enumerate(words):
        # a one-character stop after another single character is a piece of a
        # word jieba does not know (医|共|体, 专精|特|新), not a verb or adverb
        fragment = len(word) == 1 and i > 0 and (
            len(words[i - 1]) == 1 or (i + 1 < len(words) and len(words[i + 1]) == 1))
        if i > 0 and word in stops and not fragment:
            head = text[:pos]
            return head if len(head) >= 3 else text
        pos += len(word)
    return text


def ends_with_verb(text: str) -> bool:
    """Whether ``text`` ends with a verb (重点实施), i.e. names an action, not a thing.

    >>> ends_with_verb("重点实施"), ends_with_verb("地方财政总收入")
    (True, False)
    """
    words = list(_tokenizer().cut(text, HMM=False))
    return bool(words) and words[-1] in boundary_words() and len(words[-1]) >= 2


def is_word(text: str) -> bool:
    """Whether jieba's dictionary knows ``text`` as a word.

    >>> is_word("农村"), is_word("小浆")
    (True, False)
    """
    tokenizer = _tokenizer()
    tokenizer.check_initialized()
    return tokenizer.FREQ.get(text, 0) > 0
