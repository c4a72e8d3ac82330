import pytest

from innoregion.engines.matching import MatchingTextError, analyse, detect_language, tokenise
from innoregion.engines.matching.text import Glossary, stem_en, validate_text


@pytest.mark.parametrize("text,lang", [
    ("激光焊接电池托盘", "zh"),
    ("레이저 용접 공정 개발", "ko"),
    ("Laser welding of battery trays", "en"),
    ("지린성 인삼 기업의 HPLC 시험법 (人参)", "ko"),  # Hangul wins over a few Han characters
    ("CDMO 无菌灌装 GMP", "zh"),
    ("ISO 10993 testing", "en"),
])
def test_language_is_told_by_script(text, lang):
    assert detect_language(text) == lang


def test_chinese_is_segmented_with_jieba_not_kept_as_one_clause():
    tokens = tokenise("需要卫星遥感影像的农作物估产系统")
    assert {"卫星", "遥感", "农作物", "估产"} <= set(tokens)
    assert "需要" not in tokens  # stop word
    assert all(len(t) < 8 for t in tokens)


def test_korean_keeps_content_morphemes_only():
    tokens = tokenise("위성 원격탐사 영상을 이용한 농작물 수확량 예측 시스템이 필요합니다.")
    assert {"위성", "영상", "농작물", "수확량", "예측"} <= set(tokens)
    assert "을" not in tokens and "필요" not in tokens  # particle, stop word


def test_english_is_lowercased_stemmed_and_stopworded():
    tokens = tokenise("The Lasers are Welding the Battery Trays")
    assert tokens == ["laser", "weld", "battery", "tray"]
    assert stem_en("imaging") == stem_en("image") == "imag"
    assert stem_en("cutting") == "cut"


def test_latin_words_inside_chinese_and_korean_get_the_english_treatment():
    assert "cdmo" in tokenise("提供CDMO服务")
    assert "lidar" in tokenise("차량용 LiDAR 센서")


def test_glossary_bridges_languages_with_concept_tokens():
    zh, ko, en = analyse("光纤激光器焊接"), analyse("파이버 레이저 용접"), analyse("fiber laser welding")
    for a in (zh, ko, en):
        assert {"laser", "welding", "fiber_laser"} <= set(a.concepts)
        assert "c:laser" in a.all_tokens
    assert zh.concepts["laser"] == "激光" and ko.concepts["laser"] == "레이저"


def test_glossary_rejects_duplicate_ids():
    with pytest.raises(ValueError):
        Glossary.from_mapping({"concepts": [{"id": "x", "en": ["a"]}, {"id": "x", "en": ["b"]}]})


@pytest.mark.parametrize("bad", ["", "   \n\t", None, 42, "!!!!", "12345 67890", "…… —— ！！", "a",
                                 "#$%^&*()_+ 1234 x"])
def test_empty_or_garbage_text_raises_a_typed_error(bad):
    with pytest.raises(MatchingTextError):
        analyse(bad)


def test_text_of_only_stop_words_is_garbage():
    with pytest.raises(MatchingTextError, match="no content words"):
        analyse("the of and with for")


def test_validate_keeps_usable_text():
    assert validate_text("  激光  ") == "激光"
    err = None
    try:
        validate_text("", item_id="C7")
    except MatchingTextError as exc:
        err = exc
    assert err is not None and err.item_id == "C7" and "C7" in str(err)
