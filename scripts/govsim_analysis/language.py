"""The language of the figures' labels, titles and units: English ('en', the keys) or Chinese ('zh')."""

from .errors import InputError
from .fonts import use_cjk_font

LANGUAGES = ("en", "zh")

TEXT_ZH = {
    "all requests": "全部诉求", "type": "类型", "no resolved requests": "无已解决诉求",
    "response time": "响应时间", "log scale": "对数坐标", "share of resolved requests (cumulative)": "已解决诉求累计比例",
    "all residents": "全体居民", "share of all needs (%)": "占全部需求的比例（%）",
    "Service gap by resident group": "各居民群体的服务缺口", " and scenario": "及方案",
    "deadline breached (%)": "超过办理时限（%）", "bar outline": "柱形边框", "all units": "全部单位", "tier": "层级",
    "simulated time (days)": "模拟时间（天）", "backlog (requests queued)": "积压（排队诉求数）",
    "no resident willingness recorded": "未记录居民意愿", "mean willingness to report (0-1)": "平均反映意愿（0-1）",
    "Trust over time (band: 95% CI across replications)": "信任随时间变化（带：各次重复的95%置信区间）",
    "no paired differences to show (one scenario only)": "无配对差值可显示（只有一个方案）",
    "difference": "差值", "Paired differences vs": "配对差值，相对于",
    "(95% CI; filled marker: CI excludes 0)": "（95%置信区间；实心标记：区间不含0）",
    "Sweep: mean with 95% CI band across replications": "参数扫描：均值及各次重复的95%置信区间带",
    "elementary effect": "基本效应", "mu* (mean |effect|)": "mu*（平均绝对效应）",
    "sigma (interaction / non-linearity)": "sigma（交互/非线性）",
    "hierarchy (child to parent)": "隶属（下级到上级）", "referral": "转办", "routing": "流转",
    "on the data platform": "接入数据平台", "communities": "个社区", "units": "个单位", "staff": "人员",
    "days": "天", "hours": "小时",
}

# One language for every figure a command draws; set once by set_language, read through current().
_current = "en"


def current() -> str:
    """The language set by set_language ('en' until then)."""
    return _current


def set_language(lang: str) -> None:
    """Labels, titles and units of the figures in English ('en') or Chinese ('zh', Noto Sans CJK)."""
    global _current
    if lang not in LANGUAGES:
        raise InputError(f"--lang {lang}: choose en or zh")
    _current = lang
    if lang == "zh":
        use_cjk_font()


def tr(text: str) -> str:
    """`text` in the current language (English strings are the keys; untranslated text stays English)."""
    return TEXT_ZH.get(text, text) if _current == "zh" else text
