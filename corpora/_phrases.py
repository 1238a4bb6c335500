# ruff: noqa: E501  (phrase tables: one entry per line reads better than wrapped strings)
"""Phrase banks for ``build_samples.py`` (fictional sample data, standard library only).

Every string here is NFC Vietnamese with the old tone-mark placement ("hóa", "thủy")
that ``recommender.text.normalize`` produces, or plain English.

The banks are deliberately independent: a profile sentence is composed from a
process name synonym, products, materials, machines, tolerances, customer
industries and capacity, each drawn separately, so that descriptions do not
repeat one template.  Near-miss processes (plastic injection vs plastic
bags/film, CNC vs stamping, PCB assembly vs wire harness, rubber seals vs shoe
soles, offset printing vs carton boxes) share generic words on purpose.
"""

# ---------------------------------------------------------------------------
# Processes.  Keys are the canonical process keys of the data set.
#   vi / en      : synonyms for the activity (noun phrases)
#   prod_vi/en   : typical products
#   mat          : materials (canonical strings, stored in ``materials``)
#   mach         : (vi name, en name, brands, low, high, unit_vi, unit_en)
#   tol_vi/en    : precision phrases (may be empty)
#   cap          : (low, high, unit_vi, unit_en) monthly capacity
#   det_vi/en    : extra process-specific sentences
# ---------------------------------------------------------------------------
PROCESSES = {
    "cnc_machining": {
        "vi": ["tiện phay CNC", "gia công cắt gọt", "gia công CNC", "gia công cơ khí chính xác",
               "phay tiện CNC", "gia công chi tiết trên trung tâm gia công", "gia công trên máy CNC 5 trục",
               "tiện CNC", "phay CNC 3–4 trục", "gia công cắt gọt kim loại"],
        "en": ["CNC machining", "precision machining", "CNC turning and milling", "machining",
               "5-axis machining", "subtractive machining of metal parts", "CNC milling"],
        "prod_vi": ["trục", "bạc lót", "mặt bích", "bánh răng", "đồ gá", "chi tiết khuôn", "vỏ nhôm",
                    "khớp nối", "chi tiết thủy lực", "pát nhôm", "chi tiết máy đóng gói", "van",
                    "chốt định vị", "chi tiết máy dệt", "ống lót"],
        "prod_en": ["shafts", "bushings", "flanges", "gears", "jigs and fixtures", "aluminium housings",
                    "couplings", "hydraulic parts", "aluminium brackets", "valve bodies", "locating pins",
                    "spacers", "manifolds"],
        "mat": ["aluminium 6061", "aluminium 7075", "SUS304", "SUS316", "S45C", "SKD11", "brass C3604",
                "POM", "copper C1100", "SCM440"],
        "mach": [("trung tâm gia công đứng", "vertical machining centre", ["Mazak", "Okuma", "DMG Mori", "Brother", "Haas"], 3, 24, "", ""),
                 ("máy tiện CNC", "CNC lathe", ["Okuma", "Doosan", "Takisawa", "Mazak"], 2, 20, "", ""),
                 ("trung tâm gia công 5 trục", "5-axis machining centre", ["DMG Mori", "Hermle", "Mazak"], 1, 6, "", ""),
                 ("máy phay CNC", "CNC milling machine", ["Haas", "Fanuc Robodrill", "Brother"], 2, 15, "", ""),
                 ("máy cắt dây EDM", "wire EDM", ["Sodick", "Mitsubishi", "Fanuc"], 1, 6, "", ""),
                 ("máy đo CMM", "CMM", ["Mitutoyo", "Zeiss", "Hexagon"], 1, 3, "", "")],
        "tol_vi": ["dung sai ±0,005 mm", "dung sai ±0,01 mm", "dung sai tới ±0,02 mm", "độ nhám Ra 0,4",
                   "độ chính xác vị trí 0,01 mm", "dung sai ±5 µm"],
        "tol_en": ["tolerances of ±0.005 mm", "±0.01 mm tolerance", "tolerances down to ±0.02 mm",
                   "Ra 0.4 surface finish", "positional accuracy of 0.01 mm"],
        "cap": (8_000, 250_000, "chi tiết/tháng", "parts/month"),
        "det_vi": ["Nhận gia công từ mẫu, từ bản vẽ 2D/3D, số lượng từ vài chiếc đến hàng chục nghìn chi tiết.",
                   "Có phòng đo với máy CMM và máy đo biên dạng, xuất báo cáo đo cho từng lô.",
                   "Lập trình CAM bằng Mastercam và NX, đồ gá tự thiết kế.",
                   "Chi tiết sau gia công có thể anod hóa hoặc mạ qua đối tác gần xưởng."],
        "det_en": ["We work from samples or 2D/3D drawings, from prototypes to tens of thousands of parts.",
                   "A metrology room with CMM and profile projector issues inspection reports per lot.",
                   "CAM programming in Mastercam and NX; fixtures designed in house."],
    },
    "mold_making": {
        "vi": ["thiết kế và chế tạo khuôn", "làm khuôn", "gia công khuôn mẫu", "chế tạo khuôn ép nhựa",
               "chế tạo khuôn dập", "khuôn mẫu chính xác", "sửa chữa và bảo trì khuôn", "chế tạo khuôn đúc"],
        "en": ["mould making", "tool and die making", "injection mould design and build", "mould manufacturing",
               "stamping die design", "precision tooling"],
        "prod_vi": ["khuôn ép nhựa", "khuôn dập liên hoàn", "khuôn đúc áp lực", "khuôn cao su", "khuôn thổi",
                    "khuôn nhiều lòng", "khuôn hot runner", "khuôn đế giày"],
        "prod_en": ["injection moulds", "progressive dies", "die-casting dies", "rubber moulds", "blow moulds",
                    "multi-cavity moulds", "hot-runner moulds"],
        "mat": ["SKD61", "SKD11", "NAK80", "P20", "S50C", "2344", "718H"],
        "mach": [("máy xung EDM", "sinker EDM", ["Sodick", "Makino", "Mitsubishi"], 1, 8, "", ""),
                 ("máy cắt dây", "wire EDM", ["Sodick", "Seibu", "Fanuc"], 1, 6, "", ""),
                 ("máy phay tốc độ cao", "high-speed milling centre", ["Makino", "Roders", "Yasda", "OKK"], 1, 8, "", ""),
                 ("máy mài phẳng", "surface grinder", ["Okamoto", "Amada"], 1, 5, "", "")],
        "tol_vi": ["dung sai lòng khuôn ±0,005 mm", "tuổi thọ khuôn trên 500.000 chu kỳ",
                   "khuôn đạt tiêu chuẩn SPI class 101", "độ bóng lòng khuôn SPI A2"],
        "tol_en": ["cavity tolerance ±0.005 mm", "mould life above 500,000 shots", "SPI class 101 moulds",
                   "A2 mirror polish"],
        "cap": (4, 40, "bộ khuôn/tháng", "moulds/month"),
        "det_vi": ["Thiết kế khuôn trên Siemens NX và phân tích dòng chảy bằng Moldflow.",
                   "Nhận chuyển giao khuôn cũ, sửa chữa và thay thế chi tiết khuôn.",
                   "Khuôn được thử và hiệu chỉnh T0, T1 trước khi bàn giao."],
        "det_en": ["Moulds are designed in Siemens NX with Moldflow analysis.",
                   "We take over, repair and refurbish existing tools.",
                   "T0/T1 trials and tuning before hand-over."],
    },
    "plastic_injection": {
        "vi": ["ép phun nhựa", "ép nhựa", "đúc nhựa", "ép nhựa kỹ thuật", "gia công chi tiết nhựa kỹ thuật",
               "ép phun linh kiện nhựa", "sản xuất linh kiện nhựa", "ép nhựa theo khuôn của khách hàng",
               "ép phun insert và overmolding"],
        "en": ["injection molding", "plastic injection moulding", "plastic injection", "moulded plastic parts",
               "engineering plastic moulding", "insert and overmoulding"],
        "prod_vi": ["vỏ thiết bị điện tử", "bánh răng nhựa", "nắp chai", "vỏ quạt", "chi tiết nhựa nội thất ô tô",
                    "khay nhựa linh kiện", "vỏ sạc", "chi tiết máy in", "cánh quạt", "đầu nối nhựa",
                    "vỏ remote", "linh kiện đồ gia dụng", "vỏ công tắc", "chi tiết thiết bị y tế"],
        "prod_en": ["electronic enclosures", "plastic gears", "closures", "appliance housings",
                    "automotive interior trim", "component trays", "charger housings", "printer parts",
                    "fan blades", "connector housings", "medical device parts"],
        "mat": ["ABS", "PC", "PC/ABS", "PP", "PA66", "PA66-GF30", "POM", "PBT", "PMMA", "HIPS", "TPE"],
        "mach": [("máy ép nhựa", "injection moulding machine", ["Haitian", "JSW", "Toyo", "Sumitomo", "Engel", "Chen Hsong", "Fanuc Roboshot"], 4, 60, "{a}–{b} tấn", "{a}–{b} t")],
        "tol_vi": ["dung sai ±0,02 mm", "dung sai ±0,05 mm trên chi tiết nhựa", "độ cong vênh dưới 0,1 mm",
                   "bề mặt bóng gương không vết đường hàn"],
        "tol_en": ["±0.02 mm on moulded parts", "±0.05 mm tolerance", "warpage below 0.1 mm",
                   "cosmetic class A surfaces"],
        "cap": (150_000, 6_000_000, "chi tiết/tháng", "parts/month"),
        "det_vi": ["Xưởng ép có khu phòng sạch class 100.000 cho chi tiết y tế và điện tử.",
                   "Có robot gắp sản phẩm và máy sấy hút ẩm cho nhựa kỹ thuật.",
                   "Nhận ép trên khuôn do khách hàng cung cấp.",
                   "Có thể in pad, sơn UV và lắp ráp sau ép."],
        "det_en": ["A class 100,000 clean room for medical and electronic parts.",
                   "Sprue pickers, robots and dehumidifying dryers for engineering resins.",
                   "Customer-owned moulds welcome; pad printing and assembly after moulding."],
    },
    "die_casting": {
        "vi": ["đúc áp lực nhôm", "đúc nhôm áp lực cao", "đúc kẽm", "đúc áp lực", "đúc khuôn kim loại",
               "đúc trọng lực nhôm", "đúc hợp kim nhôm"],
        "en": ["aluminium die casting", "high-pressure die casting", "zinc die casting", "die casting",
               "gravity casting"],
        "prod_vi": ["vỏ hộp số", "vỏ motor", "tản nhiệt", "vỏ đèn LED", "tay nắm", "vỏ bơm", "chi tiết xe máy"],
        "prod_en": ["gearbox housings", "motor housings", "heat sinks", "LED lamp housings", "handles",
                    "pump housings", "motorcycle parts"],
        "mat": ["ADC12", "A380", "AlSi10Mg", "Zamak 3", "Zamak 5"],
        "mach": [("máy đúc áp lực", "die-casting machine", ["Toyo", "UBE", "Buhler", "LK", "Toshiba"], 2, 20, "{a}–{b} tấn", "{a}–{b} t")],
        "tol_vi": ["độ rỗ khí kiểm soát bằng X-quang", "dung sai ±0,05 mm sau gia công"],
        "tol_en": ["porosity checked by X-ray", "±0.05 mm after machining"],
        "cap": (40, 600, "tấn/tháng", "tonnes/month"),
        "det_vi": ["Có lò nấu nhôm và máy phun bi, gia công hoàn thiện qua đối tác.",
                   "Nhận đúc từ 50 g đến 8 kg mỗi chi tiết."],
        "det_en": ["Melting furnaces and shot blasting; machining via partners.",
                   "Part weights from 50 g to 8 kg."],
    },
    "sheet_metal_stamping": {
        "vi": ["dập kim loại tấm", "gia công kim loại tấm", "dập liên hoàn", "đột dập", "dập vuốt",
               "cắt laser và chấn tôn", "gia công tôn tấm", "dập nguội chi tiết kim loại"],
        "en": ["sheet metal stamping", "metal stamping", "progressive die stamping", "sheet metal fabrication",
               "laser cutting and bending", "deep drawing"],
        "prod_vi": ["vỏ tủ điện", "pát đỡ", "khung sườn", "nắp hộp", "lá đồng tiếp điểm", "giá đỡ", "vỏ máy",
                    "chi tiết dập cho xe máy", "thùng tôn", "tấm che"],
        "prod_en": ["electrical cabinets", "brackets", "frames", "covers", "copper contacts", "mounting plates",
                    "machine enclosures", "stamped motorcycle parts"],
        "mat": ["SPCC", "SECC", "SGCC", "SUS304", "aluminium 5052", "copper C1100", "SPHC"],
        "mach": [("máy dập", "stamping press", ["Amada", "Aida", "Komatsu", "Yeeli", "Chin Fong"], 4, 40, "{a}–{b} tấn", "{a}–{b} t"),
                 ("máy cắt laser fiber", "fibre laser cutter", ["Trumpf", "Bystronic", "Amada", "Han's Laser"], 1, 5, "", ""),
                 ("máy chấn CNC", "CNC press brake", ["Amada", "Trumpf", "LVD"], 1, 8, "", ""),
                 ("máy đột CNC", "CNC turret punch", ["Amada", "Murata"], 1, 4, "", "")],
        "tol_vi": ["dung sai ±0,1 mm", "độ dày tôn từ 0,3 đến 6 mm", "dung sai chấn ±0,2 mm"],
        "tol_en": ["±0.1 mm tolerance", "sheet thickness 0.3–6 mm", "bending tolerance ±0.2 mm"],
        "cap": (50_000, 3_000_000, "chi tiết/tháng", "parts/month"),
        "det_vi": ["Dập số lượng lớn trên dây chuyền cấp phôi tự động, khuôn dập do khách hàng cung cấp.",
                   "Lắp ráp cụm chi tiết sau dập theo yêu cầu; sơn, mạ qua đối tác."],
        "det_en": ["Coil-fed press lines for high volumes on customer dies.",
                   "Sub-assembly after stamping; coating via partners."],
    },
    "forging": {
        "vi": ["rèn dập nóng", "rèn khuôn", "dập nóng", "rèn thép", "rèn tự do", "rèn nguội"],
        "en": ["hot forging", "closed-die forging", "forging", "cold forging", "open-die forging"],
        "prod_vi": ["mặt bích rèn", "trục khuỷu", "tay biên", "móc cẩu", "chi tiết van rèn", "bánh răng phôi rèn"],
        "prod_en": ["forged flanges", "crankshafts", "connecting rods", "lifting hooks", "forged valve bodies",
                    "gear blanks"],
        "mat": ["S45C", "SCM440", "SCr420", "brass C3771", "SUS304", "aluminium 6061"],
        "mach": [("máy búa rèn", "forging hammer", ["Lasco", "Schuler", "Komatsu"], 1, 6, "", ""),
                 ("máy ép rèn trục khuỷu", "mechanical forging press", ["Sumitomo", "Komatsu", "Aida"], 1, 6, "{a}–{b} tấn", "{a}–{b} t")],
        "tol_vi": ["phôi rèn dung sai ±0,3 mm", "trọng lượng phôi từ 0,2 đến 25 kg"],
        "tol_en": ["forgings to ±0.3 mm", "forging weights 0.2–25 kg"],
        "cap": (30, 500, "tấn/tháng", "tonnes/month"),
        "det_vi": ["Có lò nung cảm ứng trung tần và máy phun bi làm sạch sau rèn."],
        "det_en": ["Induction heating and shot blasting after forging."],
    },
    "heat_treatment": {
        "vi": ["nhiệt luyện", "tôi cao tần", "thấm cacbon", "xử lý nhiệt", "tôi chân không", "thấm nitơ",
               "ram và ủ kim loại"],
        "en": ["heat treatment", "induction hardening", "carburizing", "vacuum hardening", "nitriding",
               "annealing and tempering"],
        "prod_vi": ["bánh răng", "trục", "khuôn", "dao cắt", "bulông cường độ cao", "chi tiết hộp số"],
        "prod_en": ["gears", "shafts", "dies", "cutting blades", "high-tensile bolts", "transmission parts"],
        "mat": ["SKD11", "SKD61", "SCM440", "S45C", "SCr420", "SUJ2"],
        "mach": [("lò tôi chân không", "vacuum furnace", ["Ipsen", "Seco/Warwick", "IHI"], 1, 4, "", ""),
                 ("lò thấm liên tục", "continuous carburizing furnace", ["Aichelin", "Dowa"], 1, 3, "", ""),
                 ("máy tôi cao tần", "induction hardening machine", ["EMA", "Fuji Denshi"], 1, 6, "", "")],
        "tol_vi": ["độ cứng 58–62 HRC", "chiều sâu thấm 0,8–1,2 mm", "kiểm soát biến dạng sau tôi"],
        "tol_en": ["58–62 HRC", "case depth 0.8–1.2 mm", "controlled distortion"],
        "cap": (20, 400, "tấn/tháng", "tonnes/month"),
        "det_vi": ["Có máy đo độ cứng Rockwell, Vickers và phòng kim tương."],
        "det_en": ["Rockwell and Vickers testers and a metallography lab."],
    },
    "electroplating": {
        "vi": ["xi mạ", "mạ kẽm", "mạ niken crom", "mạ điện", "anod hóa nhôm", "mạ thiếc", "mạ vàng tiếp điểm",
               "xử lý bề mặt kim loại"],
        "en": ["electroplating", "zinc plating", "nickel-chrome plating", "anodizing", "tin plating",
               "metal surface finishing"],
        "prod_vi": ["bulông ốc vít", "tiếp điểm đồng", "chi tiết xe máy", "phụ kiện nội thất", "vỏ nhôm"],
        "prod_en": ["fasteners", "copper contacts", "motorcycle parts", "furniture fittings", "aluminium housings"],
        "mat": ["zinc", "nickel", "chrome", "tin", "gold", "anodized aluminium"],
        "mach": [("dây chuyền mạ treo", "rack plating line", ["tự chế tạo", "Okuno"], 1, 5, "", ""),
                 ("dây chuyền mạ quay", "barrel plating line", ["tự chế tạo"], 1, 4, "", "")],
        "tol_vi": ["độ dày lớp mạ 5–25 µm", "thử phun muối trên 96 giờ", "mạ không crom VI theo RoHS"],
        "tol_en": ["coating thickness 5–25 µm", "salt-spray tested over 96 h", "Cr(VI)-free, RoHS compliant"],
        "cap": (50_000, 2_000_000, "chi tiết/tháng", "parts/month"),
        "det_vi": ["Có hệ thống xử lý nước thải đạt chuẩn và giấy phép môi trường.",
                   "Đo độ dày lớp mạ bằng máy XRF cho từng lô."],
        "det_en": ["Licensed wastewater treatment on site.", "XRF thickness measurement on every lot."],
    },
    "powder_coating": {
        "vi": ["sơn tĩnh điện", "sơn bột tĩnh điện", "phủ sơn tĩnh điện", "sơn phủ bề mặt kim loại",
               "sơn ED và sơn tĩnh điện"],
        "en": ["powder coating", "electrostatic powder coating", "e-coating and powder coating", "paint finishing"],
        "prod_vi": ["vỏ tủ điện", "khung sắt", "kệ kho", "bàn ghế khung thép", "vỏ máy", "lan can"],
        "prod_en": ["electrical cabinets", "steel frames", "storage racks", "steel furniture", "enclosures"],
        "mat": ["polyester powder", "epoxy powder", "steel", "aluminium"],
        "mach": [("dây chuyền sơn tĩnh điện tự động", "automatic powder line", ["Gema", "Wagner", "Nordson"], 1, 3, "", ""),
                 ("lò sấy sơn", "curing oven", ["tự chế tạo"], 1, 3, "", "")],
        "tol_vi": ["độ dày màng sơn 60–80 µm", "độ bám dính 5B", "thử phun muối 500 giờ"],
        "tol_en": ["60–80 µm film", "5B adhesion", "500 h salt spray"],
        "cap": (20_000, 400_000, "m²/tháng", "m²/month"),
        "det_vi": ["Có công đoạn phốt phát hóa trước sơn, pha màu theo RAL."],
        "det_en": ["Phosphating pre-treatment; RAL colours on request."],
    },
    "welding": {
        "vi": ["hàn", "hàn MIG/TIG", "hàn robot", "gia công kết cấu thép", "hàn điểm", "hàn inox",
               "chế tạo khung kết cấu hàn"],
        "en": ["welding", "MIG/TIG welding", "robotic welding", "steel fabrication", "spot welding",
               "stainless steel fabrication"],
        "prod_vi": ["khung máy", "bồn inox", "kết cấu thép", "băng tải", "giá kệ", "ống xả", "khung xe"],
        "prod_en": ["machine frames", "stainless tanks", "steel structures", "conveyors", "racks",
                    "exhaust pipes", "vehicle frames"],
        "mat": ["SS400", "SUS304", "SUS316L", "aluminium 5052", "Q345"],
        "mach": [("robot hàn", "welding robot", ["Panasonic", "Yaskawa", "OTC Daihen", "Fanuc"], 1, 12, "", ""),
                 ("máy hàn TIG", "TIG welder", ["Panasonic", "Lincoln", "Jasic"], 4, 40, "", ""),
                 ("máy hàn điểm", "spot welder", ["Dengensha", "Obara"], 2, 15, "", "")],
        "tol_vi": ["thợ hàn có chứng chỉ 3G/6G", "quy trình hàn theo AWS D1.1", "kiểm tra mối hàn bằng siêu âm"],
        "tol_en": ["3G/6G certified welders", "AWS D1.1 procedures", "ultrasonic weld inspection"],
        "cap": (20, 600, "tấn/tháng", "tonnes/month"),
        "det_vi": ["Nhận chế tạo thiết bị inox cho ngành thực phẩm và đồ uống."],
        "det_en": ["Stainless equipment for food and beverage plants."],
    },
    "pcb_assembly_smt": {
        "vi": ["lắp ráp mạch điện tử SMT", "dán linh kiện SMT", "lắp ráp bo mạch PCBA", "gia công SMT",
               "hàn linh kiện xuyên lỗ DIP", "lắp ráp bảng mạch in", "dịch vụ EMS"],
        "en": ["SMT assembly", "PCB assembly", "PCBA", "surface-mount assembly", "electronics manufacturing services",
               "through-hole and SMT assembly"],
        "prod_vi": ["bo mạch điều khiển", "bo nguồn", "mạch LED", "mạch cảm biến", "bo IoT", "mạch sạc"],
        "prod_en": ["controller boards", "power supply boards", "LED boards", "sensor boards", "IoT modules",
                    "charger boards"],
        "mat": ["FR-4", "aluminium PCB", "lead-free solder SAC305", "0201 components", "BGA"],
        "mach": [("dây chuyền SMT", "SMT line", ["Fuji NXT", "Yamaha", "Panasonic", "Juki", "Hanwha"], 1, 8, "", ""),
                 ("máy AOI", "AOI", ["Koh Young", "Saki", "Omron"], 1, 6, "", ""),
                 ("lò reflow", "reflow oven", ["Heller", "BTU", "JT"], 1, 6, "", ""),
                 ("máy X-ray", "X-ray inspection", ["Nordson Dage", "Viscom"], 1, 2, "", "")],
        "tol_vi": ["linh kiện nhỏ tới 0201", "BGA bước 0,4 mm", "kiểm tra AOI và ICT 100%"],
        "tol_en": ["down to 0201 components", "0.4 mm pitch BGA", "100% AOI and ICT"],
        "cap": (500_000, 20_000_000, "điểm hàn/ngày", "placements/day"),
        "det_vi": ["Khu vực sản xuất chống tĩnh điện ESD, kiểm soát độ ẩm linh kiện MSL.",
                   "Nhận mua linh kiện trọn gói hoặc gia công trên linh kiện khách gửi."],
        "det_en": ["ESD-controlled floor and MSL handling.", "Turnkey or consigned component sourcing."],
    },
    "wire_harness": {
        "vi": ["bó dây điện", "sản xuất dây cáp điện", "gia công bó dây", "lắp ráp cụm dây điện",
               "bấm đầu cos và bó dây", "dây điện ô tô xe máy", "sản xuất cáp kết nối"],
        "en": ["wire harness", "cable assembly", "wiring harness manufacturing", "cable harnesses",
               "crimping and harness assembly"],
        "prod_vi": ["bó dây điện xe máy", "cáp tín hiệu", "dây nguồn", "bó dây thiết bị gia dụng", "cáp USB",
                    "bó dây máy lạnh"],
        "prod_en": ["motorcycle harnesses", "signal cables", "power cords", "appliance harnesses", "USB cables",
                    "HVAC harnesses"],
        "mat": ["PVC wire", "XLPE wire", "copper conductor", "JST terminals", "Molex connectors", "Yazaki terminals"],
        "mach": [("máy cắt tuốt dây tự động", "automatic cut-and-strip machine", ["Komax", "Shinmaywa", "Schleuniger"], 2, 20, "", ""),
                 ("máy bấm đầu cos", "crimping press", ["Komax", "TE", "JAM"], 4, 40, "", ""),
                 ("bàn kiểm tra thông mạch", "continuity test board", ["Cirris", "tự chế tạo"], 2, 20, "", "")],
        "tol_vi": ["kiểm tra lực kéo đầu cos 100%", "kiểm tra thông mạch từng bó dây", "mặt cắt đầu cos theo chuẩn"],
        "tol_en": ["100% pull-force checks", "continuity test on every harness", "crimp cross-section analysis"],
        "cap": (20_000, 1_500_000, "bộ/tháng", "harnesses/month"),
        "det_vi": ["Dây và đầu nối theo tiêu chuẩn UL, có thể truy xuất lô vật tư."],
        "det_en": ["UL-listed wire and connectors with lot traceability."],
    },
    "rubber_molding": {
        "vi": ["ép cao su kỹ thuật", "sản xuất gioăng phớt cao su", "đúc cao su", "ron cao su", "ép lưu hóa cao su",
               "sản xuất chi tiết cao su chống rung"],
        "en": ["rubber moulding", "rubber seals and gaskets", "technical rubber parts", "compression moulding of rubber",
               "anti-vibration rubber parts"],
        "prod_vi": ["gioăng", "phớt chặn dầu", "oring", "cao su chống rung", "ống cao su", "nút cao su", "chụp bụi"],
        "prod_en": ["gaskets", "oil seals", "O-rings", "vibration mounts", "rubber hoses", "grommets", "dust boots"],
        "mat": ["NBR", "EPDM", "FKM", "CR", "natural rubber", "HNBR"],
        "mach": [("máy ép cao su", "rubber press", ["Desma", "Tung Yu", "Dai Ichi"], 4, 40, "{a}–{b} tấn", "{a}–{b} t"),
                 ("máy cán luyện", "two-roll mill", ["tự chế tạo", "Kobelco"], 1, 4, "", "")],
        "tol_vi": ["độ cứng 40–90 Shore A", "chịu dầu và nhiệt tới 200°C", "dung sai kích thước theo ISO 3302"],
        "tol_en": ["40–90 Shore A", "oil and heat resistant to 200°C", "ISO 3302 tolerances"],
        "cap": (100_000, 3_000_000, "chi tiết/tháng", "parts/month"),
        "det_vi": ["Tự phối trộn cao su theo công thức riêng cho từng ứng dụng."],
        "det_en": ["In-house compounding for each application."],
    },
    "silicone_molding": {
        "vi": ["ép silicone", "ép silicon lỏng LSR", "sản xuất sản phẩm silicone", "đúc silicone",
               "gia công chi tiết silicone"],
        "en": ["silicone moulding", "liquid silicone rubber moulding", "LSR moulding", "silicone parts"],
        "prod_vi": ["bàn phím silicone", "núm vú silicone", "gioăng silicone", "ống silicone y tế", "khuôn bánh silicone"],
        "prod_en": ["silicone keypads", "silicone teats", "silicone gaskets", "medical silicone tubing",
                    "silicone bakeware"],
        "mat": ["LSR", "HTV silicone", "food-grade silicone", "medical-grade silicone"],
        "mach": [("máy ép LSR", "LSR injection machine", ["Engel", "Arburg", "Tung Yu"], 1, 10, "", ""),
                 ("máy ép silicone nén", "silicone compression press", ["Tung Yu", "Dai Ichi"], 2, 20, "", "")],
        "tol_vi": ["silicone đạt chuẩn FDA, LFGB", "độ cứng 20–80 Shore A"],
        "tol_en": ["FDA and LFGB compliant silicone", "20–80 Shore A"],
        "cap": (50_000, 2_000_000, "chi tiết/tháng", "parts/month"),
        "det_vi": ["Có khu sản xuất sạch cho sản phẩm tiếp xúc thực phẩm và y tế."],
        "det_en": ["Clean production area for food-contact and medical items."],
    },
    "carton_packaging": {
        "vi": ["sản xuất thùng carton", "bao bì giấy carton", "thùng carton 3 lớp 5 lớp", "hộp giấy cứng",
               "bao bì carton sóng", "sản xuất hộp carton in flexo"],
        "en": ["corrugated cartons", "carton box manufacturing", "corrugated packaging", "rigid paper boxes",
               "shipping cartons"],
        "prod_vi": ["thùng carton xuất khẩu", "hộp carton", "vách ngăn carton", "khay giấy", "thùng đựng trái cây"],
        "prod_en": ["export cartons", "carton boxes", "carton dividers", "paper trays", "produce boxes"],
        "mat": ["kraft liner", "corrugated board", "duplex board", "recycled paper"],
        "mach": [("dây chuyền sóng", "corrugator", ["BHS", "Mitsubishi", "Wanlian"], 1, 2, "", ""),
                 ("máy in flexo xẻ rãnh", "flexo printer-slotter", ["Isowa", "Wanlian"], 1, 4, "", ""),
                 ("máy bế", "die cutter", ["Bobst", "tự động"], 1, 5, "", "")],
        "tol_vi": ["độ nén thùng ECT theo yêu cầu", "giấy sóng B, C, E, BC"],
        "tol_en": ["ECT/BCT to specification", "B, C, E and BC flutes"],
        "cap": (300_000, 8_000_000, "thùng/tháng", "boxes/month"),
        "det_vi": ["Thiết kế kết cấu thùng và thử nghiệm độ nén tại phòng lab."],
        "det_en": ["Structural design and compression testing in house."],
    },
    "offset_printing": {
        "vi": ["in offset", "in offset nhiều màu", "in ấn offset", "in catalogue và hộp giấy", "in offset 4–6 màu",
               "thành phẩm sau in"],
        "en": ["offset printing", "multi-colour offset printing", "commercial printing", "sheet-fed offset"],
        "prod_vi": ["hộp giấy in", "catalogue", "sách hướng dẫn sử dụng", "tờ rơi", "hộp mỹ phẩm", "túi giấy"],
        "prod_en": ["printed folding cartons", "catalogues", "user manuals", "leaflets", "cosmetic boxes", "paper bags"],
        "mat": ["ivory board", "art paper", "couche paper", "duplex board", "soy ink"],
        "mach": [("máy in offset", "offset press", ["Heidelberg", "Komori", "KBA", "Ryobi"], 1, 5, "", ""),
                 ("máy cán màng", "laminator", ["tự động"], 1, 3, "", ""),
                 ("máy dán hộp", "folder-gluer", ["Bobst", "tự động"], 1, 3, "", "")],
        "tol_vi": ["quản lý màu theo chuẩn G7", "sai lệch màu ΔE dưới 2"],
        "tol_en": ["G7 colour management", "ΔE below 2"],
        "cap": (500_000, 15_000_000, "tờ in/tháng", "sheets/month"),
        "det_vi": ["Có máy CTP ghi bản trực tiếp và các công đoạn ép kim, phủ UV, bế."],
        "det_en": ["CTP platemaking, hot foil, UV coating and die cutting."],
    },
    "label_printing": {
        "vi": ["in nhãn mác", "in tem nhãn decal", "in nhãn vải", "nhãn dệt", "in tem mã vạch", "in nhãn flexo cuộn"],
        "en": ["label printing", "self-adhesive labels", "woven labels", "barcode labels", "flexo label printing"],
        "prod_vi": ["tem nhãn sản phẩm", "nhãn dệt quần áo", "tem bảo hành", "nhãn mã vạch", "thẻ bài treo"],
        "prod_en": ["product labels", "garment woven labels", "warranty stickers", "barcode labels", "hang tags"],
        "mat": ["PP film", "PET film", "thermal paper", "satin ribbon", "polyester yarn"],
        "mach": [("máy in nhãn flexo", "flexo label press", ["Mark Andy", "Nilpeter", "Gallus"], 1, 5, "", ""),
                 ("máy dệt nhãn", "label loom", ["Muller", "Jakob Muller"], 2, 20, "", "")],
        "tol_vi": ["in biến đổi dữ liệu mã vạch, QR", "màu theo Pantone"],
        "tol_en": ["variable data barcodes and QR", "Pantone matching"],
        "cap": (1_000_000, 50_000_000, "nhãn/tháng", "labels/month"),
        "det_vi": ["Nhận in nhãn RFID và tem chống giả."],
        "det_en": ["RFID and anti-counterfeit labels on request."],
    },
    "dyeing": {
        "vi": ["nhuộm vải", "nhuộm hoàn tất", "nhuộm sợi", "in nhuộm vải", "xử lý hoàn tất vải"],
        "en": ["fabric dyeing", "dyeing and finishing", "yarn dyeing", "textile dyeing", "fabric finishing"],
        "prod_vi": ["vải cotton", "vải thun", "vải polyester", "vải pha", "sợi nhuộm"],
        "prod_en": ["cotton fabric", "knit jersey", "polyester fabric", "blended fabric", "dyed yarn"],
        "mat": ["cotton", "polyester", "nylon", "spandex", "rayon"],
        "mach": [("máy nhuộm cao áp", "jet dyeing machine", ["Thies", "Fong's", "Then"], 4, 30, "", ""),
                 ("máy căng định hình", "stenter", ["Monforts", "Bruckner"], 1, 4, "", "")],
        "tol_vi": ["độ bền màu cấp 4 trở lên", "sai màu ΔE dưới 1"],
        "tol_en": ["colour fastness grade 4+", "ΔE below 1"],
        "cap": (100, 2_000, "tấn vải/tháng", "tonnes/month"),
        "det_vi": ["Có hệ thống xử lý nước thải dệt nhuộm và thu hồi nhiệt."],
        "det_en": ["Textile wastewater treatment and heat recovery."],
    },
    "technical_textiles": {
        "vi": ["vải kỹ thuật", "vải không dệt", "vải lọc công nghiệp", "dệt vải chống cháy", "vải địa kỹ thuật",
               "vải tráng phủ"],
        "en": ["technical textiles", "non-woven fabrics", "industrial filter fabrics", "flame-retardant fabrics",
               "coated fabrics"],
        "prod_vi": ["vải lọc bụi", "vải bạt tráng PVC", "vải lót ghế ô tô", "dây đai", "vải không dệt y tế"],
        "prod_en": ["filter bags", "PVC-coated tarpaulin", "automotive seat fabric", "webbing", "medical non-woven"],
        "mat": ["polyester", "polypropylene", "aramid", "glass fibre", "nylon 66"],
        "mach": [("máy dệt kiếm", "rapier loom", ["Picanol", "Dornier"], 4, 60, "", ""),
                 ("dây chuyền không dệt", "non-woven line", ["Dilo", "Andritz"], 1, 2, "", "")],
        "tol_vi": ["đạt tiêu chuẩn chống cháy", "định lượng 30–600 g/m²"],
        "tol_en": ["flame-retardant rated", "30–600 g/m²"],
        "cap": (200_000, 5_000_000, "mét/tháng", "metres/month"),
        "det_vi": ["Phòng thí nghiệm đo độ bền kéo, độ thoáng khí."],
        "det_en": ["Tensile and air-permeability lab."],
    },
    "sole_molding": {
        "vi": ["sản xuất đế giày", "ép đế giày cao su", "đế giày EVA", "đế giày PU", "ép đế TPR",
               "gia công đế giày dép"],
        "en": ["shoe sole moulding", "rubber outsoles", "EVA midsoles", "PU soles", "TPR sole injection"],
        "prod_vi": ["đế giày thể thao", "đế dép", "đế giày da", "lót giày", "đế giày bảo hộ"],
        "prod_en": ["sports shoe soles", "sandal soles", "leather shoe soles", "insoles", "safety shoe soles"],
        "mat": ["EVA", "PU", "TPR", "natural rubber", "phylon"],
        "mach": [("máy ép đế", "sole press", ["Main Group", "Desma", "Tung Yu"], 4, 40, "", ""),
                 ("máy ép EVA", "EVA injection machine", ["Tung Yu", "King Steel"], 2, 20, "", "")],
        "tol_vi": ["độ mài mòn theo chuẩn DIN", "chống trơn trượt"],
        "tol_en": ["DIN abrasion tested", "slip resistant"],
        "cap": (100_000, 3_000_000, "đôi/tháng", "pairs/month"),
        "det_vi": ["Tự pha trộn cao su đế, nhận làm mẫu đế theo thiết kế của thương hiệu."],
        "det_en": ["In-house sole compounds; sampling to brand designs."],
    },
    "garment_sewing": {
        "vi": ["may gia công", "may mặc xuất khẩu", "gia công may", "may CMT", "may đồng phục", "cắt may"],
        "en": ["garment sewing", "cut-make-trim", "apparel manufacturing", "CMT sewing", "uniform production"],
        "prod_vi": ["áo sơ mi", "quần jean", "áo thun", "đồng phục công nhân", "áo khoác", "túi vải"],
        "prod_en": ["shirts", "jeans", "T-shirts", "workwear", "jackets", "tote bags"],
        "mat": ["cotton", "polyester", "denim", "oxford fabric", "spandex"],
        "mach": [("máy may công nghiệp", "industrial sewing machine", ["Juki", "Brother", "Pegasus"], 60, 900, "", ""),
                 ("máy cắt vải tự động", "automatic cutter", ["Gerber", "Lectra"], 1, 3, "", "")],
        "tol_vi": ["AQL 2,5", "kiểm tra kim gãy 100%"],
        "tol_en": ["AQL 2.5", "100% needle detection"],
        "cap": (20_000, 800_000, "sản phẩm/tháng", "pieces/month"),
        "det_vi": ["Chuyền may được tổ chức theo mô hình lean, có bộ phận làm mẫu."],
        "det_en": ["Lean sewing lines with a sampling room."],
    },
    "plastic_bag_film": {
        "vi": ["thổi màng PE", "sản xuất túi nhựa", "túi nilon", "màng co", "bao bì màng ghép", "in ống đồng bao bì mềm",
               "sản xuất túi PP, PE", "màng quấn pallet"],
        "en": ["blown film", "plastic bags", "flexible packaging", "shrink film", "laminated film",
               "stretch wrap", "PE bags"],
        "prod_vi": ["túi zipper", "túi rác", "màng bọc pallet", "túi đựng thực phẩm", "bao bì màng ghép", "túi xốp"],
        "prod_en": ["zipper bags", "garbage bags", "pallet stretch film", "food bags", "laminated pouches", "T-shirt bags"],
        "mat": ["LDPE", "HDPE", "LLDPE", "BOPP", "CPP", "PET film"],
        "mach": [("máy thổi màng", "blown film extruder", ["Kung Hsing", "Windmöller & Hölscher", "Reifenhauser"], 2, 20, "", ""),
                 ("máy in ống đồng", "rotogravure press", ["Bobst", "Fuji Kikai"], 1, 4, "", ""),
                 ("máy cắt dán túi", "bag-making machine", ["tự động", "Totani"], 2, 20, "", "")],
        "tol_vi": ["độ dày màng 10–150 micron", "in ống đồng 8–10 màu"],
        "tol_en": ["film gauge 10–150 µm", "8–10 colour gravure"],
        "cap": (50, 1_500, "tấn/tháng", "tonnes/month"),
        "det_vi": ["Có dòng túi phân hủy sinh học và màng tái chế."],
        "det_en": ["Compostable and recycled-content films available."],
    },
    "spring_making": {
        "vi": ["sản xuất lò xo", "quấn lò xo", "lò xo nén, kéo, xoắn", "gia công lò xo kỹ thuật", "uốn dây thép định hình"],
        "en": ["spring making", "compression springs", "extension and torsion springs", "wire forming"],
        "prod_vi": ["lò xo nén", "lò xo kéo", "lò xo xoắn", "lò xo lá", "kẹp dây định hình"],
        "prod_en": ["compression springs", "extension springs", "torsion springs", "leaf springs", "wire forms"],
        "mat": ["piano wire SWP-A", "SUS304 wire", "SWC", "65Mn", "phosphor bronze"],
        "mach": [("máy quấn lò xo CNC", "CNC spring coiler", ["Itaya", "Wafios", "Simco"], 2, 30, "", "")],
        "tol_vi": ["đường kính dây 0,1–12 mm", "kiểm tra lực lò xo từng lô"],
        "tol_en": ["wire 0.1–12 mm", "load testing per lot"],
        "cap": (200_000, 10_000_000, "chiếc/tháng", "pieces/month"),
        "det_vi": ["Có lò ủ khử ứng suất và máy đo lực nén."],
        "det_en": ["Stress-relief ovens and load testers."],
    },
    "fasteners": {
        "vi": ["bulông ốc vít", "sản xuất bulông đai ốc", "vít tự khoan", "chi tiết kẹp chặt", "dập đầu ốc vít",
               "bu lông tiêu chuẩn và phi tiêu chuẩn"],
        "en": ["fasteners", "bolts and nuts", "screws", "cold-headed fasteners", "custom fasteners"],
        "prod_vi": ["bulông", "đai ốc", "vít", "đinh tán", "long đen", "vít bắn tôn"],
        "prod_en": ["bolts", "nuts", "screws", "rivets", "washers", "self-drilling screws"],
        "mat": ["SWCH10A", "SCM435", "SUS304", "brass", "10B21"],
        "mach": [("máy dập đầu nguội", "cold header", ["Sakamura", "National", "Chun Zu"], 2, 20, "", ""),
                 ("máy cán ren", "thread roller", ["tự động", "Tsugami"], 2, 20, "", "")],
        "tol_vi": ["cấp bền 8.8, 10.9", "ren theo JIS, DIN"],
        "tol_en": ["property class 8.8 and 10.9", "JIS and DIN threads"],
        "cap": (20, 800, "tấn/tháng", "tonnes/month"),
        "det_vi": ["Có thể mạ kẽm, nhuộm đen và nhiệt luyện qua đối tác."],
        "det_en": ["Zinc plating, black oxide and heat treatment via partners."],
    },
}

# Vietnamese rendering of canonical material strings (others are used as is).
MAT_VI = {
    "aluminium 6061": "nhôm 6061", "aluminium 7075": "nhôm 7075", "aluminium 5052": "nhôm 5052",
    "aluminium": "nhôm", "anodized aluminium": "nhôm anod", "aluminium PCB": "PCB nhôm",
    "copper C1100": "đồng C1100", "brass C3604": "đồng thau C3604", "brass C3771": "đồng thau C3771",
    "brass": "đồng thau", "copper conductor": "lõi đồng", "natural rubber": "cao su thiên nhiên",
    "zinc": "kẽm", "nickel": "niken", "chrome": "crom", "tin": "thiếc", "gold": "vàng",
    "steel": "thép", "polyester powder": "bột sơn polyester", "epoxy powder": "bột sơn epoxy",
    "kraft liner": "giấy kraft", "corrugated board": "giấy sóng", "duplex board": "giấy duplex",
    "recycled paper": "giấy tái chế", "ivory board": "giấy ivory", "art paper": "giấy couche",
    "couche paper": "giấy couche mờ", "soy ink": "mực gốc đậu nành", "thermal paper": "giấy in nhiệt",
    "satin ribbon": "ruy băng satin", "polyester yarn": "sợi polyester", "cotton": "cotton",
    "glass fibre": "sợi thủy tinh", "food-grade silicone": "silicone thực phẩm",
    "medical-grade silicone": "silicone y tế", "HTV silicone": "silicone HTV",
    "piano wire SWP-A": "dây thép piano SWP-A", "SUS304 wire": "dây inox 304",
    "phosphor bronze": "đồng phốt pho", "lead-free solder SAC305": "thiếc hàn không chì SAC305",
    "0201 components": "linh kiện 0201", "PVC wire": "dây bọc PVC", "XLPE wire": "dây XLPE",
    "JST terminals": "đầu cos JST", "Molex connectors": "đầu nối Molex", "Yazaki terminals": "đầu cos Yazaki",
    "oxford fabric": "vải oxford", "denim": "vải denim",
}

# ---------------------------------------------------------------------------
# Sectors: Vietnamese / English names and the processes a supplier of the
# sector may run (weights for the primary process).
# ---------------------------------------------------------------------------
SECTORS = {
    "mechanical": {
        "vi": "cơ khí", "en": "mechanical engineering", "weight": 26,
        "name_vi": ["Cơ khí Chính xác", "Cơ khí", "Kỹ thuật Cơ khí", "Công nghiệp", "Cơ điện"],
        "name_en": ["Precision", "Engineering", "Metalworks", "Industrial"],
        "proc": {"cnc_machining": 30, "mold_making": 14, "sheet_metal_stamping": 16, "welding": 9,
                 "die_casting": 5, "forging": 4, "heat_treatment": 5, "electroplating": 6,
                 "powder_coating": 5, "spring_making": 4, "fasteners": 5},
    },
    "electronics": {
        "vi": "điện tử", "en": "electronics", "weight": 14,
        "name_vi": ["Điện tử", "Công nghệ Điện tử", "Kỹ thuật Điện", "Linh kiện Điện tử"],
        "name_en": ["Electronics", "Electronic Technology", "Circuits"],
        "proc": {"pcb_assembly_smt": 45, "wire_harness": 35, "plastic_injection": 10, "sheet_metal_stamping": 5,
                 "label_printing": 5},
    },
    "rubber_plastics": {
        "vi": "cao su – nhựa", "en": "rubber and plastics", "weight": 18,
        "name_vi": ["Nhựa Kỹ thuật", "Nhựa", "Cao su Kỹ thuật", "Cao su", "Nhựa Cao su"],
        "name_en": ["Plastics", "Polymer", "Rubber Technology", "Moulding"],
        "proc": {"plastic_injection": 38, "plastic_bag_film": 22, "rubber_molding": 20, "silicone_molding": 10,
                 "mold_making": 10},
    },
    "textile_garment": {
        "vi": "dệt may", "en": "textile and garment", "weight": 9,
        "name_vi": ["Dệt may", "Dệt", "May mặc", "Sợi Dệt"],
        "name_en": ["Textile", "Garment", "Apparel"],
        "proc": {"garment_sewing": 35, "dyeing": 25, "technical_textiles": 25, "label_printing": 15},
    },
    "leather_footwear": {
        "vi": "da giày", "en": "leather and footwear", "weight": 7,
        "name_vi": ["Giày da", "Đế giày", "Da giày", "Phụ liệu Giày"],
        "name_en": ["Footwear", "Sole", "Footwear Components"],
        "proc": {"sole_molding": 60, "garment_sewing": 15, "technical_textiles": 10, "rubber_molding": 10,
                 "label_printing": 5},
    },
    "packaging_printing": {
        "vi": "bao bì – in ấn", "en": "packaging and printing", "weight": 11,
        "name_vi": ["Bao bì", "In Bao bì", "Bao bì Giấy", "In ấn", "Bao bì Nhựa"],
        "name_en": ["Packaging", "Print", "Pack"],
        "proc": {"carton_packaging": 32, "offset_printing": 28, "label_printing": 20, "plastic_bag_film": 20},
    },
    "automotive_parts": {
        "vi": "linh kiện ô tô – xe máy", "en": "automotive parts", "weight": 10,
        "name_vi": ["Phụ tùng Ô tô", "Linh kiện Ô tô", "Phụ tùng Xe máy", "Auto Parts"],
        "name_en": ["Auto Parts", "Automotive", "Motor Components"],
        "proc": {"cnc_machining": 16, "die_casting": 12, "forging": 8, "sheet_metal_stamping": 14,
                 "wire_harness": 12, "rubber_molding": 10, "plastic_injection": 12, "heat_treatment": 4,
                 "electroplating": 4, "spring_making": 4, "fasteners": 4},
    },
    "food_processing": {
        "vi": "chế biến thực phẩm", "en": "food processing", "weight": 5,
        "name_vi": ["Thiết bị Thực phẩm", "Bao bì Thực phẩm", "Inox Thực phẩm"],
        "name_en": ["Food Equipment", "Food Packaging", "Stainless"],
        "proc": {"welding": 35, "sheet_metal_stamping": 15, "cnc_machining": 10, "plastic_bag_film": 25,
                 "carton_packaging": 15},
    },
}

# Processes that commonly run together in one firm (second process candidates).
CO_PROCESSES = {
    "cnc_machining": ["heat_treatment", "mold_making", "welding", "electroplating", "sheet_metal_stamping"],
    "mold_making": ["plastic_injection", "cnc_machining", "die_casting", "rubber_molding"],
    "plastic_injection": ["mold_making", "silicone_molding", "label_printing", "rubber_molding"],
    "die_casting": ["cnc_machining", "powder_coating", "mold_making"],
    "sheet_metal_stamping": ["welding", "powder_coating", "mold_making", "electroplating"],
    "forging": ["heat_treatment", "cnc_machining"],
    "heat_treatment": ["forging", "cnc_machining"],
    "electroplating": ["powder_coating", "fasteners"],
    "powder_coating": ["sheet_metal_stamping", "welding", "electroplating"],
    "welding": ["sheet_metal_stamping", "powder_coating", "cnc_machining"],
    "pcb_assembly_smt": ["wire_harness", "plastic_injection"],
    "wire_harness": ["pcb_assembly_smt", "plastic_injection"],
    "rubber_molding": ["silicone_molding", "mold_making", "plastic_injection"],
    "silicone_molding": ["rubber_molding", "plastic_injection"],
    "carton_packaging": ["offset_printing", "label_printing"],
    "offset_printing": ["carton_packaging", "label_printing"],
    "label_printing": ["offset_printing", "plastic_bag_film"],
    "dyeing": ["technical_textiles", "garment_sewing"],
    "technical_textiles": ["dyeing", "garment_sewing"],
    "sole_molding": ["rubber_molding", "technical_textiles"],
    "garment_sewing": ["label_printing", "dyeing"],
    "plastic_bag_film": ["label_printing", "offset_printing"],
    "spring_making": ["fasteners", "sheet_metal_stamping", "heat_treatment"],
    "fasteners": ["spring_making", "electroplating", "heat_treatment"],
}

# Closely related processes: a supplier of one partly meets a need for the other
# (grade 1).  The near-miss pairs below are deliberately NOT related.
RELATED = {
    "cnc_machining": ["mold_making"],
    "mold_making": ["cnc_machining"],
    "rubber_molding": ["silicone_molding"],
    "silicone_molding": ["rubber_molding"],
    "electroplating": ["powder_coating"],
    "powder_coating": ["electroplating"],
    "forging": ["die_casting"],
    "die_casting": ["forging"],
    "offset_printing": ["label_printing"],
    "label_printing": ["offset_printing"],
    "spring_making": ["fasteners"],
    "fasteners": ["spring_making"],
    "dyeing": ["technical_textiles"],
    "technical_textiles": ["dyeing"],
}

NEAR_MISS_PAIRS = [
    ("plastic_injection", "plastic_bag_film"),
    ("cnc_machining", "sheet_metal_stamping"),
    ("pcb_assembly_smt", "wire_harness"),
    ("rubber_molding", "sole_molding"),
    ("offset_printing", "carton_packaging"),
]

# ---------------------------------------------------------------------------
# Places.  Park names exactly as in shared/CONTEXT.md.  Wards are the
# post-July-2025 ward/commune names believed to host each park; they are
# illustrative for sample data and were not checked against the official list.
# ---------------------------------------------------------------------------
PARKS = {
    "KCX Tân Thuận": ["phường Tân Thuận"],
    "KCX Linh Trung I": ["phường Linh Xuân"],
    "KCX Linh Trung II": ["phường Tam Bình"],
    "KCN Hiệp Phước": ["xã Hiệp Phước"],
    "KCN Tân Bình": ["phường Tây Thạnh"],
    "KCN Cát Lái": ["phường Cát Lái"],
    "KCN Bình Chiểu": ["phường Tam Bình"],
    "KCN Vĩnh Lộc": ["phường Bình Hưng Hòa", "xã Vĩnh Lộc"],
    "KCN Tân Tạo": ["phường Tân Tạo"],
    "KCN Lê Minh Xuân": ["xã Tân Nhựt"],
    "KCN Tây Bắc Củ Chi": ["xã Tân An Hội"],
    "KCN Tân Phú Trung": ["xã Củ Chi"],
    "KCN Đông Nam": ["xã Bình Mỹ"],
    "KCN Tân Thới Hiệp": ["phường Đông Hưng Thuận"],
    "KCN An Hạ": ["xã Bình Lợi"],
    "KCN Phong Phú": ["xã Hưng Long"],
}
PARK_WEIGHTS = {
    "KCX Tân Thuận": 9, "KCX Linh Trung I": 6, "KCX Linh Trung II": 4, "KCN Hiệp Phước": 7,
    "KCN Tân Bình": 8, "KCN Cát Lái": 5, "KCN Bình Chiểu": 4, "KCN Vĩnh Lộc": 8, "KCN Tân Tạo": 10,
    "KCN Lê Minh Xuân": 8, "KCN Tây Bắc Củ Chi": 7, "KCN Tân Phú Trung": 5, "KCN Đông Nam": 5,
    "KCN Tân Thới Hiệp": 3, "KCN An Hạ": 3, "KCN Phong Phú": 3,
}
# Where a supplier outside any park has its workshop (illustrative ward names).
OUTSIDE_WARDS = ["phường Bình Tân", "phường An Lạc", "phường Bình Trị Đông", "xã Bà Điểm", "xã Xuân Thới Sơn",
                 "phường Thới An", "phường Trung Mỹ Tây", "phường Tân Sơn Nhì", "phường Phú Thọ Hòa",
                 "xã Bình Chánh", "phường Thủ Đức", "phường Long Bình", "phường Phước Long", "xã Nhà Bè",
                 "phường Gò Vấp", "phường An Hội Tây", "xã Hóc Môn", "phường Tân Hưng"]

# ---------------------------------------------------------------------------
# Certifications: per-sector probabilities; issuers are certification bodies
# used as sample values only (the certificates themselves are fictional).
# ---------------------------------------------------------------------------
CERT_ISSUERS = ["Bureau Veritas", "SGS", "TÜV SÜD", "TÜV Rheinland", "Intertek", "DNV", "QUACERT", "BSI",
                "LRQA", "Vinacontrol CE", "TÜV NORD", "URS"]
CERT_PROB = {
    "mechanical": {"ISO 9001": 0.62, "ISO 14001": 0.22, "ISO 45001": 0.12, "IATF 16949": 0.06, "AS9100": 0.03,
                   "ISO 13485": 0.02},
    "electronics": {"ISO 9001": 0.7, "ISO 14001": 0.3, "IATF 16949": 0.08, "ISO 13485": 0.06, "RoHS": 0.45,
                    "UL": 0.3, "ISO 45001": 0.1},
    "rubber_plastics": {"ISO 9001": 0.6, "ISO 14001": 0.22, "ISO 13485": 0.07, "RoHS": 0.25, "IATF 16949": 0.06,
                        "ISO 22000": 0.06, "ISO 45001": 0.06},
    "textile_garment": {"ISO 9001": 0.4, "OEKO-TEX": 0.45, "ISO 14001": 0.18, "ISO 45001": 0.1},
    "leather_footwear": {"ISO 9001": 0.45, "OEKO-TEX": 0.2, "ISO 14001": 0.2, "ISO 45001": 0.12},
    "packaging_printing": {"ISO 9001": 0.6, "FSC": 0.35, "ISO 22000": 0.2, "HACCP": 0.12, "ISO 14001": 0.15},
    "automotive_parts": {"ISO 9001": 0.75, "IATF 16949": 0.35, "ISO 14001": 0.35, "ISO 45001": 0.15, "RoHS": 0.1},
    "food_processing": {"ISO 9001": 0.55, "ISO 22000": 0.45, "HACCP": 0.4, "ISO 14001": 0.15},
}
CERT_FULL = {"ISO 9001": "ISO 9001:2015", "ISO 14001": "ISO 14001:2015", "ISO 45001": "ISO 45001:2018",
             "IATF 16949": "IATF 16949:2016", "ISO 13485": "ISO 13485:2016", "ISO 22000": "ISO 22000:2018",
             "AS9100": "AS9100D", "HACCP": "HACCP", "OEKO-TEX": "OEKO-TEX Standard 100", "FSC": "FSC CoC",
             "RoHS": "RoHS", "UL": "UL"}

COUNTRIES = ["Japan", "South Korea", "USA", "Germany", "Taiwan", "China", "Thailand", "Singapore", "Malaysia",
             "Australia", "France", "Netherlands", "Mexico", "India", "Canada", "United Kingdom", "Italy", "Indonesia"]
COUNTRY_VI = {"Japan": "Nhật Bản", "South Korea": "Hàn Quốc", "USA": "Mỹ", "Germany": "Đức", "Taiwan": "Đài Loan",
              "China": "Trung Quốc", "Thailand": "Thái Lan", "Singapore": "Singapore", "Malaysia": "Malaysia",
              "Australia": "Úc", "France": "Pháp", "Netherlands": "Hà Lan", "Mexico": "Mexico", "India": "Ấn Độ",
              "Canada": "Canada", "United Kingdom": "Anh", "Italy": "Ý", "Indonesia": "Indonesia"}
COUNTRY_WEIGHTS = [30, 22, 18, 9, 10, 8, 6, 6, 4, 4, 3, 3, 2, 3, 2, 3, 2, 2]

# Customer industries (vi, en), per sector index lists below.
INDUSTRIES = {
    "electronics": ("điện tử", "electronics"), "auto": ("ô tô", "automotive"), "moto": ("xe máy", "motorcycles"),
    "medical": ("thiết bị y tế", "medical devices"), "appliance": ("điện gia dụng", "home appliances"),
    "printer": ("máy in văn phòng", "office printers"), "food": ("thực phẩm – đồ uống", "food and beverage"),
    "apparel": ("may mặc", "apparel"), "footwear": ("giày dép", "footwear"), "furniture": ("nội thất", "furniture"),
    "electrical": ("thiết bị điện", "electrical equipment"), "machinery": ("máy công nghiệp", "industrial machinery"),
    "ship": ("đóng tàu", "shipbuilding"), "consumer": ("hàng tiêu dùng", "consumer goods"),
    "pharma": ("dược phẩm", "pharmaceuticals"), "cosmetics": ("mỹ phẩm", "cosmetics"),
    "solar": ("năng lượng mặt trời", "solar energy"), "aero": ("hàng không", "aerospace"),
    "hvac": ("điều hòa không khí", "HVAC"), "toys": ("đồ chơi", "toys"), "seafood": ("thủy sản", "seafood"),
    "construction": ("xây dựng", "construction"), "semicon": ("bán dẫn", "semiconductors"),
}
SECTOR_INDUSTRIES = {
    "mechanical": ["machinery", "auto", "moto", "electronics", "semicon", "aero", "ship", "medical", "food", "construction"],
    "electronics": ["electronics", "appliance", "auto", "medical", "electrical", "solar", "hvac", "toys"],
    "rubber_plastics": ["electronics", "printer", "appliance", "auto", "medical", "consumer", "toys", "food", "moto"],
    "textile_garment": ["apparel", "auto", "furniture", "medical", "construction", "consumer"],
    "leather_footwear": ["footwear", "apparel", "consumer"],
    "packaging_printing": ["food", "electronics", "pharma", "cosmetics", "seafood", "apparel", "footwear", "consumer"],
    "automotive_parts": ["auto", "moto", "machinery", "electrical"],
    "food_processing": ["food", "seafood", "pharma", "consumer"],
}

# Sentences that put a process next to the vocabulary of its near-miss
# neighbour (shared words, different capability).
HARD_VI = {
    "plastic_bag_film": ["Bao bì nhựa của chúng tôi dùng để đóng gói linh kiện cho các nhà máy điện tử.",
                         "Sản phẩm nhựa mềm dạng màng, cuộn và túi, không làm chi tiết nhựa cứng.",
                         "Cung cấp túi nhựa chống tĩnh điện cho xưởng lắp ráp linh kiện."],
    "plastic_injection": ["Nhận cả đơn hàng nhựa nhỏ, từ vài nghìn chi tiết.",
                          "Ngoài linh kiện nhựa còn cung cấp khay nhựa đóng gói cho dây chuyền."],
    "sheet_metal_stamping": ["Nhận gia công cơ khí theo bản vẽ: chấn, đột, dập, cắt laser.",
                             "Chi tiết kim loại chính xác cho tủ điện và thiết bị, gia công trên máy CNC đột và chấn."],
    "cnc_machining": ["Nhận gia công cơ khí theo bản vẽ với số lượng linh hoạt.",
                      "Chi tiết kim loại chính xác cho máy móc, khuôn và đồ gá."],
    "wire_harness": ["Đấu nối cụm dây cho thiết bị điện tử, không lắp ráp bo mạch.",
                     "Cung cấp cáp và dây kết nối cho các nhà máy lắp ráp bo mạch."],
    "pcb_assembly_smt": ["Có thể lắp hoàn chỉnh bo mạch vào vỏ sản phẩm (box build).",
                         "Lắp ráp điện tử cho thiết bị gia dụng và công nghiệp."],
    "sole_molding": ["Ép cao su và EVA cho ngành giày, cán luyện cao su tại xưởng.",
                     "Sản phẩm cao su của chúng tôi chủ yếu là đế và phụ kiện giày."],
    "rubber_molding": ["Ép cao su theo khuôn của khách hàng, cán luyện cao su tại xưởng.",
                       "Sản phẩm cao su kỹ thuật cho máy móc, bơm và van."],
    "carton_packaging": ["In ấn bao bì trực tiếp trên thùng bằng máy in flexo.",
                         "Cung cấp bao bì giấy in logo cho hàng xuất khẩu."],
    "offset_printing": ["In ấn bao bì giấy cao cấp, hộp giấy và catalogue.",
                        "Nhận in hộp giấy sản phẩm, không sản xuất thùng carton sóng."],
}
HARD_EN = {
    "plastic_bag_film": ["Our plastic packaging protects components for electronics plants.",
                         "Flexible plastic film, rolls and bags only, no rigid moulded parts."],
    "plastic_injection": ["Small plastic orders from a few thousand parts are welcome."],
    "sheet_metal_stamping": ["Precision metal parts from sheet: punching, bending, laser cutting.",
                             "Build-to-print metal fabrication for cabinets and equipment."],
    "cnc_machining": ["Build-to-print metal parts for machinery, tooling and fixtures."],
    "wire_harness": ["Cable assemblies for electronics plants; no board assembly."],
    "pcb_assembly_smt": ["Box build of boards into housings."],
    "sole_molding": ["Rubber and EVA moulding for footwear, compounding in house."],
    "rubber_molding": ["Rubber moulding to customer moulds with in-house compounding."],
    "carton_packaging": ["Flexo-printed packaging direct to board."],
    "offset_printing": ["Premium printed paper packaging, folding cartons and catalogues."],
}

# ---------------------------------------------------------------------------
# Description sentence banks.  Placeholders: {self} (how the firm calls itself),
# {pn} process synonym, {prods}, {mats}, {mach}, {tol}, {inds}, {cap}, {year},
# {exp}, {emp}, {area}, {loc}, {own}, {sector}, {countries}, {certs} and the
# noise fields {y2} {y3} {area2} {n_eng} {otd} {kw} {erp} {motto} {mission} {h} {d}.
# ---------------------------------------------------------------------------
SELF_VI = ["công ty", "chúng tôi", "doanh nghiệp", "xưởng"]
SELF_EN = ["the company", "we", "our team", "the firm"]

OPEN_VI = [
    "Thành lập năm {year}, {self} chuyên {pn} cho khách hàng trong và ngoài nước.",
    "{Self} được thành lập từ năm {year} với khoảng {emp} lao động, tập trung vào {pn}.",
    "Với {exp} năm kinh nghiệm, {self} cung cấp dịch vụ {pn}{loc}.",
    "{Self} là doanh nghiệp {own} hoạt động trong ngành {sector} từ năm {year}.",
    "Nhà xưởng rộng {area} m²{loc}, đội ngũ {emp} người.",
    "Từ một xưởng nhỏ mở năm {year}, {self} nay có {emp} công nhân và kỹ sư.",
    "{Self} đã có {exp} năm trong ngành {sector}, thế mạnh là {pn}.",
    "{Self} là nhà cung cấp {pn} cho các doanh nghiệp FDI từ năm {year}.",
    "Doanh nghiệp {own}, {emp} nhân sự, nhà máy {area} m²{loc}.",
    "Khởi đầu năm {year} với {pn}, đến nay {self} đã mở rộng quy mô nhiều lần.",
]
OPEN_EN = [
    "Founded in {year}, {self} specialises in {pn} for local and overseas customers.",
    "Established in {year} with about {emp} staff, {self} focuses on {pn}.",
    "With {exp} years of experience, {self} offers {pn}{loc}.",
    "A {own} manufacturer active in {sector} since {year}.",
    "Our {area} m² plant{loc} employs {emp} people.",
    "{Self} has supplied {pn} to foreign-invested factories since {year}.",
    "Started as a small workshop in {year}; today {self} runs {emp} staff.",
]
CAPA_VI = [
    "Chuyên {pn}: {prods} từ {mats}.",
    "Nhận {pn} theo bản vẽ và mẫu của khách hàng, sản phẩm gồm {prods}.",
    "Năng lực chính là {pn}, phục vụ sản xuất {prods}.",
    "Sản phẩm chủ lực: {prods}; vật liệu thường dùng {mats}.",
    "Mảng {pn} chiếm phần lớn doanh thu, chủ yếu là {prods}.",
    "Chúng tôi làm {pn} trên vật liệu {mats}.",
    "Đáp ứng đơn hàng {pn} từ mẫu thử đến hàng loạt, đặc biệt là {prods}.",
    "Dịch vụ {pn} cho {prods}, vật liệu {mats}.",
]
CAPB_VI = [  # secondary processes
    "Ngoài ra còn nhận {pn} cho {prods}.",
    "Công ty cũng làm {pn} để cung cấp trọn gói.",
    "Bổ sung dịch vụ {pn} ({prods}) từ năm {y2}.",
    "Có thêm bộ phận {pn} phục vụ đơn hàng nội bộ và khách ngoài.",
    "Kết hợp {pn} trong cùng nhà máy, giảm thời gian giao hàng.",
]
CAPA_EN = [
    "We specialise in {pn}: {prods} in {mats}.",
    "Build-to-print {pn} for {prods}.",
    "Core capability is {pn}, mainly {prods}.",
    "Main products: {prods}; typical materials {mats}.",
    "{pn} from prototypes to mass production, especially {prods}.",
    "{pn} services for {prods} in {mats}.",
]
CAPB_EN = [
    "We also offer {pn} for {prods}.",
    "{pn} is available in house for turnkey supply.",
    "Added {pn} ({prods}) in {y2}.",
    "A separate {pn} section serves our own and outside orders.",
]
MACH_VI = ["Máy móc gồm {mach}.", "Thiết bị chính: {mach}.", "Xưởng được trang bị {mach}.",
           "Đầu tư {mach}, phần lớn nhập từ Nhật Bản và Đài Loan.", "Hiện vận hành {mach}.",
           "Năng lực thiết bị: {mach}."]
MACH_EN = ["Equipment includes {mach}.", "Key machines: {mach}.", "The shop runs {mach}.",
           "We operate {mach}."]
TOL_VI = ["Thông số kỹ thuật: {tol}.", "Về kỹ thuật: {tol}, kiểm tra trước khi giao.", "Đáp ứng yêu cầu: {tol}.",
          "Kiểm soát chất lượng chặt chẽ ({tol}).", "Năng lực kỹ thuật: {tol}.",
          "Với {prods}, {self} đáp ứng {tol}.", "Trên vật liệu {mats} vẫn đảm bảo {tol}.",
          "Tỷ lệ lỗi dưới {ppm} ppm, {tol}."]
TOL_EN = ["Specification: {tol}.", "Technical capability: {tol}; inspected before shipment.", "Capability: {tol}.",
          "For {prods} we hold {tol}.", "Defect rate below {ppm} ppm; {tol}."]
CUST_VI = ["Khách hàng chủ yếu thuộc ngành {inds}.", "Đang cung ứng cho các nhà máy {inds} trong các KCN, KCX.",
           "Phục vụ các ngành {inds}.", "Là nhà cung cấp cấp 2 cho chuỗi cung ứng {inds}.",
           "Khách hàng là các doanh nghiệp {inds} vốn Nhật, Hàn và Đài Loan.",
           "Sản phẩm có mặt trong chuỗi cung ứng {inds}.",
           "Khoảng {pct}% doanh thu đến từ ngành {inds}.", "Từ năm {y2} bắt đầu cung ứng cho ngành {inds}."]
CUST_EN = ["Customers are mainly in {inds}.", "We supply {inds} plants in the HCMC parks.",
           "Serving {inds}.", "Tier-2 supplier to {inds} supply chains.",
           "About {pct}% of sales come from {inds}.", "Supplying {inds} since {y2}."]
EXPORT_VI = ["Sản phẩm đã xuất khẩu sang {countries}.", "Có kinh nghiệm xuất hàng đi {countries}.",
             "Thị trường xuất khẩu: {countries}.", "Hàng đi {countries} qua khách hàng FDI."]
EXPORT_EN = ["Exports to {countries}.", "Export experience: {countries}.", "Shipped to {countries}."]
CAPY_VI = ["Công suất khoảng {cap}.", "Năng lực sản xuất {cap}, có thể tăng ca khi cần.",
           "Sản lượng trung bình {cap}.", "Công suất thiết kế {cap}, hiện dùng khoảng {pct}%.",
           "Chạy {shifts} ca/ngày, công suất {cap}.", "Đơn hàng tối thiểu linh hoạt; công suất {cap}."]
CAPY_EN = ["Capacity about {cap}.", "Output of {cap}, extra shifts on demand.", "Typical output {cap}.",
           "{shifts} shifts a day, {cap}.", "Installed capacity {cap}, currently about {pct}% used."]
CERT_VI = ["Đạt chứng nhận {certs}.", "Hệ thống quản lý theo {certs}, áp dụng từ năm {y2}.",
           "Đã được cấp chứng chỉ {certs}.", "Chứng nhận: {certs}.", "Năm {y2} công ty đạt {certs}.",
           "Xây dựng hệ thống {certs} với sự hỗ trợ của tư vấn từ năm {y2}."]
CERT_EN = ["Certified to {certs}.", "Management system: {certs} since {y2}.", "Certificates: {certs}."]

NOISE_VI = [
    "Năm {y2}, công ty mở rộng nhà xưởng lên {area2} m².",
    "Đội ngũ kỹ thuật gồm {n_eng} kỹ sư, nhiều người từng làm cho doanh nghiệp Nhật Bản.",
    "Tỷ lệ giao hàng đúng hạn năm {y3} đạt {otd}%.",
    "Công ty đã lắp điện mặt trời áp mái {kw} kWp từ năm {y3}.",
    "Đang triển khai {erp} để quản lý sản xuất và truy xuất lô hàng.",
    "Phương châm của {self}: “{motto}”.",
    "Sứ mệnh của {self} là {mission}.",
    "Tham gia chương trình phát triển công nghiệp hỗ trợ của thành phố từ năm {y3}.",
    "Ban giám đốc có {exp2} năm quản lý sản xuất tại các doanh nghiệp FDI.",
    "Năm {y3} doanh thu tăng {otd2}{otd2b}% so với năm trước nhờ đơn hàng mới.",
    "Khoảng {pct}% sản lượng dành cho khách hàng trong các KCX, KCN.",
    "Chi phí điện giảm {otd2}{otd2b}% sau đợt cải tạo nhà xưởng năm {y3}.",
    "Tháng {m}/{y3} công ty hoàn tất đánh giá nhà cung cấp của một khách hàng Nhật Bản.",
    "Hơn {pct} khách hàng đang đặt hàng thường xuyên.",
    "Tham gia hội chợ kết nối cung cầu công nghiệp hỗ trợ năm {y3}.",
    "Áp dụng 5S và Kaizen từ năm {y2}.",
    "Báo giá trong {h} giờ, mẫu thử trong {d} ngày.",
    "Có kho thành phẩm {area2} m² và đội xe giao hàng riêng.",
    "Năm {y2} chuyển về nhà xưởng mới, đầu tư thêm {n_eng} máy.",
    "Người sáng lập từng là kỹ sư sản xuất {exp2} năm trước khi mở công ty.",
    "Công nhân được đào tạo tay nghề định kỳ, tỷ lệ nghỉ việc dưới {otd2}%/năm.",
    "{Self} coi trọng quan hệ lâu dài, nhiều khách hàng đã hợp tác trên {exp2} năm.",
]
NOISE_EN = [
    "In {y2} we expanded the plant to {area2} m².",
    "{n_eng} engineers, several trained at Japanese manufacturers.",
    "On-time delivery reached {otd}% in {y3}.",
    "A {kw} kWp rooftop solar system has run since {y3}.",
    "We run {erp} for production control and lot traceability.",
    "Our motto: “{motto_en}”.",
    "Quotes within {h} hours, samples in {d} days.",
    "5S and kaizen practised since {y2}.",
    "Several customers have worked with us for over {exp2} years.",
    "Joined the city's supporting-industry programme in {y3}.",
    "About {pct}% of output goes to customers inside the export processing zones and parks.",
    "Passed a Japanese customer's supplier audit in {m}/{y3}.",
    "More than {pct} customers order from us regularly.",
]
MOTTO_VI = ["Chất lượng là danh dự", "Đúng hẹn – chính xác – tận tâm", "Uy tín tạo nên thương hiệu",
            "Khách hàng là trung tâm", "Làm đúng ngay từ đầu", "Cải tiến không ngừng", "Chính xác từng micromet",
            "Bền vững cùng đối tác"]
MOTTO_EN = ["Quality first", "On time, on spec", "Right first time", "Precision in every part",
            "Continuous improvement", "Grow with our partners"]
MISSION_VI = ["góp phần nâng tỷ lệ nội địa hóa cho doanh nghiệp FDI",
              "trở thành nhà cung cấp tin cậy của các tập đoàn Nhật Bản",
              "mang đến sản phẩm chất lượng với chi phí hợp lý",
              "phát triển công nghiệp hỗ trợ Việt Nam",
              "đồng hành cùng khách hàng từ khâu thiết kế đến sản xuất hàng loạt",
              "sản xuất xanh và tiết kiệm năng lượng"]
ERP_VI = ["phần mềm ERP", "hệ thống MES", "SAP Business One", "Odoo", "phần mềm quản lý sản xuất nội bộ",
          "hệ thống mã vạch truy xuất"]
ERP_EN = ["an ERP system", "a MES", "SAP Business One", "Odoo", "barcode traceability"]
CLOSE_VI = ["Rất mong được hợp tác với quý khách.", "Liên hệ phòng kinh doanh để nhận báo giá.",
            "Hân hạnh được phục vụ quý khách hàng.", "Sẵn sàng ký NDA và nhận đánh giá nhà máy.",
            "Chào đón khách hàng đến tham quan và đánh giá nhà xưởng."]
CLOSE_EN = ["We welcome factory audits.", "Contact our sales team for a quote.", "NDA and audits welcome."]

# Labels for the bullet-like layout.
BUL_VI = {"proc": ["Lĩnh vực", "Năng lực", "Gia công", "Dịch vụ"], "mach": ["Thiết bị", "Máy móc", "Thiết bị chính"],
          "mat": ["Vật liệu", "Nguyên liệu"], "cust": ["Khách hàng", "Ngành phục vụ"],
          "cap": ["Công suất", "Sản lượng"], "cert": ["Chứng nhận", "Hệ thống chất lượng"],
          "tol": ["Thông số", "Tiêu chuẩn", "Kỹ thuật"], "exp": ["Xuất khẩu", "Thị trường"], "loc": ["Địa chỉ xưởng", "Nhà máy"]}
BUL_EN = {"proc": ["Capabilities", "Services", "Processes"], "mach": ["Equipment", "Machines"],
          "mat": ["Materials"], "cust": ["Customers", "Industries"], "cap": ["Capacity", "Output"],
          "cert": ["Certifications", "Quality system"], "tol": ["Specification", "Standards"],
          "exp": ["Export", "Markets"], "loc": ["Plant", "Location"]}

# Invented brand names: syllables chosen so that the result looks made up.
BRAND_A = ["Zor", "Quel", "Vex", "Kry", "Zan", "Tro", "Nyx", "Brel", "Zel", "Qir", "Vol", "Drax", "Ors", "Kel",
           "Myr", "Pax", "Styr", "Fen", "Gal", "Xan", "Jor", "Wex", "Yl", "Ox", "Zyr", "Quor"]
BRAND_B = ["", "a", "i", "o", "e", "u", "ava", "ela", "ino", "uri", "aro", "eta"]
BRAND_C = ["vak", "nix", "dor", "tek", "zen", "rix", "qua", "mex", "lon", "var", "zo", "phy", "quin", "xis"]
LEGAL_VI = ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV"]
LEGAL_VI_MICRO = ["Cơ sở", "Doanh nghiệp tư nhân", "Công ty TNHH MTV"]
LEGAL_EN = ["Co., Ltd.", "JSC", "Vietnam Co., Ltd."]

# English rendering of non-brand machine makers.
MAKER_EN = {"tự chế tạo": "locally built", "tự động": "automatic"}

# Company-name word chosen from the main process where the sector word would mislead.
PROC_NAME_VI = {"plastic_injection": ["Nhựa Kỹ thuật", "Nhựa", "Nhựa Chính xác"],
                "plastic_bag_film": ["Bao bì Nhựa", "Nhựa", "Màng Nhựa"],
                "rubber_molding": ["Cao su Kỹ thuật", "Cao su"], "silicone_molding": ["Silicone", "Cao su Silicone"],
                "carton_packaging": ["Bao bì Giấy", "Bao bì", "Giấy"], "offset_printing": ["In ấn", "In Bao bì"],
                "label_printing": ["Nhãn mác", "In Nhãn", "Tem nhãn"],
                "welding": ["Cơ khí", "Inox", "Kết cấu Thép"], "electroplating": ["Xi mạ", "Xử lý Bề mặt"],
                "powder_coating": ["Sơn Công nghiệp", "Cơ khí"], "spring_making": ["Lò xo", "Cơ khí"],
                "fasteners": ["Bulông Ốc vít", "Cơ khí"], "sole_molding": ["Đế giày", "Giày da"],
                "dyeing": ["Dệt nhuộm", "Nhuộm"], "garment_sewing": ["May mặc", "May"]}
PROC_NAME_EN = {"plastic_injection": ["Plastics", "Moulding"], "plastic_bag_film": ["Flexible Packaging", "Film"],
                "rubber_molding": ["Rubber", "Rubber Technology"], "silicone_molding": ["Silicone"],
                "carton_packaging": ["Carton", "Packaging"], "offset_printing": ["Print", "Printing"],
                "label_printing": ["Label", "Labels"], "welding": ["Fabrication", "Stainless", "Steel"],
                "electroplating": ["Surface Finishing", "Plating"], "powder_coating": ["Coatings"],
                "spring_making": ["Springs"], "fasteners": ["Fasteners"], "sole_molding": ["Sole", "Footwear"],
                "dyeing": ["Dyeing"], "garment_sewing": ["Garment", "Apparel"]}

# Short lead-ins for the terse layout (key -> templates with {}).
TERSE_VI = {"cust": ["khách hàng ngành {}", "phục vụ ngành {}", "ngành {}"],
            "exp": ["xuất khẩu {}", "đã xuất đi {}", "thị trường {}"],
            "mat": ["vật liệu {}", "{}"], "mach": ["{}", "máy: {}"], "cert": ["{}", "đạt {}"]}
TERSE_EN = {"cust": ["customers in {}", "serving {}", "{} industry"],
            "exp": ["exports to {}", "markets: {}"], "mat": ["materials: {}", "{}"],
            "mach": ["{}", "machines: {}"], "cert": ["{}", "certified {}"]}


# ===========================================================================
# Buyer queries.  Cores are noun phrases naming what the buyer needs, written
# as a purchasing manager would, mostly paraphrasing rather than copying the
# profile vocabulary.  vi_nodiac cores are written directly without
# diacritics (with the abbreviations people type: ncc, cty, xuong, dn).
# Products, materials, tolerances and customer industries in a core are NOT
# labelled requirements; only the clauses below become structured fields.
# ===========================================================================
Q_CORE = {
    "cnc_machining": {
        "vi": ["nhà cung cấp chi tiết nhôm gia công chính xác cho máy đóng gói",
               "xưởng tiện phay nhận làm trục và bạc theo bản vẽ",
               "đối tác làm chi tiết kim loại dung sai chặt cho đồ gá lắp ráp",
               "đơn vị làm linh kiện inox cắt gọt số lượng nhỏ, nhiều mã"],
        "vi_nodiac": ["xuong tien phay lam chi tiet nhom theo ban ve", "ncc gia cong co khi chinh xac dung sai 0.01",
                      "cty phay 5 truc chi tiet inox", "xuong lam truc, bac dong theo mau"],
        "en": ["supplier of machined aluminium brackets", "precision turned parts in stainless steel to drawing",
               "job shop for jigs and fixtures with tight tolerances",
               "machined shafts and bushings, low volume high mix"],
    },
    "mold_making": {
        "vi": ["đối tác gia công khuôn", "đơn vị thiết kế chế tạo khuôn cho vỏ nhựa",
               "xưởng sửa chữa, bảo dưỡng khuôn ép", "nhà làm khuôn dập liên hoàn cho chi tiết tôn"],
        "vi_nodiac": ["doi tac lam khuon nhua", "xuong che tao khuon ep co phan tich moldflow",
                      "ncc khuon dap lien hoan", "cty sua khuon nhua gap"],
        "en": ["tooling partner to build injection moulds", "local maker of progressive dies",
               "mould repair and maintenance service", "multi-cavity hot runner mould maker"],
    },
    "plastic_injection": {
        "vi": ["nhà cung cấp linh kiện nhựa cho máy in", "đơn vị làm vỏ nhựa ABS cho thiết bị điện",
               "nguồn cung bánh răng nhựa POM", "công ty làm chi tiết nhựa trên khuôn do chúng tôi cung cấp"],
        "vi_nodiac": ["ncc ep nhua vo thiet bi dien", "cty lam linh kien nhua ky thuat PA66",
                      "xuong ep nhua nhan khuon khach gui", "nguon cung nap nhua, vo nhua so luong lon"],
        "en": ["injection moulded plastic housings supplier", "moulder for PC/ABS covers of our devices",
               "plastic parts for printers, moulded on our tools", "glass-filled nylon components"],
    },
    "die_casting": {
        "vi": ["nguồn cung vỏ nhôm đúc cho motor", "xưởng đúc hợp kim nhôm ADC12",
               "đối tác đúc kẽm làm tay nắm", "nhà cung cấp chi tiết nhôm đúc sẵn sàng lắp ráp"],
        "vi_nodiac": ["xuong duc nhom ap luc", "ncc vo hop so nhom duc", "duc kem zamak lam tay nam",
                      "cty duc nhom tan nhiet den led"],
        "en": ["aluminium die-cast housings supplier", "zinc die casting for handles and knobs",
               "HPDC parts supplier", "cast aluminium heat sinks for LED lights"],
    },
    "sheet_metal_stamping": {
        "vi": ["xưởng làm vỏ tủ điện bằng tôn", "nhà cung cấp pát, giá đỡ kim loại dập",
               "đơn vị cắt laser, chấn gấp tôn tấm theo bản vẽ", "nguồn cung chi tiết dập từ thép cuộn số lượng lớn"],
        "vi_nodiac": ["xuong dap ton lam vo tu dien", "ncc chi tiet dap kim loai", "cat laser chan ton theo ban ve",
                      "dap vuot nap hop inox"],
        "en": ["stamped steel brackets supplier", "sheet metal enclosures, laser cut and bent",
               "progressive die stamping of copper contacts", "metal pressings in high volume"],
    },
    "forging": {
        "vi": ["nhà cung cấp phôi rèn thép cho mặt bích", "xưởng rèn nóng thân van", "nguồn cung trục rèn cho hộp số"],
        "vi_nodiac": ["xuong ren nong", "ncc phoi ren mat bich", "ren khuon chi tiet thep SCM440"],
        "en": ["hot forged steel flanges", "closed-die forgings for valve bodies", "forged gear blanks supplier"],
    },
    "heat_treatment": {
        "vi": ["đơn vị tôi cứng bánh răng", "dịch vụ xử lý nhiệt cho khuôn thép", "nơi nhận thấm các bon chi tiết truyền động"],
        "vi_nodiac": ["cho nhiet luyen khuon", "dich vu toi cao tan truc", "tham nito chi tiet may"],
        "en": ["heat treatment subcontractor for gears", "vacuum hardening of tool steel dies",
               "case hardening for shafts"],
    },
    "electroplating": {
        "vi": ["xưởng mạ kẽm cho bulông", "đơn vị anod nhôm màu đen", "dịch vụ mạ niken cho chi tiết đồng"],
        "vi_nodiac": ["xuong xi ma kem", "cho anod nhom", "ma thiec tiep diem dong"],
        "en": ["zinc plating for fasteners", "black anodising of aluminium parts", "nickel plating subcontractor"],
    },
    "powder_coating": {
        "vi": ["đơn vị sơn tĩnh điện vỏ tủ", "dịch vụ phủ sơn bột cho khung thép", "xưởng sơn hoàn thiện chi tiết sắt"],
        "vi_nodiac": ["xuong son tinh dien", "son phu khung sat mau RAL", "son tinh dien vo may"],
        "en": ["powder coating service for steel frames", "electrostatic painting of enclosures",
               "paint finishing subcontractor, RAL colours"],
    },
    "welding": {
        "vi": ["xưởng chế tạo khung thép hàn", "đơn vị làm bồn inox cho dây chuyền thực phẩm",
               "nhà cung cấp kết cấu hàn cho băng tải"],
        "vi_nodiac": ["xuong han khung may", "ncc che tao bon inox", "han robot khung thep"],
        "en": ["welded steel frames fabricator", "stainless tank fabrication for a food plant",
               "robotic welding of assemblies"],
    },
    "pcb_assembly_smt": {
        "vi": ["đối tác lắp ráp bo mạch điện tử", "nhà cung cấp gắn linh kiện dán bề mặt",
               "đơn vị làm mạch điều khiển trọn gói cả linh kiện", "xưởng lắp mạch in cho thiết bị IoT"],
        "vi_nodiac": ["ncc lap rap pcba", "xuong gan linh kien smt", "bo mach dieu khien tron goi",
                      "lap rap mach dien tu so luong vua"],
        "en": ["contract manufacturer for PCBA", "SMT line for our controller boards",
               "EMS partner for sensor boards, turnkey", "circuit board assembly with AOI"],
    },
    "wire_harness": {
        "vi": ["nhà cung cấp bó dây cho máy lạnh", "xưởng làm cụm dây điện cho xe máy",
               "đơn vị bấm đầu cos, làm cáp kết nối", "nguồn cung dây nguồn cho thiết bị gia dụng"],
        "vi_nodiac": ["ncc bo day dien", "xuong lam cap ket noi, bam dau cos", "day dien xe may", "bo day may lanh"],
        "en": ["wiring harness supplier for appliances", "cable assemblies with crimped terminals",
               "motorcycle wire harness maker", "custom cable assembly with UL wire"],
    },
    "rubber_molding": {
        "vi": ["nhà cung cấp gioăng cao su chịu dầu", "đơn vị làm phớt, oring theo mẫu",
               "nguồn cung cao su chống rung cho máy", "xưởng ép chi tiết cao su EPDM"],
        "vi_nodiac": ["ncc gioang cao su", "ron cao su chiu dau", "phot chan dau, oring", "cao su chong rung may bom"],
        "en": ["rubber gaskets and seals supplier", "custom O-rings in NBR and FKM", "anti-vibration rubber mounts",
               "moulded EPDM rubber parts"],
    },
    "silicone_molding": {
        "vi": ["nhà cung cấp sản phẩm silicone y tế", "đơn vị làm bàn phím silicone", "xưởng ép silicone lỏng"],
        "vi_nodiac": ["xuong ep silicone", "ncc silicone thuc pham", "ban phim silicone"],
        "en": ["LSR moulded parts supplier", "food-grade silicone components", "silicone keypads maker"],
    },
    "carton_packaging": {
        "vi": ["nhà cung cấp thùng giấy đóng hàng xuất khẩu", "đơn vị làm hộp carton 5 lớp",
               "nguồn cung thùng sóng có in logo"],
        "vi_nodiac": ["ncc thung carton", "thung giay 5 lop", "hop carton in logo"],
        "en": ["corrugated shipping boxes supplier", "export cartons, 5-ply", "printed carton boxes"],
    },
    "offset_printing": {
        "vi": ["nhà in hộp giấy cho mỹ phẩm", "đơn vị in catalogue và sách hướng dẫn sử dụng",
               "xưởng in hộp sản phẩm điện tử"],
        "vi_nodiac": ["nha in offset", "in hop giay my pham", "in sach huong dan su dung"],
        "en": ["offset printer for cosmetic boxes", "printing of user manuals and catalogues",
               "folding carton printing"],
    },
    "label_printing": {
        "vi": ["nhà cung cấp tem nhãn dán sản phẩm", "đơn vị in tem mã vạch", "xưởng dệt nhãn quần áo"],
        "vi_nodiac": ["ncc in tem nhan", "in tem ma vach", "nhan det quan ao"],
        "en": ["self-adhesive label supplier", "barcode and QR labels", "woven labels for garments"],
    },
    "dyeing": {
        "vi": ["đối tác nhuộm vải thun", "nhà máy nhuộm hoàn tất vải polyester", "đơn vị nhuộm sợi cotton"],
        "vi_nodiac": ["nha may nhuom vai", "gia cong nhuom vai", "nhuom soi cotton"],
        "en": ["fabric dyeing partner", "dyeing and finishing of polyester knits", "yarn dyeing service"],
    },
    "technical_textiles": {
        "vi": ["nhà cung cấp vải lọc bụi công nghiệp", "đơn vị sản xuất vải không dệt", "nguồn cung vải chống cháy"],
        "vi_nodiac": ["ncc vai khong det", "vai loc bui cong nghiep", "vai chong chay"],
        "en": ["non-woven fabric supplier", "industrial filter fabrics", "flame-retardant textiles"],
    },
    "sole_molding": {
        "vi": ["nhà cung cấp đế giày thể thao", "xưởng ép đế EVA", "nguồn cung đế cao su cho giày bảo hộ"],
        "vi_nodiac": ["xuong ep de giay", "ncc de EVA", "de cao su giay bao ho"],
        "en": ["outsole supplier for sports shoes", "EVA midsole moulding", "rubber soles for safety boots"],
    },
    "garment_sewing": {
        "vi": ["xưởng may đồng phục công nhân", "đối tác may gia công áo thun", "nhà máy may hàng xuất khẩu nhận CMT"],
        "vi_nodiac": ["xuong may dong phuc", "cty may gia cong", "may ao thun xuat khau"],
        "en": ["uniform sewing factory", "CMT garment partner", "apparel maker for workwear"],
    },
    "plastic_bag_film": {
        "vi": ["nhà cung cấp túi PE đóng gói linh kiện", "đơn vị làm màng quấn pallet", "nguồn cung túi zipper",
               "bao bì mềm màng ghép cho thực phẩm"],
        "vi_nodiac": ["ncc tui nilon", "mang quan pallet", "tui zipper dong goi", "bao bi mem in ong dong"],
        "en": ["PE bags supplier for packing parts", "stretch film for pallets", "laminated pouches for food"],
    },
    "spring_making": {
        "vi": ["nhà cung cấp lò xo nén", "xưởng làm lò xo xoắn theo mẫu", "nguồn cung chi tiết dây thép uốn"],
        "vi_nodiac": ["xuong lo xo", "lo xo keo, lo xo nen", "uon day thep dinh hinh"],
        "en": ["compression springs supplier", "custom torsion springs", "wire forms maker"],
    },
    "fasteners": {
        "vi": ["nhà cung cấp bulông đai ốc cấp bền 8.8", "đơn vị làm vít theo bản vẽ", "nguồn cung ốc vít inox"],
        "vi_nodiac": ["ncc bulong", "oc vit inox", "vit dac biet theo ban ve"],
        "en": ["bolts and nuts supplier grade 8.8", "custom screws to drawing", "stainless fasteners"],
    },
}

# Needs that take two processes (both required for grade 2).
Q_MULTI = [
    (["mold_making", "plastic_injection"],
     {"vi": ["đối tác làm khuôn và ép nhựa trọn gói"], "vi_nodiac": ["cty vua lam khuon vua ep nhua"],
      "en": ["one-stop mould making and injection moulding"]}),
    (["cnc_machining", "heat_treatment"],
     {"vi": ["nơi gia công chi tiết thép rồi tôi cứng luôn tại chỗ"], "vi_nodiac": ["gia cong co khi kem nhiet luyen"],
      "en": ["machined and hardened steel parts from one supplier"]}),
    (["sheet_metal_stamping", "powder_coating"],
     {"vi": ["vỏ tủ tôn đã sơn tĩnh điện hoàn chỉnh"], "vi_nodiac": ["vo tu ton son tinh dien hoan chinh"],
      "en": ["sheet metal cabinets, powder coated, ready to assemble"]}),
    (["pcb_assembly_smt", "wire_harness"],
     {"vi": ["đơn vị lắp bo mạch kèm cụm dây kết nối"], "vi_nodiac": ["lap mach kem bo day"],
      "en": ["board assembly plus cable harness, box build"]}),
    (["die_casting", "cnc_machining"],
     {"vi": ["vỏ nhôm đúc đã gia công hoàn thiện"], "vi_nodiac": ["duc nhom va gia cong cnc"],
      "en": ["die-cast and machined aluminium housings"]}),
    (["carton_packaging", "offset_printing"],
     {"vi": ["bao bì giấy trọn gói gồm hộp in offset và thùng carton"], "vi_nodiac": ["in offset va lam thung carton"],
      "en": ["printed boxes and shipping cartons from one supplier"]}),
    (["forging", "heat_treatment"],
     {"vi": ["phôi rèn đã nhiệt luyện"], "vi_nodiac": ["ren va nhiet luyen"], "en": ["forged and heat-treated parts"]}),
    (["welding", "powder_coating"],
     {"vi": ["khung thép hàn có sơn tĩnh điện"], "vi_nodiac": ["han khung sat va son tinh dien"],
      "en": ["welded frames with powder coat finish"]}),
]

Q_OPEN = {
    "vi": ["", "Cần tìm ", "Tìm ", "Công ty chúng tôi (vốn Nhật) đang tìm ", "Nhà máy chúng tôi cần ",
           "Nhờ giới thiệu ", "Chúng tôi cần ", "Phòng mua hàng đang tìm ", "Cần gấp ", "Đang tìm kiếm ",
           "Xin danh sách "],
    "vi_nodiac": ["", "", "tim ", "can tim ", "can ", "ai biet ", "cho xin thong tin ", "cty minh can ",
                  "nha may can ", "can gap "],
    "en": ["", "Looking for ", "Need ", "Searching for ", "Sourcing ", "RFQ: ", "Our plant needs "],
}
Q_CONTEXT = {
    "vi": ["sản lượng khoảng {n} chi tiết mỗi tháng", "giao hàng hàng tuần", "có sẵn bản vẽ 3D để báo giá",
           "dự án bắt đầu từ quý tới", "để thay hàng đang nhập từ Trung Quốc", "cần báo giá trong tuần này",
           "đơn hàng thử {n} sản phẩm", "hợp đồng dài hạn 3 năm", "yêu cầu PPAP đầy đủ"],
    "vi_nodiac": ["san luong {n}/thang", "giao hang hang tuan", "co ban ve 3D", "bao gia gap trong tuan",
                  "don hang thu {n} cai", "thay hang nhap tu TQ", "hop dong dai han"],
    "en": ["around {n} pieces per month", "weekly deliveries", "3D drawings available for quotation",
           "project starts next quarter", "to replace imports from China", "quotation needed this week",
           "trial order of {n} pieces", "3-year framework contract", "full PPAP required"],
}

# Requirement clauses.  {c} certification, {park}, {n} employees,
# {country}, {sector}.
R_CERT = {
    "vi": ["phải có {c}", "bắt buộc có chứng nhận {c} còn hiệu lực", "ưu tiên đã đạt {c}", "yêu cầu chứng chỉ {c}",
           "có {c}"],
    "vi_nodiac": ["phai co {c}", "co chung nhan {c}", "yeu cau {c} con hieu luc", "uu tien co {c}", "co {c}"],
    "en": ["must hold {c}", "{c} certified", "valid {c} certificate required", "with {c}"],
}
R_PARK = {
    "vi": ["ưu tiên trong {park}", "nằm trong {park}", "xưởng đặt tại {park}", "ở {park}"],
    "vi_nodiac": ["uu tien trong {park}", "o {park}", "xuong nam trong {park}", "tai {park}"],
    "en": ["preferably located in {park}", "inside {park}", "based in {park}"],
}
R_INSIDE = {
    "vi": ["doanh nghiệp nằm trong KCN hoặc KCX", "nhà xưởng trong khu công nghiệp, khu chế xuất"],
    "vi_nodiac": ["dn nam trong kcn, kcx", "xuong trong khu cong nghiep"],
    "en": ["located inside an industrial park or EPZ", "operating within an HCMC industrial zone"],
}
R_OWN = {  # (text, accepted ownership values)
    "vi": [("doanh nghiệp 100% vốn Việt Nam", ["domestic"]), ("nhà cung cấp nội địa, vốn Việt Nam", ["domestic"]),
           ("công ty Việt Nam, không phải FDI", ["domestic"]),
           ("doanh nghiệp có vốn nước ngoài hoặc liên doanh", ["fdi", "joint_venture"]),
           ("công ty liên doanh", ["joint_venture"])],
    "vi_nodiac": [("dn 100% von Viet Nam", ["domestic"]), ("cty Viet Nam, khong phai FDI", ["domestic"]),
                  ("ncc noi dia von VN", ["domestic"]), ("cty FDI hoac lien doanh", ["fdi", "joint_venture"])],
    "en": [("100% Vietnamese-owned", ["domestic"]), ("a locally owned company", ["domestic"]),
           ("domestic supplier, not an FDI firm", ["domestic"]),
           ("foreign-invested or joint venture", ["fdi", "joint_venture"]), ("a joint venture", ["joint_venture"])],
}
R_MINEMP = {
    "vi": ["quy mô từ {n} lao động trở lên", "tối thiểu {n} công nhân", "ít nhất {n} nhân sự"],
    "vi_nodiac": ["toi thieu {n} cong nhan", "quy mo tu {n} nguoi tro len", "it nhat {n} lao dong"],
    "en": ["at least {n} employees", "workforce of {n}+", "minimum {n} staff"],
}
R_SIZE = {  # (text, accepted size classes)
    "vi": [("doanh nghiệp nhỏ và vừa", ["micro", "small", "medium"]), ("xưởng quy mô nhỏ", ["micro", "small"]),
           ("thuộc diện SME", ["micro", "small", "medium"])],
    "vi_nodiac": [("dn nho va vua", ["micro", "small", "medium"]), ("xuong nho", ["micro", "small"])],
    "en": [("an SME", ["micro", "small", "medium"]), ("a small workshop", ["micro", "small"])],
}
R_SECTOR_NAME = {
    "vi": {"mechanical": "cơ khí", "electronics": "điện tử", "rubber_plastics": "cao su nhựa",
           "textile_garment": "dệt may", "leather_footwear": "da giày", "packaging_printing": "bao bì in ấn",
           "automotive_parts": "phụ tùng ô tô", "food_processing": "chế biến thực phẩm"},
    "vi_nodiac": {"mechanical": "co khi", "electronics": "dien tu", "rubber_plastics": "cao su nhua",
                  "textile_garment": "det may", "leather_footwear": "da giay", "packaging_printing": "bao bi",
                  "automotive_parts": "phu tung oto", "food_processing": "thuc pham"},
    "en": {"mechanical": "mechanical engineering", "electronics": "electronics", "rubber_plastics": "rubber and plastics",
           "textile_garment": "textile", "leather_footwear": "footwear", "packaging_printing": "packaging",
           "automotive_parts": "automotive parts", "food_processing": "food processing"},
}
R_SECTOR = {
    "vi": ["doanh nghiệp ngành {sector}", "đang hoạt động trong ngành {sector}"],
    "vi_nodiac": ["dn nganh {sector}", "chuyen nganh {sector}"],
    "en": ["from the {sector} sector", "already in the {sector} industry"],
}
R_EXPORT = {
    "vi": ["đã xuất khẩu sang {country}", "có kinh nghiệm làm hàng cho thị trường {country}"],
    "vi_nodiac": ["da xuat khau di {country}", "tung lam hang di {country}"],
    "en": ["with export experience to {country}", "already shipping to {country}"],
}
COUNTRY_NODIAC = {"Japan": "Nhat", "South Korea": "Han Quoc", "USA": "My", "Germany": "Duc", "Taiwan": "Dai Loan",
                  "China": "Trung Quoc", "Thailand": "Thai Lan", "Singapore": "Singapore", "Malaysia": "Malaysia",
                  "Australia": "Uc", "France": "Phap", "Netherlands": "Ha Lan", "Mexico": "Mexico", "India": "An Do",
                  "Canada": "Canada", "United Kingdom": "Anh", "Italy": "Y", "Indonesia": "Indonesia"}
Q_REQ_LEAD = {"vi": ["Yêu cầu: ", "Điều kiện: ", ""], "vi_nodiac": ["yc: ", "dk: ", ""],
              "en": ["Requirements: ", "Must-haves: ", ""]}
