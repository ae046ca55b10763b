"""Seed entries of the base dictionaries: what a cold-rolling mill would recognise.

`seed_dictionaries` fills a kind only while it has no entries at all, so an
administrator's later edits, reorderings and deletions are never undone.
"""

# kind: [(code, Chinese name, English name), ...] in display order
SEED = {
    "cold_forming": [
        ("DRAW", "拉延", "Drawing"),
        ("DEEP", "深冲", "Deep drawing"),
        ("BEND", "弯曲", "Bending"),
        ("FLANGE", "翻边", "Flanging"),
        ("ROLLFORM", "辊压成型", "Roll forming"),
        ("BLANK", "冲裁", "Blanking"),
    ],
    "end_use": [
        ("AUTO_EXT", "汽车外板", "Automotive exposed panel"),
        ("AUTO_INT", "汽车内板", "Automotive unexposed panel"),
        ("AUTO_STRUCT", "汽车结构件", "Automotive structural part"),
        ("APPLIANCE", "家电面板", "Appliance panel"),
        ("APPL_BACK", "家电背板", "Appliance back panel"),
        ("DRUM", "钢桶", "Steel drum"),
        ("ENAMEL", "搪瓷", "Enamelling"),
        ("GENERAL", "一般用途", "General use"),
    ],
    "forming_difficulty": [
        ("EASY", "一般", "Ordinary"),
        ("MEDIUM", "较难", "Difficult"),
        ("HARD", "难", "Very difficult"),
        ("EXTREME", "极难", "Extreme"),
    ],
    "car_model": [
        ("OLLIN", "欧铃", "Ollin"),
        ("AUMARK", "欧马可", "Aumark"),
        ("HAVAL_H6", "哈弗H6", "Haval H6"),
        ("ELANTRA", "伊兰特", "Elantra"),
        ("SANTANA", "桑塔纳", "Santana"),
        ("PASSAT", "帕萨特", "Passat"),
    ],
    "oil_type": [
        ("ANTIRUST", "防锈油", "Anti-rust oil"),
        ("PRELUBE", "预润滑油", "Prelube"),
        ("DRY", "不涂油", "Dry"),
    ],
    "packaging": [
        ("STD", "标准包装", "Standard"),
        ("EXPORT", "出口包装", "Export"),
        ("SIMPLE", "简易包装", "Simple"),
        ("BUNDLE", "捆带包装", "Strapped"),
    ],
    "usage_location": [
        ("ROOF", "顶盖", "Roof"),
        ("DOOR_OUT", "车门外板", "Door outer"),
        ("DOOR_IN", "车门内板", "Door inner"),
        ("HOOD", "发动机罩", "Hood"),
        ("FENDER", "翼子板", "Fender"),
        ("FLOOR", "地板", "Floor panel"),
        ("SIDE", "侧围", "Body side"),
        ("BEAM", "横梁", "Cross member"),
        ("SHELL", "外壳", "Casing"),
    ],
    "production_grade": [
        ("DC01", "DC01", "DC01"),
        ("DC03", "DC03", "DC03"),
        ("DC04", "DC04", "DC04"),
        ("DC05", "DC05", "DC05"),
        ("DC06", "DC06", "DC06"),
        ("SPCC", "SPCC", "SPCC"),
        ("SPCD", "SPCD", "SPCD"),
        ("SPCE", "SPCE", "SPCE"),
        ("HC180B", "HC180B", "HC180B"),
        ("HC220Y", "HC220Y", "HC220Y"),
        ("HC340LA", "HC340LA", "HC340LA"),
        ("DP590", "DP590", "DP590"),
    ],
    "edge_condition": [
        ("TRIMMED", "切边", "Trimmed (EC)"),
        ("MILL", "不切边", "Mill edge (EM)"),
    ],
    "delivery_grade": [
        ("DC01", "DC01", "DC01"),
        ("DC03", "DC03", "DC03"),
        ("DC04", "DC04", "DC04"),
        ("DC05", "DC05", "DC05"),
        ("DC06", "DC06", "DC06"),
        ("SPCC", "SPCC", "SPCC"),
        ("ST12", "ST12", "ST12"),
        ("HC220Y", "HC220Y", "HC220Y"),
    ],
    "surface_quality": [
        ("FB", "FB", "FB (较高级表面)"),
        ("FC", "FC", "FC (高级表面)"),
        ("FD", "FD", "FD (超高级表面)"),
    ],
    "surface_structure": [
        ("B", "光亮表面", "Bright"),
        ("D", "麻面", "Matt"),
    ],
    "roughness": [
        ("R1", "Ra 0.6–0.9 μm", "Ra 0.6–0.9 μm"),
        ("R2", "Ra 0.9–1.3 μm", "Ra 0.9–1.3 μm"),
        ("R3", "Ra 1.3–1.6 μm", "Ra 1.3–1.6 μm"),
        ("R4", "Ra ≤ 0.4 μm", "Ra ≤ 0.4 μm"),
    ],
    "welding": [
        ("SPOT", "点焊", "Spot welding"),
        ("LASER", "激光拼焊", "Laser welding"),
        ("ARC", "电弧焊", "Arc welding"),
        ("SEAM", "缝焊", "Seam welding"),
    ],
    "defect_type": [
        ("SCRATCH", "划伤", "Scratch"),
        ("ROLL_MARK", "辊印", "Roll mark"),
        ("INCLUSION", "夹杂", "Inclusion"),
        ("SCALE", "氧化铁皮", "Scale"),
        ("EDGE_CRACK", "边裂", "Edge crack"),
        ("WAVE", "浪形", "Wave"),
        ("RUST", "锈蚀", "Rust"),
        ("OIL_STAIN", "油斑", "Oil stain"),
        ("FORM_CRACK", "冲压开裂", "Cracking in forming"),
        ("DENT", "压痕", "Dent"),
        ("STRETCH", "橘皮/滑移线", "Stretcher strain"),
        ("DIM", "尺寸超差", "Out of tolerance"),
    ],
    "element": [
        ("C", "C 碳", "C carbon"),
        ("Si", "Si 硅", "Si silicon"),
        ("Mn", "Mn 锰", "Mn manganese"),
        ("P", "P 磷", "P phosphorus"),
        ("S", "S 硫", "S sulphur"),
        ("Als", "Als 酸溶铝", "Als acid-soluble aluminium"),
        ("Ti", "Ti 钛", "Ti titanium"),
        ("Nb", "Nb 铌", "Nb niobium"),
        ("N", "N 氮", "N nitrogen"),
        ("B", "B 硼", "B boron"),
        ("Cr", "Cr 铬", "Cr chromium"),
        ("Cu", "Cu 铜", "Cu copper"),
    ],
    "mechanical_property": [
        ("ReL", "下屈服强度 ReL", "Lower yield strength ReL"),
        ("Rp02", "规定塑性延伸强度 Rp0.2", "Proof strength Rp0.2"),
        ("Rm", "抗拉强度 Rm", "Tensile strength Rm"),
        ("A80", "断后伸长率 A80", "Elongation A80"),
        ("r90", "塑性应变比 r90", "Plastic strain ratio r90"),
        ("n90", "应变硬化指数 n90", "Strain hardening exponent n90"),
        ("BH2", "烘烤硬化值 BH2", "Bake hardening BH2"),
        ("HRB", "硬度 HRB", "Hardness HRB"),
    ],
    "process_parameter": [
        ("FT", "终轧温度", "Finishing temperature"),
        ("CT", "卷取温度", "Coiling temperature"),
        ("RED", "冷轧压下率", "Cold reduction"),
        ("TENSION", "机架间张力", "Inter-stand tension"),
        ("SPEED", "轧制速度", "Rolling speed"),
        ("HEAT_T", "加热段温度", "Heating section temperature"),
        ("SOAK_T", "均热温度", "Soaking temperature"),
        ("SLOW_T", "缓冷温度", "Slow cooling temperature"),
        ("OA_T", "过时效温度", "Overageing temperature"),
        ("LINE_SPEED", "工艺段速度", "Process section speed"),
        ("SPM_EL", "平整延伸率", "Skin-pass elongation"),
    ],
    "production_line": [
        ("PLTCM", "酸轧", "Pickling-tandem cold mill"),
        ("CAL", "连退", "Continuous annealing line"),
        ("CGL", "镀锌", "Continuous galvanising line"),
        ("RCL", "重卷", "Recoiling line"),
    ],
    "customer_category": [
        ("AUTO", "汽车板客户", "Automotive"),
        ("APPLIANCE", "家电板客户", "Appliance"),
        ("SPECIAL", "专用板客户", "Special-purpose"),
        ("OTHER", "其他", "Other"),
    ],
}

# The units of the measured entries, by kind and code (entries not named have none).
UNITS = {
    "mechanical_property": {"ReL": "MPa", "Rp02": "MPa", "Rm": "MPa", "A80": "%", "BH2": "MPa"},
    "process_parameter": {
        "FT": "℃",
        "CT": "℃",
        "RED": "%",
        "TENSION": "kN",
        "SPEED": "m/min",
        "HEAT_T": "℃",
        "SOAK_T": "℃",
        "SLOW_T": "℃",
        "OA_T": "℃",
        "LINE_SPEED": "m/min",
        "SPM_EL": "%",
    },
}
# The production lines each process parameter is set on. The hot mill's finishing and
# coiling temperatures come with the coil into the pickling-tandem mill; galvanising has
# no overageing.
PARAMETER_LINES = {
    "FT": ["PLTCM"],
    "CT": ["PLTCM"],
    "RED": ["PLTCM"],
    "TENSION": ["PLTCM"],
    "SPEED": ["PLTCM"],
    "HEAT_T": ["CAL", "CGL"],
    "SOAK_T": ["CAL", "CGL"],
    "SLOW_T": ["CAL", "CGL"],
    "OA_T": ["CAL"],
    "LINE_SPEED": ["CAL", "CGL", "RCL"],
    "SPM_EL": ["CAL", "CGL"],
}


def seed_units_and_lines(DictEntry, kinds=None):
    """Give the seed entries of `kinds` (all when None) their units and lines, where an
    entry has none yet: what an administrator or the rows in use gave is kept."""
    for kind, units in UNITS.items():
        if kinds is not None and kind not in kinds:
            continue
        for code, unit in units.items():
            DictEntry.objects.filter(kind=kind, code=code, unit="").update(unit=unit)
    if kinds is not None and "process_parameter" not in kinds:
        return
    lines = {e.code: e for e in DictEntry.objects.filter(kind="production_line")}
    for parameter in DictEntry.objects.filter(kind="process_parameter", lines=None):
        found = [lines[code] for code in PARAMETER_LINES.get(parameter.code, ()) if code in lines]
        if found:
            parameter.lines.set(found)


def seed_dictionaries(apps=None, **kwargs):
    """Fill each dictionary kind that has no entries yet with its seed entries."""
    from django.apps import apps as global_apps

    DictEntry = (apps or global_apps).get_model("archive_site", "DictEntry")
    filled = set(DictEntry.objects.values_list("kind", flat=True).distinct())
    DictEntry.objects.bulk_create(
        DictEntry(kind=kind, code=code, name=name, name_en=name_en, sort_order=(i + 1) * 10)
        for kind, entries in SEED.items()
        if kind not in filled
        for i, (code, name, name_en) in enumerate(entries)
    )
    # Migrations before the units and lines (0003) seed without them; 0009 adds them.
    if any(f.name == "lines" for f in DictEntry._meta.get_fields()):
        seed_units_and_lines(DictEntry, kinds=set(SEED) - filled)
