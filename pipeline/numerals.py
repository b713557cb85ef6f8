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

from decimal import Decimal, InvalidOperation

DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8}
MULTIPLIERS = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8,
               "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3}
FULLWIDTH = str.maketrans("０１２３４５６７８９．，％－＋：", "0123456789.,%-+:")
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


def _parse_section(text: str) -> int:
    """A section below 万: 一千二百三十四, 十五, 三百零五, 二千三 (elided)."""
    total, digit, last_unit = 0, None, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch] if digit is None or ch not in "零〇○Ｏ" else digit
            if ch in "零〇○Ｏ":
                digit, last_unit = None, None
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    if digit is not None:
        # 二千三 is 2300: a trailing digit after a unit counts one unit lower
        total += digit * (last_unit // 10 if last_unit and last_unit >= 100 else 1)
    return total


def parse_chinese(text: str) -> Decimal:
    """Chinese numerals with 万/亿 sections and 点 decimals.

    >>> parse_chinese("一万五千亿")
    Decimal('1500000000000')
    >>> parse_chinese("二十万亿")
    Decimal('20000000000000')
    >>> parse_chinese("百分")  # doctest: +SKIP
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
        if last_big and len(section) == 1 and section in DIGITS and DIGITS[section]:
            # 三万六 = 36000: a lone trailing digit after 万/亿 is one place lower
            total += pending + Decimal(DIGITS[section]) * last_big // 10
            return total
        total += pending + Decimal(_parse_section(section))
    else:
        total += pending
    return total


def parse_number(text: str) -> Decimal:
    """Arabic or Chinese numeral text to Decimal (no multiplier suffix)."""
    t = fold_width(text).strip()
    if not t:
        raise ValueError("empty number")
    if any(c in CN_CHARS for c in t) and not any(c.isdigit() for c in t):
        return parse_chinese(t)
    if any(c in CN_CHARS for c in t):
        # mixed: 3万6 style is not accepted here; callers split the multiplier off
        raise ValueError(f"mixed numeral: {text!r}")
    return parse_arabic(t)


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
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")
