"""Numeral text to exact ``Decimal``: the "parser" half of figure extraction.

Pure functions, no regexes over articles here; ``extract/`` finds the spans.

>>> parse_number("1,100.9")
Decimal('1100.9')
>>> parse_number("一千二百")
Decimal('1200')
>>> parse_number("三万六")
Decimal('36000')
>>> parse_number("十一点八")
Decimal('11.8')
>>> parse_number("１２．５")
Decimal('12.5')
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8}
MULTIPLIERS = {"千万亿": 10**15, "万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8,
               "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3}
FULLWIDTH = str.maketrans("０１２３４５６７８９．，％－＋：", "0123456789.,%-+:")
_ARABIC_HEAD = re.compile(r"[-+]?(?:[0-9][0-9,，]*)?(?:\.[0-9]+)?(?<=[0-9])")
CN_CHARS = set(DIGITS) | set(SMALL_UNITS) | set(BIG_UNITS) | {"点"}


def fold_width(text: str) -> str:
    """Full-width digits and signs to ASCII, same length (offsets survive).

    >>> fold_width("１２．５％")
    '12.5%'
    """
    return text.translate(FULLWIDTH)


def parse_arabic(text: str) -> Decimal:
    """Arabic digits, full-width or not, with thousands separators.

    >>> parse_arabic("23,876")
    Decimal('23876')
    """
    t = fold_width(text).replace(",", "").replace("，", "").replace(" ", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None


def _tokens(text: str) -> list[str]:
    """Characters, with each run of Arabic digits kept as one token (``1千零20``)."""
    out: list[str] = []
    for ch in text:
        if ch.isascii() and ch.isdigit() and out and out[-1].isascii() and out[-1].isdigit():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _parse_section(text: str) -> int:
    """A section below 万: 一千二百三十四, 十五, 三百零五, 二千三 (elided),
    also with Arabic digits for the digits (``1千零20``, ``4千6百``).

    Units must fall from left to right: ``七十百`` and ``一百千`` are not numerals.
    """
    total, digit, last_unit = 0, None, None
    smallest = None
    literal = False  # the pending digit is a multi-digit Arabic run: never elided
    for tok in _tokens(text):
        if tok.isascii() and tok.isdigit():
            if digit is not None:
                raise ValueError(f"not a Chinese numeral: {text!r}")
            digit, literal = int(tok), len(tok) > 1
        elif tok in DIGITS:
            if tok in "零〇○Ｏ":
                digit, last_unit = None, None
            else:
                digit, literal = DIGITS[tok], False
        elif tok in SMALL_UNITS:
            unit = SMALL_UNITS[tok]
            if smallest is not None and unit >= smallest:
                raise ValueError(f"units out of order: {text!r}")
            total += (1 if digit is None else digit) * unit
            digit, last_unit, smallest = None, unit, unit
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    if digit is not None:
        # 二千三 is 2300: a trailing digit after a unit counts one unit lower
        elided = last_unit and last_unit >= 100 and not literal
        total += digit * (last_unit // 10 if elided else 1)
    return total


def parse_chinese(text: str) -> Decimal:
    """Chinese numerals with 万/亿 sections and 点 decimals.

    >>> parse_chinese("一万五千亿")
    Decimal('1500000000000')
    >>> parse_chinese("二十万亿")
    Decimal('20000000000000')
    >>> parse_chinese("百分")  # doctest: +SKIP

    Arabic digits may stand for the digits (``5万4千6百``, ``3万4000``):

    >>> parse_chinese("5亿1万4千6百")
    Decimal('500014600')
    >>> parse_chinese("2千零30万")
    Decimal('20300000')
    """
    if not text:
        raise ValueError("empty numeral")
    if "点" in text:
        whole, _, frac = text.partition("点")
        if not frac or any(c not in DIGITS for c in frac):
            raise ValueError(f"bad decimal numeral: {text!r}")
        w = parse_chinese(whole) if whole else Decimal(0)
        return w + Decimal("0." + "".join(str(DIGITS[c]) for c in frac))
    if all(c in DIGITS for c in text) and len(text) > 1:
        # digit-by-digit reading such as 二〇二二
        return Decimal("".join(str(DIGITS[c]) for c in text))
    total = Decimal(0)
    section = ""
    pending = Decimal(0)
    i = 0
    last_big = None
    while i < len(text):
        ch = text[i]
        if ch in BIG_UNITS:
            unit = BIG_UNITS[ch]
            value = Decimal(_parse_section(section)) if section else Decimal(0)
            if ch == "亿":
                # 一万五千亿: everything so far is multiplied by 亿
                total = (total + pending + value) * unit
                pending = Decimal(0)
            else:
                if not section and not pending and total == 0:
                    value = Decimal(1)
                pending = (pending + value) * unit
            section = ""
            last_big = unit
        else:
            section += ch
        i += 1
    if section:
        lone = DIGITS.get(section) or (int(section) if section.isascii() and section.isdigit() else 0)
        if last_big and len(section) == 1 and lone:
            # 三万六 = 36000: a lone trailing digit after 万/亿 is one place lower
            total += pending + Decimal(lone) * last_big // 10
            return total
        total += pending + Decimal(_parse_section(section))
    else:
        total += pending
    return total


def parse_number(text: str) -> Decimal:
    """Arabic or Chinese numeral text to Decimal (no multiplier suffix).

    A leading ``负`` or ``-`` is a minus sign:

    >>> parse_number("负三十二")
    Decimal('-32')
    >>> parse_number("负1.1")
    Decimal('-1.1')
    >>> parse_number("-.5")
    Decimal('-0.5')
    >>> parse_number("3万4000")
    Decimal('34000')
    """
    t = fold_width(text).strip()
    if not t:
        raise ValueError("empty number")
    if t[0] in "负-":
        if len(t) == 1 or t[1] in "-+负":
            raise ValueError(f"bad sign: {text!r}")
        return -parse_number(t[1:])
    if any(c in CN_CHARS for c in t) and not any(c.isdigit() for c in t):
        return parse_chinese(t)
    if any(c in CN_CHARS for c in t):
        # mixed: 5万4千6百, 1千零20 (whole Arabic digits only); a multiplier after
        # a decimal (2.3万) is for the caller to split off (split_multiplier)
        if not all(c in CN_CHARS or (c.isascii() and c.isdigit()) for c in t):
            raise ValueError(f"mixed numeral: {text!r}")
        return parse_chinese(t)
    return parse_arabic(t)


def split_multiplier(text: str) -> tuple[str, str]:
    """Split a trailing multiplier word off Arabic digits: ``4.78万亿`` ->
    (``4.78``, ``万亿``). Chinese and mixed numerals keep theirs
    (``parse_chinese`` reads ``一千二百万`` and ``25万6千`` whole).

    >>> split_multiplier("4.78万亿")
    ('4.78', '万亿')
    >>> split_multiplier("３千万")
    ('３', '千万')
    >>> split_multiplier("一千二百万")
    ('一千二百万', '')
    >>> split_multiplier("250")
    ('250', '')
    >>> split_multiplier("25万6千")  # not Arabic before 千: parse it whole
    ('25万6千', '')
    """
    for word in sorted(MULTIPLIERS, key=len, reverse=True):
        if text.endswith(word):
            head = text[: -len(word)]
            if _ARABIC_HEAD.fullmatch(fold_width(head)):
                return head, word
    return text, ""


def parse_ordinal(text: str) -> int:
    """An ordinal to its position: ``第`` (optional) and a whole number,
    Arabic or Chinese, with an optional multiplier after Arabic digits.

    >>> parse_ordinal("第二百五十")
    250
    >>> parse_ordinal("第２５０")
    250
    >>> parse_ordinal("第十四")
    14
    >>> parse_ordinal("第3万")
    30000
    >>> parse_ordinal("第1.5")
    Traceback (most recent call last):
    ...
    ValueError: not a whole position: '第1.5'
    """
    t = text.strip()
    if t.startswith("第"):
        t = t[1:]
    head, word = split_multiplier(t)
    value = parse_number(head) * multiplier_of(word)
    if value != value.to_integral_value() or value < 1:
        raise ValueError(f"not a whole position: {text!r}")
    return int(value)


def multiplier_of(text: str) -> int:
    """Multiplier word to int (``万亿`` 10**12 …); empty gives 1.

    >>> multiplier_of("万亿")
    1000000000000
    """
    if not text:
        return 1
    return MULTIPLIERS[text]


def format_decimal(value: Decimal | int | None, as_written: bool = False) -> str:
    """Format once, at output: never an exponent, never float noise.

    ``as_written`` keeps trailing zeros the text had (``7.0``, ``687.20``);
    otherwise the value is reduced (``14192000000``, ``4676.62``).

    >>> format_decimal(Decimal("141.92") * 10**8)
    '14192000000'
    >>> format_decimal(Decimal("4676.62") * 10**4)
    '46766200'
    >>> format_decimal(Decimal("0.50"))
    '0.5'
    >>> format_decimal(Decimal("7.0"), as_written=True)
    '7.0'
    """
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if as_written:
        return format(value, "f")
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits) + 2)   # exact however long the number
        if value == value.to_integral_value():
            return format(value.quantize(Decimal(1)), "f")
        return format(value.normalize(), "f")
