"""Enterprise names in Chinese, Korean and English, unique by construction.

A registered name is ``长春`` + trade name (字号) + industry phrase + company form. The trade name is
two or three characters from :data:`TRADE_CHARS`; the enterprise's global index is mapped one-to-one
onto a trade name, so no two enterprises share one. Two-character trade names start with a character of
the first group and three-character ones with a character of the second group, so a two-character
name is never the prefix of a three-character one and full names stay unique whatever phrase follows.
Korean names use the Sino-Korean reading of each character, English names the pinyin.
"""

from __future__ import annotations

import numpy as np
import polars as pl

# character, pinyin, Sino-Korean reading
_CHAR_TABLE = """
华 hua 화|光 guang 광|瑞 rui 서|康 kang 강|泰 tai 태|恒 heng 항|盛 sheng 성|达 da 달|鑫 xin 흠|源 yuan 원
通 tong 통|宏 hong 굉|远 yuan 원|博 bo 박|创 chuang 창|新 xin 신|智 zhi 지|天 tian 천|海 hai 해|辰 chen 진
星 xing 성|宇 yu 우|晨 chen 신|昊 hao 호|润 run 윤|嘉 jia 가|和 he 화|安 an 안|德 de 덕|诚 cheng 성
信 xin 신|睿 rui 예|卓 zhuo 탁|越 yue 월|东 dong 동|吉 ji 길|亚 ya 아|金 jin 금|银 yin 은|凯 kai 개
峰 feng 봉|森 sen 삼|明 ming 명|正 zheng 정|中 zhong 중|兴 xing 흥|万 wan 만|百 bai 백|丰 feng 풍|元 yuan 원
方 fang 방|云 yun 운|飞 fei 비|腾 teng 등|翔 xiang 상|鹏 peng 붕|鸿 hong 홍|骏 jun 준|奥 ao 오|普 pu 보
捷 jie 첩|迈 mai 매|锐 rui 예|赛 sai 새|思 si 사|维 wei 유|伟 wei 위|威 wei 위|微 wei 미|美 mei 미
佳 jia 가|益 yi 익|永 yong 영|旭 xu 욱|阳 yang 양|升 sheng 승|合 he 합|众 zhong 중|汇 hui 회|聚 ju 취
汉 han 한|唐 tang 당|宋 song 송|大 da 대|成 cheng 성|景 jing 경|晟 sheng 성|昌 chang 창|亿 yi 억|坤 kun 곤
乾 qian 건|弘 hong 홍|清 qing 청|浩 hao 호|涛 tao 도|泽 ze 택|尚 shang 상|品 pin 품|优 you 우|精 jing 정
英 ying 영|赢 ying 영|启 qi 계|舜 shun 순|禾 he 화|芯 xin 심|钧 jun 균|铭 ming 명|锦 jin 금|铂 bo 박
震 zhen 진|晶 jing 정|鼎 ding 정|宸 chen 신|峻 jun 준|崇 chong 숭|川 chuan 천|江 jiang 강|河 he 하|山 shan 산
松 song 송|柏 bai 백|桦 hua 화|楠 nan 남|梓 zi 재|杰 jie 걸|俊 jun 준|豪 hao 호|祥 xiang 상|福 fu 복
寿 shou 수|禧 xi 희|欣 xin 흔|悦 yue 열|怡 yi 이
"""


def _parse_chars() -> tuple[list[str], list[str], list[str]]:
    zh, py, ko = [], [], []
    for item in _CHAR_TABLE.replace("\n", "|").split("|"):
        if not item.strip():
            continue
        c, p, k = item.split()
        zh.append(c)
        py.append(p)
        ko.append(k)
    if len(set(zh)) != len(zh):
        raise ValueError("duplicate trade-name character")
    return zh, py, ko


TRADE_CHARS, TRADE_PINYIN, TRADE_KOREAN = _parse_chars()
N_CHARS = len(TRADE_CHARS)
N_FIRST2 = 50  # characters 0..49 start two-character trade names, 50.. start three-character ones
N_FIRST3 = N_CHARS - N_FIRST2
SPACE2 = N_FIRST2 * (N_CHARS - 1)
SPACE3 = N_FIRST3 * (N_CHARS - 1) * (N_CHARS - 2)
# The first enterprises (by global index) take two-character names, as most real firms have.
TWO_CHAR_QUOTA = SPACE2 // 2
CAPACITY = TWO_CHAR_QUOTA + SPACE3

# industry-division prefix -> phrases (zh, en, ko)
INDUSTRY_PHRASES: dict[str, list[tuple[str, str, str]]] = {
    "C27": [("生物制药", "Biopharmaceutical", "생물제약"), ("医药科技", "Pharmaceutical Technology", "의약과기"),
            ("药业", "Pharmaceutical", "약업")],
    "C35": [("医疗器械", "Medical Devices", "의료기계"), ("医疗科技", "Medical Technology", "의료과기")],
    "C39": [("光电科技", "Optoelectronic Technology", "광전과기"), ("电子科技", "Electronic Technology", "전자과기"),
            ("半导体", "Semiconductor", "반도체")],
    "C40": [("光学仪器", "Optical Instruments", "광학의기"), ("精密仪器", "Precision Instruments", "정밀의기")],
    "C38": [("激光科技", "Laser Technology", "격광과기"), ("电气", "Electric", "전기")],
    "C26": [("化工新材料", "Chemical New Materials", "화공신재료"), ("高分子材料", "Polymer Materials", "고분자재료")],
    "C29": [("塑胶制品", "Plastic Products", "소교제품")],
    "C30": [("碳纤维", "Carbon Fibre", "탄섬유"), ("新材料", "New Materials", "신재료")],
    "C32": [("稀土材料", "Rare Earth Materials", "희토재료"), ("合金材料", "Alloy Materials", "합금재료")],
    "C37": [("航天科技", "Aerospace Technology", "항천과기"), ("卫星技术", "Satellite Technology", "위성기술")],
    "I64": [("网络科技", "Network Technology", "망락과기"), ("数据科技", "Data Technology", "수거과기")],
    "I65": [("软件", "Software", "연건"), ("信息技术", "Information Technology", "신식기술"),
            ("智能科技", "Intelligent Technology", "지능과기")],
    "M73": [("生物技术", "Biotechnology", "생물기술"), ("工程技术", "Engineering Technology", "공정기술")],
    "M75": [("科技服务", "Technology Services", "과기복무"), ("知识产权服务", "IP Services", "지식산권복무")],
    "L72": [("投资管理", "Investment Management", "투자관리"), ("企业管理咨询", "Management Consulting", "기업관리자순")],
}

# company forms (zh, en, ko)
FORMS = [("有限公司", "Co., Ltd.", "유한공사"), ("股份有限公司", "Co., Ltd.", "고분유한공사"),
         ("有限责任公司", "LLC", "유한책임공사")]


def _affine(index: np.ndarray, space: int, mult: int, add: int) -> np.ndarray:
    """A bijection of [0, space) (``mult`` coprime to ``space``) that scatters consecutive indices."""
    return (index.astype(np.int64) * mult + add) % space


def trade_name_parts(index: np.ndarray) -> np.ndarray:
    """Character indices (n, 3) of each enterprise's trade name; -1 pads two-character names."""
    if index.size and int(index.max()) >= CAPACITY:
        raise ValueError(f"at most {CAPACITY} enterprises have unique names")
    out = np.full((index.size, 3), -1, dtype=np.int64)
    two = index < TWO_CHAR_QUOTA
    k2 = _affine(index[two], SPACE2, 7919, 12345)
    first = k2 // (N_CHARS - 1)
    second = k2 % (N_CHARS - 1)
    second = second + (second >= first)  # skip the first character: no 华华
    out[two, 0], out[two, 1] = first, second
    k3 = _affine(index[~two] - TWO_CHAR_QUOTA, SPACE3, 1_000_003, 987_654)
    first = N_FIRST2 + k3 // ((N_CHARS - 1) * (N_CHARS - 2))
    rest = k3 % ((N_CHARS - 1) * (N_CHARS - 2))
    second = rest // (N_CHARS - 2)
    third = rest % (N_CHARS - 2)
    second = second + (second >= first)
    lo, hi = np.minimum(first, second), np.maximum(first, second)
    third = third + (third >= lo)
    third = third + (third >= hi)
    out[~two, 0], out[~two, 1], out[~two, 2] = first, second, third
    return out


def build_names(index: np.ndarray, industry: list[str] | np.ndarray, phrase_pick: np.ndarray,
                form: np.ndarray) -> pl.DataFrame:
    """Chinese, Korean and English names (all filled; the caller blanks some)."""
    parts = trade_name_parts(index)
    zh_tbl = np.array([*TRADE_CHARS, ""], dtype=object)
    ko_tbl = np.array([*TRADE_KOREAN, ""], dtype=object)
    py_tbl = np.array([*TRADE_PINYIN, ""], dtype=object)
    trade_zh = zh_tbl[parts[:, 0]] + zh_tbl[parts[:, 1]] + zh_tbl[parts[:, 2]]
    trade_ko = ko_tbl[parts[:, 0]] + ko_tbl[parts[:, 1]] + ko_tbl[parts[:, 2]]
    pinyin = py_tbl[parts[:, 0]] + py_tbl[parts[:, 1]] + py_tbl[parts[:, 2]]
    trade_en = np.array([p.capitalize() for p in pinyin], dtype=object)
    ph_zh, ph_en, ph_ko = [], [], []
    for ind, pick in zip(industry, phrase_pick, strict=True):
        options = INDUSTRY_PHRASES[ind[:3]]
        zh, en, ko = options[int(pick) % len(options)]
        ph_zh.append(zh)
        ph_en.append(en)
        ph_ko.append(ko)
    f_zh = np.array([f[0] for f in FORMS], dtype=object)[form]
    f_en = np.array([f[1] for f in FORMS], dtype=object)[form]
    f_ko = np.array([f[2] for f in FORMS], dtype=object)[form]
    name_zh = "长春" + trade_zh + np.array(ph_zh, dtype=object) + f_zh
    name_ko = "창춘" + trade_ko + np.array(ph_ko, dtype=object) + f_ko
    name_en = "Changchun " + trade_en + " " + np.array(ph_en, dtype=object) + " " + f_en
    short_zh = "长春" + trade_zh + np.array(ph_zh, dtype=object)
    short_ko = "창춘" + trade_ko + np.array(ph_ko, dtype=object)
    short_en = "Changchun " + trade_en + " " + np.array(ph_en, dtype=object)
    return pl.DataFrame({"name_zh": name_zh.astype(str), "name_ko": name_ko.astype(str),
                         "name_en": name_en.astype(str), "short_zh": short_zh.astype(str),
                         "short_ko": short_ko.astype(str), "short_en": short_en.astype(str)})
