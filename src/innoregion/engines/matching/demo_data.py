"""Demo scenarios and capabilities in Chinese, Korean and English, from templates over the seed's
industries (pharma and medical devices, optoelectronics and lasers, new materials, satellites and
aerospace, AI + pharma, modern services). Pure and deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

# industry -> (cluster code as in data/region.yaml, topics); a topic: (key, tech zh/ko/en, application zh/ko/en, keywords)
INDUSTRIES: dict[str, tuple[str, list[tuple]]] = {
    "pharma_devices": ("pharma-valley", [
        ("fill_finish", "生物药无菌灌装", "바이오의약품 무균 충전", "aseptic fill-finish of biologics",
         "抗体药物临床批次", "항체 의약품 임상 배치", "clinical batches of antibody drugs", ["CDMO", "GMP", "aseptic"]),
        ("biocompat", "ISO 10993生物相容性检测", "ISO 10993 생체적합성 시험", "ISO 10993 biocompatibility testing",
         "植入类医疗器械注册", "이식형 의료기기 인허가", "registration of implantable devices", ["ISO 10993", "testing"]),
        ("ortho_machining", "钛合金骨科植入物精密加工", "티타늄 정형외과 임플란트 정밀 가공",
         "precision machining of titanium orthopaedic implants", "骨螺钉和接骨板样件", "골나사와 골판 시제품",
         "bone screw and plate prototypes", ["titanium", "implant", "CNC"]),
        ("cold_chain", "医药冷链物流", "의약품 콜드체인 물류", "pharmaceutical cold-chain logistics",
         "疫苗配送", "백신 배송", "vaccine distribution", ["cold chain", "GSP"]),
        ("ivd", "化学发光免疫诊断试剂开发", "화학발광 면역진단 시약 개발", "chemiluminescence immunoassay development",
         "心肌标志物检测", "심근 표지자 검사", "cardiac marker testing", ["IVD", "immunoassay"]),
        ("ginseng_qc", "人参提取物质量标准研究", "인삼 추출물 품질 기준 연구", "ginseng extract quality standards",
         "出口产品质量控制", "수출 제품 품질 관리", "quality control for export", ["HPLC", "ginseng"]),
        ("cro", "临床试验CRO服务", "임상시험 수탁 서비스", "clinical trial CRO services",
         "创新药II期临床", "혁신 신약 임상 2상", "phase II trials of innovative drugs", ["CRO", "clinical trial"]),
    ]),
    "optoelectronics": ("optics-valley", [
        ("fiber_laser", "高功率光纤激光焊接", "고출력 파이버 레이저 용접", "high-power fiber laser welding",
         "动力电池托盘", "배터리 트레이", "EV battery trays", ["laser", "welding"]),
        ("vision", "显示面板机器视觉检测", "디스플레이 패널 머신비전 검사", "machine vision inspection of display panels",
         "OLED模组产线", "OLED 모듈 생산 라인", "OLED module lines", ["machine vision", "OLED"]),
        ("thermal", "非制冷红外热成像模组", "비냉각 적외선 열화상 모듈", "uncooled infrared thermal imaging modules",
         "无人机电力巡检", "드론 전력 설비 점검", "drone power-line inspection", ["infrared", "thermal imaging"]),
        ("aspheric", "非球面透镜设计与镀膜", "비구면 렌즈 설계 및 코팅", "aspheric lens design and coating",
         "医用内窥镜", "의료용 내시경", "medical endoscopes", ["lens", "coating"]),
        ("lidar", "车规级激光雷达", "차량용 라이다", "automotive-grade lidar",
         "自动驾驶测试车队", "자율주행 시험 차량", "autonomous driving test fleets", ["lidar", "point cloud"]),
        ("laser_cleaning", "激光清洗除锈", "레이저 세정 및 녹 제거", "laser cleaning and rust removal",
         "轨道车辆检修", "철도 차량 정비", "rail vehicle maintenance", ["laser cleaning"]),
        ("micro_led", "Micro-LED巨量转移", "마이크로 LED 대량 전사", "Micro-LED mass transfer",
         "新型显示中试线", "차세대 디스플레이 시범 라인", "next-generation display pilot lines", ["Micro-LED"]),
    ]),
    "new_materials": ("new-materials", [
        ("carbon_fiber", "碳纤维复合材料成型", "탄소섬유 복합재 성형", "carbon-fibre composite moulding",
         "轻量化车身部件", "경량 차체 부품", "lightweight car body parts", ["carbon fiber", "composite"]),
        ("ndfeb", "高性能钕铁硼永磁体", "고성능 네오디뮴 영구자석", "high-performance NdFeB magnets",
         "伺服电机", "서보 모터", "servo motors", ["rare earth", "magnet"]),
        ("biodegradable", "全生物降解地膜", "생분해성 멀칭 필름", "biodegradable mulch film",
         "玉米田覆膜", "옥수수 밭 피복", "maize field mulching", ["PBAT", "PLA"]),
        ("graphene", "石墨烯导电浆料", "그래핀 도전재 슬러리", "graphene conductive slurry",
         "锂电池正极", "리튬이온 전지 양극", "lithium battery cathodes", ["graphene", "battery"]),
        ("tbc", "热障涂层制备", "열차폐 코팅", "thermal barrier coatings",
         "航空发动机叶片", "항공 엔진 블레이드", "aero-engine blades", ["coating", "superalloy"]),
        ("peek", "医用级PEEK注塑", "의료용 PEEK 사출", "medical-grade PEEK moulding",
         "脊柱融合器", "척추 케이지", "spinal cages", ["PEEK", "implant"]),
        ("anticorrosion", "管道防腐涂层", "배관 부식 방지 코팅", "pipeline anti-corrosion coatings",
         "石化装置", "석유화학 설비", "petrochemical plants", ["anti-corrosion"]),
    ]),
    "aerospace": ("future-industries", [
        ("yield", "卫星遥感农作物估产", "위성 원격탐사 작물 수확량 예측", "satellite crop yield estimation",
         "县级粮食统计", "현 단위 곡물 통계", "county grain statistics", ["remote sensing", "crop"]),
        ("wildfire", "卫星森林火情监测", "위성 산불 감시", "satellite wildfire monitoring",
         "林区防火", "산림 화재 예방", "forest fire prevention", ["wildfire", "satellite"]),
        ("star_tracker", "星敏感器与反作用飞轮", "별 추적기와 반작용 휠", "star trackers and reaction wheels",
         "微小卫星平台", "소형 위성 플랫폼", "small satellite platforms", ["attitude control"]),
        ("change", "遥感影像变化检测", "위성 영상 변화 탐지", "satellite image change detection",
         "违法建设监管", "불법 건축물 관리", "illegal construction control", ["change detection"]),
        ("ground_station", "卫星地面站测控", "위성 지상국 관제", "satellite ground station TT&C",
         "商业星座运营", "상업 위성군 운영", "commercial constellation operations", ["ground station", "TT&C"]),
        ("env_test", "航天器热真空与振动试验", "우주선 열진공 및 진동 시험", "spacecraft thermal vacuum and vibration testing",
         "载荷空间鉴定", "탑재체 우주 인증", "payload space qualification", ["environmental testing"]),
        ("five_axis", "航空结构件五轴加工", "항공 구조물 5축 가공", "five-axis machining of aerospace structures",
         "飞机框肋零件", "항공기 프레임과 리브", "aircraft frames and ribs", ["CNC", "AS9100"]),
    ]),
    "ai_pharma": ("future-industries", [
        ("virtual_screening", "AI虚拟筛选", "AI 가상 스크리닝", "AI virtual screening",
         "激酶靶点新药发现", "키나아제 표적 신약 발굴", "kinase-target drug discovery", ["AI", "docking"]),
        ("antibody_ai", "深度学习抗体设计", "딥러닝 항체 설계", "deep-learning antibody design",
         "抗体亲和力优化", "항체 친화도 최적화", "antibody affinity optimisation", ["antibody", "deep learning"]),
        ("nodule", "肺结节CT智能辅助诊断", "폐결절 CT AI 진단 보조", "AI-assisted lung nodule detection on CT",
         "医院影像科", "병원 영상의학과", "hospital radiology departments", ["medical imaging", "CT"]),
        ("pv_nlp", "药物不良反应文本挖掘", "약물 이상반응 텍스트 마이닝", "adverse-event text mining",
         "上市后药物警戒", "시판 후 약물감시", "post-marketing pharmacovigilance", ["NLP", "pharmacovigilance"]),
        ("lab_auto", "自动化移液工作站", "자동 분주 워크스테이션", "automated liquid-handling workstations",
         "高通量筛选实验室", "고처리량 스크리닝 실험실", "high-throughput screening labs", ["lab automation"]),
        ("trial_matching", "临床试验患者智能匹配", "임상시험 환자 AI 매칭", "AI matching of patients to trials",
         "受试者招募", "피험자 모집", "patient recruitment", ["EHR", "AI"]),
        ("federated", "医疗联邦学习平台", "의료 연합학습 플랫폼", "federated learning for healthcare",
         "多医院联合建模", "다기관 공동 모델링", "multi-hospital joint modelling", ["federated learning"]),
    ]),
    "modern_services": ("modern-services", [
        ("ip_valuation", "知识产权价值评估", "지식재산 가치 평가", "intellectual property valuation",
         "专利质押融资", "특허 담보 대출", "patent pledge financing", ["IP", "valuation"]),
        ("tech_transfer", "技术转移与成果转化", "기술이전 및 사업화", "technology transfer and commercialisation",
         "高校专利许可", "대학 특허 라이선스", "university patent licensing", ["technology transfer"]),
        ("mfds", "韩国医疗器械注册咨询", "한국 의료기기 인허가 컨설팅", "Korean medical device registration consulting",
         "出口韩国市场", "한국 시장 진출", "entry to the Korean market", ["MFDS", "registration"]),
        ("industrial_design", "医疗器械工业设计", "의료기기 산업디자인", "medical device industrial design",
         "家用呼吸机改型", "가정용 인공호흡기 개선", "home ventilator redesign", ["industrial design", "UX"]),
        ("vc", "硬科技早期股权投资", "하드테크 초기 지분 투자", "early-stage hard-tech equity investment",
         "光电初创企业融资", "광전자 스타트업 자금 조달", "optoelectronics start-up funding", ["venture capital"]),
        ("patent_agency", "专利撰写与PCT申请", "특허 명세서 작성 및 PCT 출원", "patent drafting and PCT filing",
         "海外专利布局", "해외 특허 포트폴리오", "overseas patent portfolios", ["patent", "PCT"]),
        ("gov_cloud", "政务云与数据中心", "정부 클라우드와 데이터센터", "government cloud and data centres",
         "企业数据库建设", "기업 데이터베이스 구축", "enterprise database projects", ["cloud", "database"]),
    ]),
}

ZONES = ("south", "north", "airport", "beihu-core")
LANGUAGE_SHARES = {"zh": 0.5, "ko": 0.25, "en": 0.25}

_SCENARIO_TITLE = {
    "zh": "{tech}需求（{app}）", "ko": "{tech} 수요 ({app})", "en": "{tech} for {app}",
}
_SCENARIO_BODY = {
    "zh": [
        "{org}正在推进{app}项目，需要{tech}方面的合作伙伴，预算{bmin}至{bmax}万元，要求{days}天内给出方案。",
        "为解决{app}中的难题，{org}发布应用场景：寻找能提供{tech}的企业。{extra}",
        "{org}计划在{zone_zh}开展示范项目（{app}），拟采购{tech}。{extra}预算约{bmax}万元。",
    ],
    "ko": [
        "[{org}] {app} 사업을 추진 중이며 {tech} 분야의 협력 기업이 필요합니다. 예산은 {bmin}~{bmax}만 위안이며 {days}일 안에 제안서를 받고자 합니다.",
        "[{org}] {app} 과제 해결을 위한 수요를 공개합니다. {tech} 제공이 가능한 기업을 찾습니다. {extra}",
        "[{org}] {zone_ko}에서 {app} 관련 실증 사업을 계획하고 있으며 {tech} 도입을 검토합니다. {extra}",
    ],
    "en": [
        "{org} is running a project on {app} and needs a partner for {tech}; the budget is {bmin_m}-{bmax_m} million yuan and proposals are due within {days} days.",
        "To solve a bottleneck in {app}, {org} publishes this scenario: we seek a company able to provide {tech}. {extra}",
        "{org} plans a pilot in the {zone_en} on {app} and intends to procure {tech}. {extra}",
    ],
}
_EXTRA = {
    "zh": ["要求具备同类项目经验。", "优先考虑本地企业。", "需提供试用和现场技术支持。", "欢迎联合体投标。"],
    "ko": ["유사 프로젝트 경험이 필요합니다.", "현지 기업을 우대합니다.", "시범 운영과 현장 기술 지원이 필요합니다.",
           "컨소시엄 참여도 환영합니다."],
    "en": ["Experience with similar projects is required.", "Local firms are preferred.",
           "A trial and on-site support are expected.", "Consortium bids are welcome."],
}
# who publishes scenarios, by industry
_ORGS = {
    "pharma_devices": {"zh": ["长春药谷一家疫苗企业", "一家医疗器械初创企业", "某三甲医院"],
                       "ko": ["창춘 제약밸리의 백신 기업", "의료기기 스타트업", "한 대형 병원"],
                       "en": ["A vaccine maker in the Pharma Valley", "A medical-device start-up", "A tertiary hospital"]},
    "optoelectronics": {"zh": ["一家整车企业", "长春光谷一家显示企业", "省电力公司"],
                        "ko": ["완성차 업체", "창춘 광학밸리의 디스플레이 기업", "성 전력회사"],
                        "en": ["An automaker", "A display maker in the Optics Valley", "The provincial power company"]},
    "new_materials": {"zh": ["一家电池企业", "一家机器人企业", "省农业农村厅"],
                      "ko": ["배터리 기업", "로봇 제조사", "성 농업농촌청"],
                      "en": ["A battery maker", "A robot maker", "The provincial agriculture department"]},
    "aerospace": {"zh": ["一家商业卫星公司", "市自然资源局", "一家航空制造企业"],
                  "ko": ["상업 위성 기업", "시 자연자원국", "항공기 제조사"],
                  "en": ["A commercial satellite company", "The city natural-resources bureau", "An aircraft manufacturer"]},
    "ai_pharma": {"zh": ["一家创新药企", "某医院集团", "一家上市药企"],
                  "ko": ["혁신 신약 기업", "한 병원 그룹", "상장 제약사"],
                  "en": ["An innovative drug company", "A hospital group", "A listed drug maker"]},
    "modern_services": {"zh": ["新区科技局", "北湖科技城管委会", "一家光电企业"],
                        "ko": ["신구 과학기술국", "베이후 과학도시 관리위원회", "광전자 기업"],
                        "en": ["The New Area science bureau", "The Beihu Science City committee", "An optoelectronics firm"]},
}
_ZONE_NAMES = {
    "zh": {"south": "南部片区", "north": "北部片区", "airport": "空港经济区", "beihu-core": "北湖科技城"},
    "ko": {"south": "남부 구역", "north": "북부 구역", "airport": "공항경제구", "beihu-core": "베이후 과학도시"},
    "en": {"south": "south zone", "north": "north zone", "airport": "airport economy zone", "beihu-core": "Beihu Science City"},
}
_CAPABILITY_TITLE = {"zh": "{tech}", "ko": "{tech}", "en": "{tech}"}
_CAPABILITY_BODY = {
    "zh": [
        "公司专注{tech}，已服务{n}家客户，典型应用包括{app}，{proof}",
        "我们提供{tech}整体解决方案，技术成熟度TRL {trl}，可用于{app}。{proof}",
    ],
    "ko": [
        "당사는 {tech} 전문 기업으로 {n}개 고객사에 납품했으며 대표 적용 분야는 {app}입니다. {proof}",
        "{tech} 통합 솔루션을 제공합니다. 기술 성숙도 TRL {trl}이며 {app}에 적용할 수 있습니다. {proof}",
    ],
    "en": [
        "We specialise in {tech} and have served {n} customers; typical uses include {app}. {proof}",
        "Turnkey {tech}, technology readiness level {trl}, proven in {app}. {proof}",
    ],
}
_PROOF = {
    "zh": ["拥有多项发明专利。", "通过ISO 9001质量体系认证。", "与吉林大学共建联合实验室。", "产品已出口韩国和欧洲。"],
    "ko": ["다수의 발명 특허를 보유하고 있습니다.", "ISO 9001 인증을 받았습니다.", "지린대학교와 공동 연구실을 운영합니다.",
           "제품을 한국과 유럽에 수출하고 있습니다."],
    "en": ["We hold several invention patents.", "ISO 9001 certified.", "Joint laboratory with Jilin University.",
           "Products exported to Korea and Europe."],
}


def _pick_language(rng: np.random.Generator) -> str:
    langs = list(LANGUAGE_SHARES)
    return str(rng.choice(langs, p=[LANGUAGE_SHARES[x] for x in langs]))


def _topics() -> list[tuple[str, str, tuple]]:
    return [(industry, cluster, topic) for industry, (cluster, topics) in INDUSTRIES.items() for topic in topics]


def generate_scenarios_and_capabilities(n_scenarios: int = 200, n_capabilities: int = 2000, seed: int = 0,
                                        enterprise_codes: Sequence[str] | None = None
                                        ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (scenarios, capabilities) tables.

    scenarios: id, title, description, language, industry, topic, cluster, zone, owner_organisation,
    budget_min, budget_max (ten-thousand yuan), deadline_days.
    capabilities: id, enterprise_code, title, description, language, industry, topic, cluster, keywords,
    trl (1-9), references. Capabilities are owned by ``enterprise_codes`` (unified social credit codes)
    drawn at random; without codes the owner is null.
    """
    if n_scenarios < 0 or n_capabilities < 0:
        raise ValueError("counts must be >= 0")
    rng = np.random.default_rng(seed)
    topics = _topics()
    codes = list(enterprise_codes or [])

    scenarios = []
    for i in range(n_scenarios):
        industry, cluster, t = topics[int(rng.integers(len(topics)))]
        lang = _pick_language(rng)
        li = {"zh": 0, "ko": 1, "en": 2}[lang]
        tech, app = t[1 + li], t[4 + li]
        zone = str(rng.choice(ZONES))
        bmin = int(rng.integers(5, 200)) * 10
        bmax = bmin + int(rng.integers(1, 50)) * 10
        org = str(rng.choice(_ORGS[industry][lang]))
        body = str(rng.choice(_SCENARIO_BODY[lang])).format(
            org=org, app=app, tech=tech, bmin=bmin, bmax=bmax, bmin_m=bmin / 100, bmax_m=bmax / 100, days=int(rng.integers(30, 365)),
            extra=str(rng.choice(_EXTRA[lang])), zone_zh=_ZONE_NAMES["zh"][zone], zone_ko=_ZONE_NAMES["ko"][zone],
            zone_en=_ZONE_NAMES["en"][zone])
        scenarios.append({
            "id": f"SC{i + 1:05d}", "title": _SCENARIO_TITLE[lang].format(tech=tech, app=app), "description": body,
            "language": lang, "industry": industry, "topic": t[0], "cluster": cluster, "zone": zone,
            "owner_organisation": org, "budget_min": bmin, "budget_max": bmax,
            "deadline_days": int(rng.integers(30, 365)),
        })

    capabilities = []
    for i in range(n_capabilities):
        industry, cluster, t = topics[int(rng.integers(len(topics)))]
        lang = _pick_language(rng)
        li = {"zh": 0, "ko": 1, "en": 2}[lang]
        tech, app = t[1 + li], t[4 + li]
        trl = int(rng.integers(3, 10))
        body = str(rng.choice(_CAPABILITY_BODY[lang])).format(
            tech=tech, app=app, n=int(rng.integers(3, 120)), trl=trl, proof=str(rng.choice(_PROOF[lang])))
        capabilities.append({
            "id": f"CA{i + 1:06d}", "enterprise_code": str(codes[int(rng.integers(len(codes)))]) if codes else None,
            "title": _CAPABILITY_TITLE[lang].format(tech=tech), "description": body, "language": lang,
            "industry": industry, "topic": t[0], "cluster": cluster, "keywords": list(t[7]), "trl": trl,
            "references": f"{int(rng.integers(1, 30))} reference projects",
        })
    scen_schema = {"id": pl.String, "title": pl.String, "description": pl.String, "language": pl.String,
                   "industry": pl.String, "topic": pl.String, "cluster": pl.String, "zone": pl.String,
                   "owner_organisation": pl.String, "budget_min": pl.Int64, "budget_max": pl.Int64,
                   "deadline_days": pl.Int64}
    cap_schema = {"id": pl.String, "enterprise_code": pl.String, "title": pl.String, "description": pl.String,
                  "language": pl.String, "industry": pl.String, "topic": pl.String, "cluster": pl.String,
                  "keywords": pl.List(pl.String), "trl": pl.Int64, "references": pl.String}
    return pl.DataFrame(scenarios, schema=scen_schema), pl.DataFrame(capabilities, schema=cap_schema)
