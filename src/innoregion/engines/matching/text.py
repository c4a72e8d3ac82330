"""Language detection, validation and tokenisation for zh / ko / en texts.

- The language is told by script: any Hangul (and at least a quarter as much Hangul as Han) -> ``ko``;
  otherwise any Han character -> ``zh``; otherwise ``en``.
- Chinese is segmented with jieba (search mode, so compounds also yield their parts), Korean with Kiwi
  (content morphemes only), English is lower-cased, stop-worded and lightly stemmed. Latin words inside
  Chinese or Korean text (CDMO, GMP, LiDAR, PEEK...) get the English treatment, so they match across
  languages as they are.
- The glossary (``data/glossary.yaml``) adds language-neutral concept tokens ``c:<id>`` for technical
  terms of the seed's industries, which lets the lexical path cross languages a little.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import yaml

from innoregion.engines.matching.errors import MatchingTextError

LANGUAGES = ("zh", "ko", "en")
CONCEPT_PREFIX = "c:"

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_ASCII_TOKEN = re.compile(r"^[a-z0-9]+$")

EN_STOPWORDS = frozenset(
    """a an and are as at be been being both but by can could do does for from had has have how i if in
    into is it its itself may more most must no nor not of on or other our ours out over own per same
    shall should so some such than that the their them then there these they this those through to
    too under up upon us very was we were what when where which while who whom why will with within
    without would you your also any each etc e g i e via who whose able need needs needed seek seeking
    looking provide provides provided offer offers offering require requires required want wants""".split()
)
ZH_STOPWORDS = frozenset(
    """的 了 和 与 及 或 在 是 为 对 等 将 把 被 由 以 于 其 之 并 且 也 都 而 该 此 这 那 个 我们 我 你 他
    它 有 需要 用于 进行 一种 一个 一批 提供 能够 可以 可 具有 相关 以及 通过 用 要求 希望 寻找 企业
    公司 方面 能力 服务商 合作 开展 满足 主要 我方 现 拟 寻求 具备 支持 目前 其中 以上 以下 左右 实现 针对
    帮助 我司 本 各类 各种 包括 基于 面向 专业 项目 到 从 上 中 内 后 前 向 给 让 使 得 地 着 过 所 如
    个月 月 年 天 家 款 套 台 次""".split()
)
KO_STOPWORDS = frozenset(
    """필요 지원 제공 기업 업체 회사 수 것 등 위 및 경우 가능 당사 우리 저희 이 그 저 때 중 내 외 후 전
    관련 분야 대상 통해 위해 대한 가지 개월 년 월 일 개 건 곳 명 찾 요청 희망 보유 서비스 협력 파트너
    전문 수행""".split()
)
KO_KEEP_TAGS = frozenset({"NNG", "NNP", "SL", "SH", "SN", "XR"})


def detect_language(text: str) -> str:
    """``ko``, ``zh`` or ``en`` by script (see module docstring)."""
    hangul = len(_HANGUL.findall(text))
    han = len(_HAN.findall(text))
    if hangul and hangul * 4 >= han:
        return "ko"
    if han:
        return "zh"
    return "en"


def normalise_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def validate_text(text: object, item_id: object | None = None) -> str:
    """Return the stripped text, or raise :class:`MatchingTextError` on empty or garbage input."""
    if text is None or not isinstance(text, str):
        raise MatchingTextError(f"text must be a string, got {type(text).__name__}", item_id=item_id, text=text)
    stripped = text.strip()
    if not stripped:
        raise MatchingTextError("empty text", item_id=item_id, text=text)
    visible = [ch for ch in stripped if not ch.isspace()]
    letters = sum(1 for ch in visible if ch.isalpha())
    if letters < 2:
        raise MatchingTextError("text has no words (garbage)", item_id=item_id, text=text)
    if letters / len(visible) < 0.25:
        raise MatchingTextError("text is mostly symbols or digits (garbage)", item_id=item_id, text=text)
    return stripped


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    """A small suffix stripper: enough to join laser/lasers, coating/coated/coat, image/imaging."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith(("xes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # "cutting" -> "cut"
            break
    if w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]  # "image"/"imaging" -> "imag", "machine"/"machining" -> "machin"
    return w


def _latin_tokens(text: str) -> list[str]:
    out = []
    for word in _LATIN_WORD.findall(text):
        if word in EN_STOPWORDS:
            continue
        out.append(stem_en(word))
    return out


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    with _lock:
        return Kiwi()


def _tokens_zh(text: str) -> list[str]:
    out: list[str] = []
    for tok in _jieba().lcut_for_search(text):
        tok = tok.strip()
        if not tok or tok in ZH_STOPWORDS:
            continue
        if _ASCII_TOKEN.match(tok):
            if tok not in EN_STOPWORDS:
                out.append(stem_en(tok))
            continue
        if not any(ch.isalnum() for ch in tok):
            continue  # punctuation
        out.append(tok)
    return out


def _tokens_ko(text: str) -> list[str]:
    out: list[str] = []
    for tok in _kiwi().tokenize(text):
        if tok.tag not in KO_KEEP_TAGS:
            continue
        form = tok.form.lower()
        if tok.tag == "SL":
            if form not in EN_STOPWORDS:
                out.append(stem_en(form))
        elif form not in KO_STOPWORDS:
            out.append(form)
    return out


def _tokens_en(text: str) -> list[str]:
    return _latin_tokens(text)


_TOKENISERS = {"zh": _tokens_zh, "ko": _tokens_ko, "en": _tokens_en}


@dataclass(frozen=True)
class Glossary:
    """Concept id -> surface terms per language; the term bridge of the lexical path."""

    version: str
    concepts: dict[str, dict[str, tuple[str, ...]]]
    # compiled at load: per language (zh, ko) one regex finding the longest term at each position, and for
    # every term the concepts of all terms it contains; English terms as stem sequences
    _patterns: dict[str, re.Pattern | None] = field(default_factory=dict, repr=False)
    _contains: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict, repr=False)
    _en_terms: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list, repr=False)

    @classmethod
    def from_mapping(cls, data: dict) -> Glossary:
        concepts: dict[str, dict[str, tuple[str, ...]]] = {}
        for entry in data.get("concepts", []):
            cid = str(entry["id"])
            if cid in concepts:
                raise ValueError(f"glossary: duplicate concept id {cid!r}")
            concepts[cid] = {lang: tuple(normalise_text(t) for t in entry.get(lang, [])) for lang in LANGUAGES}
        glossary = cls(version=str(data.get("version", "0")), concepts=concepts)
        for lang in ("zh", "ko"):
            pairs = [(cid, term) for cid, terms in concepts.items() for term in terms[lang] if term]
            terms = sorted({t for _, t in pairs}, key=lambda t: (-len(t), t))
            glossary._patterns[lang] = (
                re.compile("(?=(" + "|".join(re.escape(t) for t in terms) + "))") if terms else None)
            # term -> (concept, surface) of every glossary term that is a substring of it (itself included)
            glossary._contains[lang] = {t: [(cid, u) for cid, u in pairs if u in t] for t in terms}
        for cid, terms in concepts.items():
            for term in terms["en"]:
                stems = tuple(stem_en(w) for w in _LATIN_WORD.findall(term))
                if stems:
                    glossary._en_terms.append((cid, stems, term))
        return glossary

    def find(self, norm_text: str, lang: str, en_tokens: list[str] | None = None) -> dict[str, str]:
        """Concepts present in a normalised text: concept id -> the surface form seen."""
        found: dict[str, str] = {}
        pattern = self._patterns.get(lang) if lang in ("zh", "ko") else None
        if pattern is not None:
            contains = self._contains[lang]
            for m in pattern.finditer(norm_text):
                for cid, surface in contains[m.group(1)]:
                    if cid not in found or len(surface) > len(found[cid]):
                        found[cid] = surface
        # English terms are matched in every language: Latin words inside zh/ko text count too.
        tokens = en_tokens if en_tokens is not None else [stem_en(w) for w in _LATIN_WORD.findall(norm_text)]
        if tokens:
            positions: dict[str, list[int]] = {}
            for i, tok in enumerate(tokens):
                positions.setdefault(tok, []).append(i)
            for cid, stems, term in self._en_terms:
                if cid in found:
                    continue
                for start in positions.get(stems[0], ()):
                    if tuple(tokens[start: start + len(stems)]) == stems:
                        found[cid] = term
                        break
        return found

    def surface(self, cid: str, lang: str) -> str:
        terms = self.concepts.get(cid, {})
        for candidate in (lang, "en", "zh", "ko"):
            if terms.get(candidate):
                return terms[candidate][0]
        return cid


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    text = resources.files("innoregion.engines.matching").joinpath("data/glossary.yaml").read_text("utf-8")
    return Glossary.from_mapping(yaml.safe_load(text))


@dataclass(frozen=True)
class Analysed:
    """A validated, tokenised text."""

    text: str
    language: str
    tokens: tuple[str, ...]
    concepts: dict[str, str]  # concept id -> surface form found in this text

    @cached_property
    def all_tokens(self) -> list[str]:
        """Lexical tokens plus concept tokens (treat as read-only)."""
        return list(self.tokens) + [CONCEPT_PREFIX + cid for cid in self.concepts]


# (text, language, id(glossary)) -> (glossary, result); holding the glossary keeps its id from being reused
_ANALYSED: dict[tuple, tuple[Glossary, Analysed]] = {}
_ANALYSED_MAX = 100_000


def analyse(text: object, *, language: str | None = None, glossary: Glossary | None = None,
            item_id: object | None = None) -> Analysed:
    """Validate and tokenise one text. Raises :class:`MatchingTextError` on empty/garbage text.
    Results are cached by (text, language, glossary), so rebuilding an index re-tokenises nothing."""
    clean = validate_text(text, item_id=item_id)
    gloss = glossary if glossary is not None else default_glossary()
    key = (clean, language, id(gloss))
    hit = _ANALYSED.get(key)
    if hit is not None and hit[0] is gloss:
        return hit[1]
    lang = language or detect_language(clean)
    if lang not in LANGUAGES:
        raise MatchingTextError(f"unsupported language {lang!r}", item_id=item_id, text=text)
    norm = normalise_text(clean)
    tokens = _TOKENISERS[lang](norm)
    concepts = gloss.find(norm, lang, tokens if lang == "en" else None)
    if not tokens and not concepts:
        raise MatchingTextError("text has no content words (garbage or only stop words)",
                                item_id=item_id, text=text)
    out = Analysed(text=clean, language=lang, tokens=tuple(tokens), concepts=concepts)
    if len(_ANALYSED) >= _ANALYSED_MAX:
        _ANALYSED.clear()
    _ANALYSED[key] = (gloss, out)
    return out


def tokenise(text: str, language: str | None = None) -> list[str]:
    """Convenience: the lexical tokens (without concept tokens) of one text."""
    return list(analyse(text, language=language).tokens)
