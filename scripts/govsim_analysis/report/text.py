"""The words of the HTML report, in English and Chinese: the reform's terms (docs/glossary.md holds the
same, a test keeps them equal), the page's words, the caveats and the figure captions."""

# The reform's terms (docs/glossary.md holds the same): (term, pinyin, English, explanation en, explanation zh).
TERMS = [
    ("街道办事处", "jiēdào bànshìchù", "sub-district office",
     "The city district's agency between the district and the residents' committees; before the reform it also "
     "carried economic targets, so service was not its main work. Guiyang abolished 49 of them.",
     "区政府的派出机关，位于区与居委会之间；改革前还承担经济指标，服务不是其主业。贵阳撤销了49个街道办事处。"),
    ("居委会", "jūmín wěiyuánhuì", "residents' committee",
     "Residents' self-governing body for 1,000-3,000 households; before the reform loaded with administrative "
     "work pushed down from above.",
     "居民自治组织，管辖1000至3000户；改革前被上级下派的大量行政事务所占用。"),
    ("一委一会一中心", "yī wěi yī huì yī zhōngxīn", "one committee, one council, one centre",
     "In every new community: a party committee (coordination), a residents' council (deliberation and "
     "oversight) and a community service centre (delivery); execution and oversight separated.",
     "每个新社区设社区党委（统筹协调）、居民议事会（议事监督）和社区服务中心（提供服务），执行与监督分开。"),
    ("一社多居", "yī shè duō jū", "one community, several committees",
     "One community service centre covers several residents' committees.",
     "一个社区服务中心覆盖多个居委会。"),
    ("居政分离", "jū zhèng fēnlí", "separating residents' self-government from administration",
     "Committees no longer do administrative work: they help the centre, organise volunteers, mediate disputes "
     "and govern themselves.",
     "居委会不再承担行政事务，转为协助服务中心、组织志愿者、调解纠纷、居民自治。"),
    ("一居两站", "yī jū liǎng zhàn", "one committee, two stations",
     "Each residents' committee runs a mass-service station and a public-order station.",
     "每个居委会设群众工作站和治安工作站。"),
    ("社会和云", "shèhuì hé yún", "the 'social harmony cloud' data platform",
     "A city-wide data platform: city, district and community data shared across departments, so cases move "
     "with their information.",
     "全市统一的数据平台，市、区、社区数据在各部门间共享，案件连同信息一起流转。"),
    ("一站式", "yī zhàn shì", "one-stop service",
     "Residents ask once, at one window, for what several departments do.",
     "居民在一个窗口一次办理原本涉及多个部门的事项。"),
    ("五力共治", "wǔ lì gòng zhì", "governance by five forces",
     "Party (coordination), government (main capacity), society (NGOs, enterprises), residents (participation, "
     "volunteers) and institutions (rules, deadlines, accountability) govern together.",
     "党（统筹）、政府（主体能力）、社会（社会组织、企业）、居民（参与、志愿者）和制度（规则、时限、问责）共同治理。"),
]

# Words of the page, in English and Chinese.
WORDS = {
    "en": {
        "title": "govsim comparison", "verdict": "Verdict", "baseline": "baseline",
        "vs": "compared with", "better": "better", "worse": "worse", "unclear": "no clear difference",
        "no_interval": "no interval (one replication): no claim", "shorter": "shorter", "longer": "longer",
        "higher": "higher", "lower": "lower", "ci": "95% CI", "resources": "Resources",
        "staff": "paid places", "volunteers": "volunteer places", "platform": "on the data platform", "units": "units", "communities": "communities",
        "fiscal": "fiscal cost", "utilisation": "Utilisation by tier", "util_note":
        "Share of working staff-hours busy, by tier (context for the verdict: a tier near 100% has no slack).",
        "headline": "Headline outcomes", "metric": "outcome", "unit": "unit", "mean_ci": "mean [95% CI]",
        "diff_ci": "difference [95% CI]", "differ": "How the options differ", "settings": "Settings",
        "from_baseline": "differences from the baseline", "from_parent": "differences from the file it extends",
        "none": "none", "setting": "setting", "value": "value", "other": "compared value", "absent": "(absent)",
        "figures": "Figures", "glossary": "Glossary", "terms": "The reform's terms", "metrics_gloss": "The outcomes",
        "caveats": "Caveats", "few_reps": "Only {n} replication(s) per option: 95% intervals from fewer than {m} "
        "replications say little, and none is drawn from one. Run more (--replications 10) before acting on "
        "these figures.", "legend": "Marks: {b} better, {w} worse (the paired 95% interval excludes 0), "
        "{u} no clear difference.", "structure_caption": "Organisational structures, one row per tier, by unit "
        "group (count x staff each); the residents' tier says how many communities its units form.",
        "tier": "tier", "generated": "Report generated", "folder": "Results folder", "uses": "uses",
        "vs_base": "baseline", "about": "About this comparison", "replications": "replications per option",
        "seed": "seed", "hours": "hours", "days": "days", "pp": "percentage points", "extends": "extends",
        "staff_by_group": "staff by unit group", "days_note": "Times are in hours, or in days of 24 hours where "
        "the baseline's value is two days or more; each outcome keeps one unit throughout.",
    },
    "zh": {
        "title": "govsim 方案比较", "verdict": "结论", "baseline": "基线",
        "vs": "与基线相比", "better": "较好", "worse": "较差", "unclear": "无明显差别",
        "no_interval": "无置信区间（仅一次重复），不作判断", "shorter": "缩短", "longer": "延长",
        "higher": "提高", "lower": "降低", "ci": "95%置信区间", "resources": "资源",
        "staff": "带薪岗位", "volunteers": "志愿者岗位", "platform": "接入数据平台", "units": "个单位", "communities": "个社区",
        "fiscal": "财政成本", "utilisation": "各层级工作负荷率", "util_note":
        "各层级工作时间中忙碌的比例（结论的背景：接近100%的层级没有余量）。",
        "headline": "主要结果", "metric": "指标", "unit": "单位", "mean_ci": "均值 [95%置信区间]",
        "diff_ci": "差值 [95%置信区间]", "differ": "各方案的区别", "settings": "设置",
        "from_baseline": "与基线的区别", "from_parent": "与所继承文件的区别",
        "none": "无", "setting": "设置项", "value": "取值", "other": "对比取值", "absent": "（无）",
        "figures": "图表", "glossary": "术语表", "terms": "改革术语", "metrics_gloss": "结果指标",
        "caveats": "注意事项", "few_reps": "每个方案仅有 {n} 次重复：少于 {m} 次重复的95%置信区间意义不大，"
        "一次重复则无法给出区间。据此决策前请增加重复次数（--replications 10）。",
        "legend": "标记：{b} 较好，{w} 较差（配对95%置信区间不含0），{u} 无明显差别。",
        "structure_caption": "各方案的组织结构：每行一个层级，按单位类别显示（数量 x 每单位人员）；居民所在层级标明其单位组成的社区数。",
        "tier": "层级", "generated": "报告生成时间", "folder": "结果文件夹", "uses": "使用",
        "vs_base": "基线", "about": "关于本次比较", "replications": "每个方案的重复次数",
        "seed": "随机种子", "hours": "小时", "days": "天", "pp": "个百分点", "extends": "继承自",
        "staff_by_group": "各类单位人员", "days_note": "时间以小时为单位；基线取值达到两天及以上的指标以天（24小时）为单位；每个指标全文使用同一单位。",
    },
}

CAVEATS = {
    "en": [
        "The model is a simplified picture of how requests travel through the administration. It is a tool to "
        "compare structures under stated assumptions, not a forecast of what any real city will see.",
        "Confidence intervals are across replications with different random numbers. They only reflect the "
        "simulation's own stochastic noise, not uncertainty in the parameters or in the model's structure.",
        "Paired differences use common random numbers (the same residents and needs in each option), which makes "
        "them much narrower than the intervals of the individual options; a difference whose interval excludes 0 "
        "is a robust difference within the model, not proof of a real-world effect.",
        "Response times cover only requests that were resolved, so an option that leaves more needs unmet can "
        "look faster. Read response times together with the service gap.",
    ],
    "zh": [
        "本模型是对诉求在行政体系中流转过程的简化描述，用于在给定假设下比较不同结构，并非对任何真实城市的预测。",
        "置信区间来自使用不同随机数的多次重复，只反映模拟自身的随机波动，不反映参数或模型结构的不确定性。",
        "配对差值使用公共随机数（各方案中居民与需求相同），因此比单个方案的区间窄得多；区间不含0的差值是模型内的稳健差别，而非现实效果的证明。",
        "响应时间只统计已解决的诉求，留下更多未满足需求的方案可能看起来更快；请结合服务缺口一起阅读。",
    ],
}

BETTER_MARK, WORSE_MARK, UNCLEAR_MARK = "\u2714", "\u2718", "\u2248"  # ✔ ✘ ≈: shapes, not colour alone


CAPTIONS = {
    "en": {"forest": "Paired differences to the baseline with 95% confidence intervals (all requests), grouped by "
           "unit. A filled marker means the interval excludes zero.",
           "response_cdf": "Cumulative distribution of response times of resolved requests (log scale), for all "
           "requests and for each request type.",
           "service_gap": "Service gap: share of needs not met, by reason, per resident group; markers show the "
           "share of deadline breaches.",
           "backlog": "Backlog over time: requests queued at the units of each tier (mean over replications).",
           "trust": "Residents' willingness to report over time (trust), with a 95% band across replications."},
    "zh": {"forest": "相对基线的配对差值及95%置信区间（全部诉求），按单位分组；实心标记表示区间不含0。",
           "response_cdf": "已解决诉求响应时间的累计分布（对数坐标），全部诉求及各类型诉求。",
           "service_gap": "服务缺口：各居民群体未满足需求的比例及原因；标记为超过办理时限的比例。",
           "backlog": "积压随时间变化：各层级单位排队的诉求数（各次重复的均值）。",
           "trust": "居民反映意愿（信任）随时间变化，带为各次重复的95%置信区间。"},
}
