"""Timetable templates: a DPS application round, a dynamic market, an open tender, and Neighbourhood Networks v10.

**The Neighbourhood Networks review timetable (v10) is reconstructed.** The source document was not
available to us: we know it has 36 numbered tasks in stages, running from "Project scoping" to "Start date
for contract", each with who is responsible and an achievement date written as loosely as "Early October
2008", "April/May 2008", "End of Sept 2008" or "To be decided". The first and last task names and those
wordings are the original's; every other task name, responsibility, date and dependency below is our
reconstruction of a 2008-09 council review and re-tender of this kind, and is marked so wherever shown.

The other three templates are generic: their tasks are placed by offsets (in days) from a start date.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TemplateTask:
    number: int
    stage: int
    name: str
    responsible: str
    wording: str = ""  # the planned date as written (Neighbourhood Networks)
    offset_days: int = 0  # generic templates: start, in days after the timetable's start date
    length_days: int = 1
    milestone: bool = False
    depends_on: tuple[int, ...] = ()


@dataclass(frozen=True)
class Template:
    code: str
    name: str
    version: str
    stages: tuple[str, ...]
    tasks: tuple[TemplateTask, ...]
    reconstructed: bool = False
    notes: str = ""
    by_offset: bool = field(default=True)


T = TemplateTask
PM, CM, PO, EP = "Project manager", "Commissioning manager", "Procurement officer", "Evaluation panel"

NEIGHBOURHOOD_NETWORKS_V10 = Template(
    code="neighbourhood_networks_v10",
    name="Neighbourhood Networks review and procurement timetable",
    version="v10",
    reconstructed=True,
    by_offset=False,
    notes=(
        "Reconstructed: the original v10 document was not available. Its 36-task shape, its first and last "
        'tasks and its date wordings ("Early October 2008", "April/May 2008", "End of Sept 2008", "To be '
        "decided\") are the original's; the other task names, responsibilities and dependencies are ours."
    ),
    stages=(
        "Project initiation",
        "Review and consultation",
        "Approval",
        "Tender preparation",
        "Tender and evaluation",
        "Award and mobilisation",
    ),
    tasks=(
        T(1, 1, "Project scoping", PM, "April/May 2008"),
        T(2, 1, "Establish the project board and its terms of reference", CM, "End of May 2008", depends_on=(1,)),
        T(3, 1, "Agree the project plan and timetable", PM, "June 2008", depends_on=(2,)),
        T(4, 1, "Map stakeholders and the communications plan", PM, "June 2008", depends_on=(2,)),
        T(5, 1, "Equality impact assessment screening", CM, "July 2008", depends_on=(3,)),
        T(6, 2, "Review current Neighbourhood Network services", CM, "July/August 2008", depends_on=(3,)),
        T(7, 2, "Consult older people and carers", CM, "August/September 2008", depends_on=(4, 6)),
        T(8, 2, "Consult the Neighbourhood Network schemes", CM, "End of Sept 2008", depends_on=(6,)),
        T(9, 2, "Analyse the consultation responses", PM, "Early October 2008", depends_on=(7, 8)),
        T(10, 2, "Draft the service specification", CM, "Mid October 2008", depends_on=(9,)),
        T(11, 2, "Model the funding formula", "Finance officer", "October 2008", depends_on=(6,)),
        T(
            12,
            2,
            "Report the review's findings to the project board",
            PM,
            "End of October 2008",
            milestone=True,
            depends_on=(10, 11),
        ),
        T(13, 3, "Prepare the Executive Board report", CM, "Early November 2008", depends_on=(12,)),
        T(
            14,
            3,
            "Executive Board decision",
            "Director of Adult Social Care",
            "Mid December 2008",
            milestone=True,
            depends_on=(13,),
        ),
        T(15, 3, "Call-in period", "Democratic services", "End of December 2008", depends_on=(14,)),
        T(16, 3, "Confirm the procurement route with the Procurement Unit", PO, "Early January 2009", depends_on=(15,)),
        T(17, 4, "Finalise the service specification", CM, "End January 2009", depends_on=(16,)),
        T(18, 4, "Agree the evaluation criteria and weightings", PO, "End January 2009", depends_on=(16,)),
        T(19, 4, "Prepare the tender documents", PO, "February 2009", depends_on=(17, 18)),
        T(20, 4, "Pricing schedule and TUPE information", PO, "February 2009", depends_on=(17,)),
        T(21, 4, "Advertise the opportunity", PO, "Early March 2009", milestone=True, depends_on=(19, 20)),
        T(22, 4, "Provider information event", CM, "Mid March 2009", depends_on=(21,)),
        T(23, 5, "Tender period", PO, "March/April 2009", depends_on=(21,)),
        T(24, 5, "Answer clarification questions", PO, "April 2009", depends_on=(21,)),
        T(25, 5, "Tender return deadline", PO, "End of April 2009", milestone=True, depends_on=(23,)),
        T(26, 5, "Evaluation panel scores the tenders", EP, "Early May 2009", depends_on=(25,)),
        T(27, 5, "Moderation meeting", EP, "Mid May 2009", depends_on=(26,)),
        T(28, 5, "Bidder presentations", EP, "To be decided", depends_on=(27,)),
        T(29, 5, "Evaluation report and award recommendation", PO, "End of May 2009", depends_on=(27,)),
        T(
            30,
            5,
            "Approve the award decision",
            "Director of Adult Social Care",
            "June 2009",
            milestone=True,
            depends_on=(29,),
        ),
        T(31, 6, "Notify bidders; standstill period", PO, "June 2009", depends_on=(30,)),
        T(32, 6, "Award the contracts", PO, "July 2009", milestone=True, depends_on=(31,)),
        T(33, 6, "Sign the contract documents", "Legal services", "July 2009", depends_on=(32,)),
        T(34, 6, "Mobilisation and transition planning", CM, "July/August 2009", depends_on=(32,)),
        T(35, 6, "TUPE transfer arrangements", "Human resources", "To be decided", depends_on=(32,)),
        T(36, 6, "Start date for contract", CM, "Early October 2009", milestone=True, depends_on=(33, 34)),
    ),
)

DPS_ROUND = Template(
    code="dps_round",
    name="DPS application round",
    version="1",
    stages=("Prepare", "Round open", "Assess and appoint"),
    tasks=(
        T(1, 1, "Confirm the entry criteria and fee rates", CM, offset_days=0, length_days=7),
        T(2, 1, "Publish the round notice", PO, offset_days=7, milestone=True, depends_on=(1,)),
        T(3, 2, "Round open for applications", PO, offset_days=8, length_days=28, depends_on=(2,)),
        T(4, 2, "Answer clarification questions", PO, offset_days=8, length_days=21, depends_on=(2,)),
        T(5, 3, "Automatic evaluation and officer checks", CM, offset_days=36, length_days=10, depends_on=(3,)),
        T(6, 3, "Decisions and letters", CM, offset_days=46, length_days=5, depends_on=(5,)),
        T(7, 3, "New members appointed", CM, offset_days=51, milestone=True, depends_on=(6,)),
    ),
)

DYNAMIC_MARKET = Template(
    code="dynamic_market",
    name="Dynamic market (Procurement Act 2023)",
    version="1",
    stages=("Establish", "Run", "Assess requests to join"),
    tasks=(
        T(1, 1, "Set the conditions of membership and the exclusion checks", CM, offset_days=0, length_days=14),
        T(2, 1, "Publish the dynamic market notice", PO, offset_days=14, milestone=True, depends_on=(1,)),
        T(3, 2, "Market open to requests to join", PO, offset_days=15, length_days=90, depends_on=(2,)),
        T(4, 3, "Assess each request within the set time", CM, offset_days=15, length_days=90, depends_on=(2,)),
        T(5, 2, "Publish a modification notice if the conditions change", PO, offset_days=60, depends_on=(2,)),
        T(6, 2, "Review the market and its conditions", CM, offset_days=105, length_days=14, depends_on=(3,)),
    ),
)

OPEN_TENDER = Template(
    code="open_tender",
    name="Open tender",
    version="1",
    stages=("Prepare", "Tender", "Evaluate", "Award"),
    tasks=(
        T(1, 1, "Specification and evaluation model", CM, offset_days=0, length_days=21),
        T(2, 1, "Tender documents", PO, offset_days=21, length_days=14, depends_on=(1,)),
        T(3, 2, "Tender notice published", PO, offset_days=35, milestone=True, depends_on=(2,)),
        T(4, 2, "Tender period", PO, offset_days=36, length_days=30, depends_on=(3,)),
        T(5, 3, "Conflict of interest declarations", EP, offset_days=60, length_days=5, depends_on=(3,)),
        T(6, 3, "Independent scoring", EP, offset_days=66, length_days=10, depends_on=(4, 5)),
        T(7, 3, "Moderation", EP, offset_days=76, length_days=3, depends_on=(6,)),
        T(8, 4, "Award recommendation approved", CM, offset_days=79, length_days=5, milestone=True, depends_on=(7,)),
        T(9, 4, "Standstill (8 working days)", PO, offset_days=84, length_days=12, depends_on=(8,)),
        T(10, 4, "Contract award and start", CM, offset_days=96, milestone=True, depends_on=(9,)),
    ),
)

TEMPLATES: dict[str, Template] = {
    template.code: template for template in (NEIGHBOURHOOD_NETWORKS_V10, DPS_ROUND, DYNAMIC_MARKET, OPEN_TENDER)
}
