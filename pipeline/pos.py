"""jieba part-of-speech tags where characters alone cannot tell where a noun
phrase ends: ``47家工业企业实现“小升规”`` counts 工业企业, not the whole clause.

The tokenizer is the project's own instance with its own cache file (jieba's
shared ``/tmp/jieba.cache`` breaks with several users: fxsjy/jieba #26), built
lazily on first use so runs without such figures never load it.
"""
from __future__ import annotations

import functools
import logging
import os
import tempfile
from typing import Any

# Tags that may open or continue a noun phrase (jieba's ICTCLAS-style set).
NOUNISH = ("n", "b", "vn", "an", "a", "x", "f", "j", "l", "m", "q", "k", "h", "s", "z", "g")


@functools.lru_cache(maxsize=1)
def _tagger() -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    tokenizer.cache_file = f"jieba.govfigures.{os.getuid() if hasattr(os, 'getuid') else 0}.cache"
    return jieba.posseg.POSTokenizer(tokenizer)


def noun_head(text: str) -> str:
    """The noun phrase that opens ``text``, up to its first verb.

    >>> noun_head("工业企业实现“小升规”")
    '工业企业'
    >>> noun_head("疫情防控阻击战")
    '疫情防控阻击战'
    >>> noun_head("实现收入的税种中")
    '实现收入的税种中'
    """
    pairs = [(p.word, p.flag) for p in _tagger().cut(text)]
    if not pairs or not pairs[0][1].startswith(NOUNISH) or pairs[0][1] == "v":
        return text
    pos = 0
    for i, (word, flag) in enumerate(pairs):
        if i > 0 and (flag == "v" or flag.startswith(("p", "c", "u"))) and flag != "vn":
            head = text[:pos]
            return head if len(head) >= 3 else text
        pos += len(word)
    return text
