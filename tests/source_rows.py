"""Every row of the source chapter, written by hand from ../shared/source/ (not read from the graph).

Each row: table, row number, the line of the source file, the disorders it names (CalcKG local
names), the gamut's finding, the common locations, and the figures it cites. The row whose disorder
the copy lost (Table 7.1, row 5) carries the restored disorder; `repaired` marks rows the copy
garbled, whose repair must be visible in the graph.
"""

ROWS = [
    # Table 7.1 Intra-articular calcified or ossified body (single or multiple)
    dict(table="7.1", row=1, line=3, disorders=["DegenerativeJointDiseaseWithDetachedSpur"],
         finding="IntraArticularBody", sites=["KneeJoint", "LargeJoint"], figures=[],
         remark_has="May resemble synovial osteochondromatosis"),
    dict(table="7.1", row=2, line=4, disorders=["IntraArticularAvulsionFracture"],
         finding="IntraArticularBody", sites=["ElbowJoint"], figures=[],
         remark_has="pediatric elbow", repaired=True),
    dict(table="7.1", row=3, line=5, disorders=["OsteochondrosisDissecans"], finding="IntraArticularBody",
         sites=["KneeJoint", "ElbowJoint", "HipJoint", "ShoulderJoint", "AnkleJoint"], figures=["Fig7_5"],
         remark_has="residual pit"),
    dict(table="7.1", row=4, line=6, disorders=["SynovialOsteochondromatosis"], finding="IntraArticularBody",
         sites=["KneeJoint", "HipJoint", "ElbowJoint", "ShoulderJoint", "JointCapsule"], figures=["Fig7_3"],
         remark_has="Multiple small calcified or ossified densities"),
    dict(table="7.1", row=5, line=7, disorders=["NeuropathicArthropathy"], finding="IntraArticularBody",
         sites=["KneeJoint", "HipJoint", "AnkleJoint", "ShoulderJoint"], figures=["Fig7_4"],
         remark_has="Disintegration of joint surfaces", repaired=True),
    dict(table="7.1", row=6, line=8, disorders=["SynovialSarcoma", "IntracapsularChondroma"],
         finding="IntraArticularBody", sites=["KneeJoint"], figures=[], remark_has="soft-tissue mass"),
    dict(table="7.1", row=7, line=9, disorders=["TuberculousArthritis", "PyogenicArthritis"],
         finding="IntraArticularBody", sites=[], figures=[], remark_has="Rare", repaired=True),
    # Table 7.2 Calcification of articular cartilage or meniscus
    dict(table="7.2", row=1, line=16, disorders=["CPPDDepositionDisease"], finding="Chondrocalcinosis",
         sites=["KneeJoint", "WristJoint", "HipJoint"], figures=["Fig7_6", "Fig7_7"],
         remark_has="secondary osteoarthritis"),
    dict(table="7.2", row=2, line=17, disorders=["PrimaryOsteoarthritis", "Trauma"], finding="Chondrocalcinosis",
         sites=[], figures=[], remark_has="without crystal arthropathy", repaired=True),
    dict(table="7.2", row=3, line=18, disorders=["SecondaryOsteoarthritis"], finding="Chondrocalcinosis",
         sites=[], figures=[], remark_has="Premature osteoarthritis"),
    dict(table="7.2", row=4, line=19, disorders=["Hyperparathyroidism", "RenalOsteodystrophy"],
         finding="Chondrocalcinosis", sites=["WristJoint", "KneeJoint", "HipJoint", "ShoulderJoint", "ElbowJoint"],
         figures=[], remark_has="oxalosis", repaired=True),
    dict(table="7.2", row=5, line=20, disorders=["Gout"], finding="Chondrocalcinosis", sites=["KneeJoint"],
         figures=[], remark_has="secondary manifestation"),
    dict(table="7.2", row=6, line=21, disorders=["Ochronosis"], finding="Chondrocalcinosis",
         sites=["Meniscus", "IntervertebralDisc"], figures=[], remark_has="hypervitaminosis D"),
    dict(table="7.2", row=7, line=22, disorders=["Acromegaly"], finding="Chondrocalcinosis", sites=["KneeJoint"],
         figures=["Fig7_8"], remark_has="widens joint spaces"),
    dict(table="7.2", row=8, line=23, disorders=["Hemochromatosis"], finding="Chondrocalcinosis", sites=[],
         figures=[], remark_has="iron accumulation causes the disease", repaired=True),
    dict(table="7.2", row=9, line=24, disorders=["WilsonDisease"], finding="Chondrocalcinosis", sites=[],
         figures=[], remark_has="copper accumulation"),
    # Table 7.3 Periarticular soft tissue calcification or ossification (the copy ends after row 3)
    dict(table="7.3", row=1, line=30, disorders=["Hyperparathyroidism", "RenalOsteodystrophy"],
         finding="PeriarticularCalcification", sites=[], figures=["Fig7_9"],
         remark_has="other radiographic signs of hyperparathyroidism", repaired=True),
    dict(table="7.3", row=2, line=31,
         disorders=["Hypoparathyroidism", "ChronicHemodialysis", "WidespreadBoneDestruction", "HypervitaminosisD",
                    "MilkAlkaliSyndrome"],
         finding="PeriarticularCalcification", sites=[], figures=[], remark_has="postsurgical hypoparathyroidism",
         repaired=True),
    dict(table="7.3", row=3, line=32, disorders=["Scleroderma"], finding="PeriarticularCalcification",
         sites=["Hand"], figures=["Fig7_10"], remark_has="Thibierge-Weissenbach", repaired=True),
]

# Figure captions: number, the line of the source, and words the caption holds.
FIGURES = [
    ("Fig7_1", "7.1", 1, "Structureless calcifications"),
    ("Fig7_2", "7.2", 1, "Total hip prosthesis"),
    ("Fig7_3", "7.3", 10, "secondary osteoarthritis"),
    ("Fig7_4", "7.4", 12, "glenoid fossa and humeral head"),
    ("Fig7_5", "7.5", 13, "residual pit"),
    ("Fig7_6", "7.6", 25, "menisci and articular cartilage of the knee"),
    ("Fig7_7", "7.7", 26, "triangular cartilage of the wrist"),
    ("Fig7_8", "7.8", 27, "proximal interphalangeal joint cartilage"),
]
# Figures cited by rows whose captions lie beyond the end of the copy.
FIGURES_WITHOUT_CAPTION = [("Fig7_9", "7.9"), ("Fig7_10", "7.10")]

# The introduction's definitions: (term, kind, words of the definition).
DEFINITIONS = [
    ("Calcification", "finding", "structureless density"),
    ("Ossification", "finding", "trabeculae and cortex"),
    ("MetastaticCalcification", "mechanism", "disturbance of calcium or phosphorus metabolism"),
    ("Calcinosis", "mechanism", "normal calcium metabolism"),
    ("DystrophicCalcification", "mechanism", "damaged tissues without generalized metabolic derangement"),
]

# Causes of soft-tissue ossification that the introduction names.
OSSIFICATION_CAUSES = ["MyositisOssificans", "TumoralOssification"]
